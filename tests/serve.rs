//! `accessgraph serve` as its clients see it: the binary started on a free
//! loopback port, spoken to over HTTP/1.1. The API against
//! docs/openapi.json (every route documented, every documented answer
//! valid against its schema), bad input, the token, reloads, and a
//! snapshot that does not load. The pages are tested in a browser by
//! scripts/test-browser.sh.
#![cfg(feature = "serve")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_accessgraph");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/{name}/snapshot.json"))
}

/// A running server, stopped when dropped
struct Server {
    child: Child,
    /// `127.0.0.1:port`
    addr: String,
    /// The URL it printed
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(snapshot: &Path, args: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .arg("--snapshot")
        .arg(snapshot)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    let port = url
        .split("://")
        .nth(1)
        .and_then(|h| h.split('/').next())
        .and_then(|h| h.rsplit(':').next())
        .unwrap_or_else(|| panic!("no URL printed: `{url}`"))
        .to_owned();
    Server {
        child,
        addr: format!("127.0.0.1:{port}"),
        url,
    }
}

/// A fixture's snapshot served on a free loopback port, not watched
fn on_loopback(fixture_name: &str) -> Server {
    start(
        &fixture(fixture_name),
        &["--listen", "127.0.0.1:0", "--no-watch"],
    )
}

/// One response: status, headers (lower-case names), body
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn request(addr: &str, method: &str, target: &str, extra: &[(&str, &str)]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if method == "POST" {
        head.push_str("Content-Length: 0\r\n");
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v == "chunked")
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + size]);
        b = &b[end + 2 + size + 2..];
    }
}

fn get(addr: &str, target: &str) -> Reply {
    request(addr, "GET", target, &[])
}

fn openapi() -> Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_openapi_file_documents_every_api_route_and_no_other() {
    let doc = openapi();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = accessgraph::serve::ROUTES
        .iter()
        .filter(|(_, p)| p.starts_with("/api/"))
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    served.sort();
    assert_eq!(documented, served);
}

/// The schema of a documented answer, as a JSON Schema over the whole
/// document (so its `$ref`s resolve)
fn response_schema(doc: &Value, path: &str, method: &str, status: &str) -> Value {
    let pointer = format!(
        "#/paths/{}/{method}/responses/{status}/content/application~1json/schema",
        path.replace('~', "~0")
            .replace('/', "~1")
            .replace('{', "%7B")
            .replace('}', "%7D")
    );
    let mut root = doc.clone();
    root["$ref"] = Value::String(pointer);
    root
}

fn check_schema(doc: &Value, path: &str, status: &str, reply: &Reply) {
    let schema = response_schema(doc, path, "get", status);
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let body = reply.json();
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{path}: {errors:?}\n{body}");
}

#[test]
fn every_documented_answer_is_valid_against_its_schema() {
    let doc = openapi();
    let server = on_loopback("acme");
    let a = &server.addr;
    // One real request per documented GET path.
    let calls: &[(&str, &str)] = &[
        ("/api/info", "/api/info"),
        ("/api/users", "/api/users?q=carlos"),
        ("/api/users/{user}", "/api/users/carlos.mendes%40acme.example"),
        ("/api/users/{user}/portal", "/api/users/carlos.mendes%40acme.example/portal"),
        ("/api/users/{user}/profiles", "/api/users/carlos.mendes%40acme.example/profiles"),
        ("/api/users/{user}/graph", "/api/users/liam.oconnor%40acme.example/graph"),
        ("/api/who-can", "/api/who-can?action=kms:Decrypt&sort=account&order=desc&limit=5"),
        ("/api/what-can", "/api/what-can?who=carlos.mendes%40acme.example&service=kms"),
        ("/api/simulate", "/api/simulate?user=carlos.mendes%40acme.example&account=acme-data-prod&action=kms:Decrypt"),
        ("/api/permission-sets", "/api/permission-sets"),
        ("/api/permission-sets/{name}", "/api/permission-sets/DataEngineer"),
        ("/api/admins", "/api/admins"),
        ("/api/lint", "/api/lint"),
        ("/api/lint/{code}", "/api/lint/direct-user-assignment"),
        ("/api/reports/assignments", "/api/reports/assignments?limit=3"),
    ];
    let mut covered: Vec<&str> = calls.iter().map(|(p, _)| *p).collect();
    covered.push("/api/who-can.csv");
    covered.push("/api/reload");
    covered.sort_unstable();
    let mut all: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    all.sort_unstable();
    assert_eq!(covered, all, "every documented path has a request here");
    for (path, target) in calls {
        let r = get(a, target);
        assert_eq!(
            r.status,
            200,
            "{target}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r
            .header("content-security-policy")
            .is_some_and(|c| c.contains("default-src 'none'")));
        check_schema(&doc, path, "200", &r);
    }
    // why: SandboxAdmin's session is PT12H, over lint's default 8 hours
    // (long-session); DataEngineer (PT8H, no finding about it) has none.
    let sandbox = get(a, "/api/permission-sets/SandboxAdmin").json();
    let codes: Vec<&str> = sandbox["lint"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["long-session"]);
    assert_eq!(
        get(a, "/api/permission-sets/DataEngineer").json()["lint"],
        serde_json::json!([])
    );
    // Errors follow the documented shape too.
    let r = get(a, "/api/users/nobody/portal");
    assert_eq!(r.status, 404);
    check_schema(&doc, "/api/users/{user}/portal", "404", &r);
}

