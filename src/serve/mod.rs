//! `accessgraph serve` (feature `serve`): the model loaded once and kept in
//! memory behind a read-only JSON API ([`api`], described by
//! `docs/openapi.json`) and the pages of [`assets`], over HTTP/1.1 on
//! loopback.
//!
//! - **Safe by default.** Loopback only unless a token is given; with a
//!   token every request must carry it (`Authorization: Bearer`, the
//!   cookie the first page sets, or `?token=`); on loopback the `Host`
//!   must be a loopback name (no DNS rebinding). GET only, but for `POST
//!   /api/reload`; a strict Content-Security-Policy; pages build their DOM
//!   from text, never from HTML.
//! - **Reloaded whole.** A reload (`POST /api/reload`, or the file
//!   changing) reads and builds a new model beside the old one and swaps
//!   them: a request sees one or the other, never half of one. A snapshot
//!   that fails to load leaves the old model serving.
//! - **Answers kept for paging.** A who-can answer is computed once and
//!   kept (the last few questions): its pages, sorts, filters and its CSV
//!   are read from it.

pub mod api;
pub mod assets;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

use crate::graph::Model;
use crate::query::lint::Finding;
use api::{ApiError, Computed, Params};

/// Who-can answers kept per model
const ANSWERS: usize = 4;

/// The Content-Security-Policy of every response: the page's own script
/// and style, requests to itself, nothing inline, nothing framed
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The cookie a token is kept in once a page was opened with `?token=`
pub const TOKEN_COOKIE: &str = "accessgraph_token";

/// Every route: method and path pattern (`{x}` is one segment). The
/// OpenAPI file documents exactly the `/api` ones (a test checks it).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/info"),
    ("GET", "/api/users"),
    ("GET", "/api/users/{user}"),
    ("GET", "/api/users/{user}/portal"),
    ("GET", "/api/users/{user}/profiles"),
    ("GET", "/api/users/{user}/graph"),
    ("GET", "/api/who-can"),
    ("GET", "/api/who-can.csv"),
    ("GET", "/api/what-can"),
    ("GET", "/api/simulate"),
    ("GET", "/api/permission-sets"),
    ("GET", "/api/permission-sets/{name}"),
    ("GET", "/api/admins"),
    ("GET", "/api/lint"),
    ("GET", "/api/lint/{code}"),
    ("GET", "/api/reports/assignments"),
    ("POST", "/api/reload"),
    ("GET", "/"),
    ("GET", "/who-can"),
    ("GET", "/users/{user}"),
    ("GET", "/users/{user}/graph"),
    ("GET", "/permission-sets/{name}"),
    ("GET", "/lint"),
    ("GET", "/assets/{file}"),
];

/// Why the server could not start or a snapshot could not be loaded
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The snapshot could not be read
    #[error(transparent)]
    Load(#[from] crate::load::LoadError),
    /// The snapshot's policies do not build a model
    #[error("{path}: invalid policy in the snapshot: {source}")]
    Model {
        /// The file
        path: String,
        /// Why
        source: crate::graph::ModelError,
    },
    /// Listening or serving failed
    #[error("serving on {addr}: {source}")]
    Io {
        /// The address
        addr: String,
        /// Why
        source: std::io::Error,
    },
}