#[test]
fn answers_are_the_ones_worked_out_from_the_cookbook() {
    let server = on_loopback("cookbook");
    let a = &server.addr;
    // why: the one assignment (GROUP awsseccbadmins -> AdministratorAccess
    // on aws-sec-cookbook-1) plus the two OrganizationAccountAccessRole
    // roles of the IAM data, each with AdministratorAccess.
    let page = get(a, "/api/who-can?action=s3:ListBucket").json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["principals"], 3);
    let first = &page["rows"][0];
    assert_eq!(first["principal"], "awsseccbadmin1");
    assert_eq!(first["via"], "group:awsseccbadmins");
    assert_eq!(first["permission_set"], "AdministratorAccess");
    assert_eq!(first["account_name"], "aws-sec-cookbook-1");
    assert_eq!(first["decision"], "allow");
    // Filtered: only the two roles; sorted by account, descending: the
    // security account (aws-sec-cookbook-security > aws-sec-cookbook-1) first.
    let roles = get(a, "/api/who-can?action=s3:ListBucket&filter=OrganizationAccountAccess&sort=account&order=desc").json();
    assert_eq!(roles["total"], 2);
    assert_eq!(roles["answer_total"], 3);
    assert_eq!(
        roles["rows"][0]["account_name"],
        "aws-sec-cookbook-security"
    );
    // Paged: the second row alone.
    let second = get(a, "/api/who-can?action=s3:ListBucket&offset=1&limit=1").json();
    assert_eq!(second["rows"].as_array().unwrap().len(), 1);
    assert_eq!(
        second["rows"][0]["principal"],
        "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"
    );
    // The CSV is the CLI's, whole.
    let csv = get(a, "/api/who-can.csv?action=s3:ListBucket");
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let cli = Command::new(BIN)
        .arg("--snapshot")
        .arg(fixture("cookbook"))
        .args(["who-can", "s3:ListBucket", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&csv.body),
        String::from_utf8_lossy(&cli.stdout)
    );
    // The portal: one account, one role, through the group; no applications.
    let portal = get(a, "/api/users/awsseccbadmin1/portal").json();
    assert_eq!(portal["entries"].as_array().unwrap().len(), 1);
    assert_eq!(portal["entries"][0]["account_name"], "aws-sec-cookbook-1");
    assert_eq!(portal["entries"][0]["role_name"], "AdministratorAccess");
    assert_eq!(portal["applications"], serde_json::json!([]));
    assert_eq!(
        portal["applications_message"],
        "You do not have any applications"
    );
    // Unassigned account: no path, the portal's and the SDK's words.
    let sim = get(
        a,
        "/api/simulate?user=awsseccbadmin1&account=aws-sec-cookbook-security&action=s3:ListBucket",
    )
    .json();
    assert_eq!(sim["paths"], serde_json::json!([]));
    assert!(sim["message"]
        .as_str()
        .unwrap()
        .contains("ForbiddenException (No access)"));
}

#[test]
fn bad_input_is_a_json_4xx_and_the_server_keeps_serving() {
    let server = on_loopback("cookbook");
    let a = &server.addr;
    let huge = format!(
        "/api/who-can?action=s3:GetObject&context=aws:SourceIp={}",
        "1".repeat(20_000)
    );
    let cases: &[(&str, &str, u16, &str, &str)] = &[
        (
            "GET",
            "/api/users/nobody/portal",
            404,
            "not-found",
            "no user `nobody`",
        ),
        (
            "GET",
            "/users/../../etc/passwd",
            404,
            "not-found",
            "no page",
        ),
        (
            "GET",
            "/api/who-can?action=s3:GetObjekt",
            400,
            "bad-request",
            "unknown action `s3:GetObjekt`",
        ),
        (
            "GET",
            "/api/who-can?action=nope",
            400,
            "bad-request",
            "nope",
        ),
        (
            "GET",
            "/api/who-can",
            400,
            "bad-request",
            "parameter `action` is required",
        ),
        ("GET", &huge, 400, "bad-request", "at most 8192 are read"),
        (
            "GET",
            "/api/who-can?action=s3:GetObject&limit=5000",
            400,
            "bad-request",
            "`limit` is at most 1000",
        ),
        (
            "GET",
            "/api/who-can?action=s3:GetObject&offset=-1",
            400,
            "bad-request",
            "must be a number",
        ),
        (
            "GET",
            "/api/who-can?action=s3:GetObject&sort=color",
            400,
            "bad-request",
            "sort is principal",
        ),
        (
            "GET",
            "/api/who-can?action=s3:GetObject&context=novalue",
            400,
            "bad-request",
            "expected KEY=VALUE",
        ),
        (
            "GET",
            "/api/who-can?action=s3:GetObject&context=aws:TagKeys=[1,",
            400,
            "bad-request",
            "invalid JSON array",
        ),
        (
            "GET",
            "/api/who-can?action=s3:GetObject&account=nowhere",
            404,
            "not-found",
            "no account or OU `nowhere`",
        ),
        (
            "GET",
            "/api/who-can?action=s3:GetObject&max_hops=11",
            400,
            "bad-request",
            "`max_hops` is at most 10",
        ),
        (
            "GET",
            "/api/who-can?action=%FF",
            400,
            "bad-request",
            "not UTF-8",
        ),
        (
            "GET",
            "/api/what-can",
            400,
            "bad-request",
            "parameter `who` is required",
        ),
        (
            "GET",
            "/api/simulate?user=awsseccbadmin1&account=aws-sec-cookbook-1&action=s3:*",
            400,
            "bad-request",
            "simulate takes one action",
        ),
        ("GET", "/api/nothing", 404, "not-found", "no API path"),
        (
            "GET",
            "/api/lint/no-such-code",
            404,
            "not-found",
            "no lint code",
        ),
        (
            "DELETE",
            "/api/info",
            405,
            "method-not-allowed",
            "read-only",
        ),
        ("POST", "/api/info", 405, "method-not-allowed", "read-only"),
        ("GET", "/api/reload", 405, "method-not-allowed", "POST only"),
    ];
    for (method, target, status, code, says) in cases {
        let r = request(a, method, target, &[]);
        let shown = &target[..target.len().min(80)];
        assert_eq!(
            r.status,
            *status,
            "{method} {shown}: {}",
            String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
        );
        let body = r.json();
        assert_eq!(body["error"]["code"], *code, "{method} {shown}");
        assert_eq!(body["error"]["status"], *status);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(says),
            "{method} {shown}: `{message}` does not say `{says}`"
        );
    }
    // Another site's name for this server (DNS rebinding) is refused.
    let mut s = TcpStream::connect(a).unwrap();
    s.write_all(b"GET /api/info HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 403"), "{raw}");
    assert!(raw.contains("forbidden-host"), "{raw}");
    // Still serving.
    assert_eq!(get(a, "/api/info").status, 200);
}