/// A model as served: built whole before it is swapped in
pub struct Loaded {
    model: Model,
    /// Lint's findings, made when a page first asks (not at start-up)
    findings: OnceLock<Vec<Finding>>,
    review: OnceLock<crate::report::review::AssignmentReview>,
    source: String,
    loaded_at: String,
    generation: u64,
    modified: Option<SystemTime>,
    answers: Mutex<Vec<(String, Arc<Computed>)>>,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("source", &self.source)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl Loaded {
    /// Reads and builds the snapshot at `path`
    ///
    /// # Errors
    /// The file cannot be read, is not a snapshot, or a policy does not parse.
    pub fn read(path: &std::path::Path, generation: u64) -> Result<Loaded, ServeError> {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let snap = crate::load::read_snapshot(path)?;
        let model = Model::build(snap).map_err(|source| ServeError::Model {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Loaded::new(
            model,
            path.display().to_string(),
            generation,
            modified,
        ))
    }

    /// A model already built (tests, the bench)
    pub fn new(
        model: Model,
        source: String,
        generation: u64,
        modified: Option<SystemTime>,
    ) -> Loaded {
        Loaded {
            model,
            findings: OnceLock::new(),
            review: OnceLock::new(),
            source,
            loaded_at: chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            generation,
            modified,
            answers: Mutex::new(Vec::new()),
        }
    }

    /// The model
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Lint's findings on the model (computed once)
    fn findings(&self) -> &[Finding] {
        self.findings.get_or_init(|| {
            crate::query::lint::lint(&self.model, crate::query::lint::LintOptions::default())
        })
    }

    /// The who-can answer of `p`'s question, computed once and kept
    ///
    /// # Errors
    /// The question is not valid ([`api::who_can_query`]).
    pub fn who_can(&self, p: &Params) -> Result<Arc<Computed>, ApiError> {
        let key = api::who_can_key(p);
        if let Ok(list) = self.answers.lock() {
            if let Some((_, c)) = list.iter().find(|(k, _)| *k == key) {
                return Ok(Arc::clone(c));
            }
        }
        let q = api::who_can_query(&self.model, p)?;
        let c = Arc::new(Computed::new(&self.model, &q));
        if let Ok(mut list) = self.answers.lock() {
            if list.len() >= ANSWERS {
                list.remove(0);
            }
            list.push((key, Arc::clone(&c)));
        }
        Ok(c)
    }

    /// Answers one API request (`path` without the query)
    ///
    /// # Errors
    /// The request's [`ApiError`]: 404 for an unknown path or name, 400 for
    /// a bad parameter.
    pub fn api(&self, path: &str, p: &Params) -> Result<Value, ApiError> {
        let m = &self.model;
        let seg: Vec<&str> = path.trim_start_matches("/api/").split('/').collect();
        let one = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| ApiError::bad("a path segment is not UTF-8 once decoded"))
        };
        match seg.as_slice() {
            ["info"] => Ok(api::info(m, &self.source, &self.loaded_at, self.generation)),
            ["users"] => api::users(m, p),
            ["users", u] => api::user(m, &one(u)?),
            ["users", u, "portal"] => api::portal(m, &one(u)?),
            ["users", u, "profiles"] => api::profiles(m, &one(u)?, p),
            ["users", u, "graph"] => api::user_graph(m, &one(u)?, p),
            ["who-can"] => self.who_can(p)?.page(m, p),
            ["what-can"] => api::what_can(m, p),
            ["simulate"] => api::simulate(m, p),
            ["permission-sets"] => Ok(api::permission_sets(m)),
            ["permission-sets", n] => api::permission_set(m, &one(n)?, self.findings()),
            ["admins"] => Ok(api::admins(m)),
            ["lint"] => Ok(api::lint(self.findings())),
            ["lint", c] => api::lint_code(&one(c)?),
            ["reports", "assignments"] => {
                let review = self.review.get_or_init(|| {
                    crate::report::review::AssignmentReview::new(m, &Default::default())
                });
                api::assignments(m, review, p)
            }
            _ => Err(ApiError::not_found(format!(
                "no API path `{path}` (see docs/openapi.json)"
            ))),
        }
    }
}

/// The server's state: the model being served, swapped whole on reload
struct Served {
    current: RwLock<Arc<Loaded>>,
    snapshot: PathBuf,
    token: Option<String>,
    loopback: bool,
    generation: AtomicU64,
    reloading: tokio::sync::Mutex<()>,
}