#[test]
fn off_loopback_every_request_needs_the_token() {
    let token = "0123456789abcdef-test-token";
    let server = start(
        &fixture("cookbook"),
        &["--listen", "0.0.0.0:0", "--no-watch", "--token", token],
    );
    let a = &server.addr;
    assert!(
        server.url.ends_with(&format!("/?token={token}")),
        "{}",
        server.url
    );
    for target in ["/api/info", "/", "/assets/app.js"] {
        let r = get(a, target);
        assert_eq!(r.status, 401, "{target}");
        assert_eq!(r.json()["error"]["code"], "unauthorized");
    }
    let wrong = request(
        a,
        "GET",
        "/api/info",
        &[("Authorization", "Bearer 0123456789abcdef-test-tokex")],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("does not match"));
    let bearer = request(
        a,
        "GET",
        "/api/info",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(bearer.status, 200);
    // The printed URL sets the cookie the pages' requests then carry.
    let first = get(a, &format!("/?token={token}"));
    assert_eq!(first.status, 200);
    let cookie = first.header("set-cookie").unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    assert_eq!(
        request(a, "GET", "/api/info", &[("Cookie", pair)]).status,
        200
    );
    // Without --token off loopback, one is generated and printed once.
    let generated = start(
        &fixture("cookbook"),
        &["--listen", "0.0.0.0:0", "--no-watch"],
    );
    let t = generated.url.split("?token=").nth(1).unwrap();
    assert_eq!(t.len(), 32);
    assert_eq!(get(&generated.addr, "/api/info").status, 401);
    assert_eq!(
        get(&generated.addr, &format!("/api/info?token={t}")).status,
        200
    );
}

fn write_atomically(path: &Path, from: &Path) {
    let tmp = path.with_extension("tmp");
    std::fs::copy(from, &tmp).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn a_reload_swaps_the_whole_model_and_a_broken_file_keeps_the_old_one() {
    let dir = std::env::temp_dir().join(format!("accessgraph-serve-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let snap = dir.join("snapshot.json");
    std::fs::copy(fixture("cookbook"), &snap).unwrap();
    let server = start(&snap, &["--listen", "127.0.0.1:0", "--no-watch"]);
    let a = &server.addr;
    assert_eq!(get(a, "/api/info").json()["users"], 1);
    // Kept answers belong to their model: after the reload who-can is acme's.
    assert_eq!(
        get(a, "/api/who-can?action=s3:ListBucket").json()["total"],
        3
    );
    write_atomically(&snap, &fixture("acme"));
    let r = request(a, "POST", "/api/reload", &[]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["info"]["users"], 33);
    assert_eq!(r.json()["info"]["generation"], 2);
    assert_ne!(
        get(a, "/api/who-can?action=s3:ListBucket").json()["total"],
        3
    );
    // A broken file: 422 naming it, and acme is still served.
    std::fs::write(&snap, "{\"format_version\": 1, \"users\": [").unwrap();
    let r = request(a, "POST", "/api/reload", &[]);
    assert_eq!(r.status, 422);
    let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("snapshot.json"), "{message}");
    assert!(
        message.contains("previous one is still served"),
        "{message}"
    );
    assert_eq!(get(a, "/api/info").json()["users"], 33);
    // From another origin, refused.
    let r = request(
        a,
        "POST",
        "/api/reload",
        &[("Origin", "http://attacker.example")],
    );
    assert_eq!(r.status, 403);
    drop(server);
    // Watching: a changed file is picked up without a request.
    write_atomically(&snap, &fixture("cookbook"));
    let watched = start(&snap, &["--listen", "127.0.0.1:0"]);
    assert_eq!(get(&watched.addr, "/api/info").json()["generation"], 1);
    std::thread::sleep(Duration::from_millis(1100));
    write_atomically(&snap, &fixture("acme"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let info = get(&watched.addr, "/api/info").json();
        if info["users"] == 33 {
            assert_eq!(info["generation"], 2);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the change was not picked up: {info}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(watched);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_snapshot_that_does_not_load_exits_2_before_serving() {
    let dir = std::env::temp_dir().join(format!("accessgraph-serve-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("broken.json");
    std::fs::write(&bad, "{\"format_version\": 1,").unwrap();
    let out = Command::new(BIN)
        .arg("--snapshot")
        .arg(&bad)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no URL is printed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json"), "{err}");
    let out = Command::new(BIN)
        .arg("--snapshot")
        .arg(&bad)
        .args(["serve", "--listen", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected IP:PORT"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_c_shuts_the_server_down_cleanly() {
    let mut server = on_loopback("cookbook");
    assert_eq!(get(&server.addr, "/api/info").status, 200);
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "a clean shutdown exits 0");
    assert!(
        TcpStream::connect(&server.addr).is_err(),
        "no longer listening"
    );
}