impl Served {
    fn current(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Reads the snapshot again and swaps it in; the old one keeps serving
    /// when it fails
    async fn reload(self: &Arc<Self>) -> Result<Arc<Loaded>, String> {
        let _one = self.reloading.lock().await;
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let path = self.snapshot.clone();
        let built = tokio::task::spawn_blocking(move || Loaded::read(&path, generation))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let built = Arc::new(built);
        match self.current.write() {
            Ok(mut c) => *c = Arc::clone(&built),
            Err(poisoned) => *poisoned.into_inner() = Arc::clone(&built),
        }
        Ok(built)
    }
}

/// How to serve
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The snapshot (read again on reload)
    pub snapshot: PathBuf,
    /// Every request must carry this token
    pub token: Option<String>,
    /// Reload when the snapshot file changes (polled every `watch`)
    pub watch: Option<Duration>,
}

/// Serves `loaded` on `listener` until `shutdown` completes
///
/// # Errors
/// Serving fails.
pub async fn serve(
    options: ServeOptions,
    loaded: Loaded,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener.local_addr().map_err(|source| ServeError::Io {
        addr: "?".into(),
        source,
    })?;
    let generation = loaded.generation;
    let served = Arc::new(Served {
        current: RwLock::new(Arc::new(loaded)),
        snapshot: options.snapshot,
        token: options.token,
        loopback: addr.ip().is_loopback(),
        generation: AtomicU64::new(generation),
        reloading: tokio::sync::Mutex::new(()),
    });
    if let Some(every) = options.watch {
        let s = Arc::clone(&served);
        tokio::spawn(async move { watch(s, every).await });
    }
    let app = axum::Router::new().fallback(handle).with_state(served);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServeError::Io {
            addr: addr.to_string(),
            source,
        })
}

/// Reloads when the snapshot's modification time changes (once per
/// change: a file that does not load is not read again until it changes)
async fn watch(s: Arc<Served>, every: Duration) {
    let mut seen = s.current().modified;
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        let now = std::fs::metadata(&s.snapshot)
            .and_then(|m| m.modified())
            .ok();
        if now.is_none() || now == seen {
            continue;
        }
        seen = now;
        if let Err(e) = s.reload().await {
            // The old model keeps serving.
            #[allow(clippy::print_stderr, reason = "the server's log")]
            {
                eprintln!(
                    "serve: {} changed but did not load (still serving the previous one): {e}",
                    s.snapshot.display()
                );
            }
        }
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn error_response(e: &ApiError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(status, &e.body())
}

fn secure(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// The token a request carries: bearer header, cookie, or `?token=`
fn carried_token<'a>(headers: &'a HeaderMap, params: &'a Params) -> Option<&'a str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='));
    bearer.or(cookie).or_else(|| params.get("token"))
}

/// Compares in time independent of where they differ
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((n, port)) if port.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => host,
    };
    matches!(name, "localhost" | "127.0.0.1" | "[::1]") || name.starts_with("127.")
}

async fn handle(State(s): State<Arc<Served>>, req: Request) -> Response {
    secure(respond(&s, req).await)
}

async fn respond(s: &Arc<Served>, req: Request) -> Response {
    let (method, uri, headers) = (
        req.method().clone(),
        req.uri().clone(),
        req.headers().clone(),
    );
    let path = uri.path().to_owned();
    let params = match Params::parse(uri.query().unwrap_or_default()) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    if s.loopback {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !loopback_host(host) {
            return error_response(&ApiError {
                status: 403,
                code: "forbidden-host",
                message: format!("Host `{host}` is not a loopback name: this server answers only for 127.0.0.1 and localhost"),
            });
        }
    }
    let mut set_cookie = None;
    if let Some(token) = &s.token {
        match carried_token(&headers, &params) {
            Some(t) if same(t, token) => {
                if params.get("token").is_some() {
                    set_cookie = Some(format!(
                        "{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
                    ));
                }
            }
            got => {
                return error_response(&ApiError {
                    status: 401,
                    code: "unauthorized",
                    message: if got.is_some() {
                        "the token does not match".into()
                    } else {
                        "this server needs its token: `Authorization: Bearer TOKEN`, or open the URL with `?token=TOKEN` it printed".into()
                    },
                });
            }
        }
    }
    let mut r = route(s, &method, &path, &headers, &params).await;
    if let Some(c) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

async fn route(
    s: &Arc<Served>,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    params: &Params,
) -> Response {
    if path == "/api/reload" {
        if method != Method::POST {
            return method_not_allowed("POST");
        }
        // A page of another site cannot make the browser reload this one.
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default();
            if !origin.ends_with(&format!("//{host}")) {
                return error_response(&ApiError {
                    status: 403,
                    code: "forbidden-origin",
                    message: format!("a reload from origin `{origin}` is refused"),
                });
            }
        }
        return match s.reload().await {
            Ok(l) => json_response(
                StatusCode::OK,
                &serde_json::json!({"reloaded": true, "info": api::info(&l.model, &l.source, &l.loaded_at, l.generation)}),
            ),
            Err(message) => error_response(&ApiError {
                status: 422,
                code: "reload-failed",
                message: format!(
                    "the snapshot did not load; the previous one is still served: {message}"
                ),
            }),
        };
    }
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET");
    }
    let loaded = s.current();
    if path == "/api/who-can.csv" {
        return csv(loaded, params.clone()).await;
    }
    if path.starts_with("/api/") {
        let (path, params) = (path.to_owned(), params.clone());
        let answer = tokio::task::spawn_blocking(move || loaded.api(&path, &params)).await;
        return match answer {
            Ok(Ok(v)) => json_response(StatusCode::OK, &v),
            Ok(Err(e)) => error_response(&e),
            Err(e) => error_response(&ApiError {
                status: 500,
                code: "internal",
                message: format!("the request failed: {e}"),
            }),
        };
    }
    match assets::page(path) {
        Some((content_type, body)) => {
            let mut r = Response::new(Body::from(body));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            r
        }
        None => error_response(&ApiError::not_found(format!("no page `{path}`"))),
    }
}

fn method_not_allowed(allow: &'static str) -> Response {
    let mut r = error_response(&ApiError {
        status: 405,
        code: "method-not-allowed",
        message: format!("this server is read-only: {allow} only here"),
    });
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    r
}

/// A writer that hands its bytes to the response body in chunks
struct Chunks {
    tx: tokio::sync::mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

impl std::io::Write for Chunks {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(chunk)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))
    }
}

/// `GET /api/who-can.csv`: the whole answer as CSV, streamed as it is written
async fn csv(loaded: Arc<Loaded>, params: Params) -> Response {
    let l = Arc::clone(&loaded);
    let p = params.clone();
    let computed = match tokio::task::spawn_blocking(move || l.who_can(&p)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return error_response(&e),
        Err(e) => {
            return error_response(&ApiError {
                status: 500,
                code: "internal",
                message: e.to_string(),
            })
        }
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let mut w = Chunks {
            tx,
            buf: Vec::new(),
        };
        // A client that leaves ends the writing (BrokenPipe); nothing to report.
        if computed.answer.write_csv(loaded.model(), &mut w).is_ok() {
            let _ = w.flush();
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<Bytes, std::io::Error>(b), rx))
    });
    let mut r = Response::new(Body::from_stream(stream));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"who-can.csv\""),
    );
    r
}

/// The address `listen` means, and whether serving there needs a token
///
/// # Errors
/// Not an address (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`).
pub fn parse_listen(listen: &str) -> Result<SocketAddr, String> {
    let listen = listen.replace("localhost", "127.0.0.1");
    listen
        .parse()
        .map_err(|_| format!("--listen `{listen}`: expected IP:PORT (127.0.0.1:8080)"))
}
