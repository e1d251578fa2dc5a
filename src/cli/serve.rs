//! `serve`: the organization's access in a browser, from one loaded model.

use std::time::Duration;

use anyhow::{bail, Context as _};
use clap::Args;

use accessgraph::serve::{parse_listen, serve, Loaded, ServeOptions};

use super::{Exit, Global};

/// `serve [--listen 127.0.0.1:8080] [--token T] [--open] [--no-watch]`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen: loopback by default; any other address needs a token
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    listen: String,
    /// Every request must carry this token; on a non-loopback address
    /// without it, one is generated and printed once
    #[arg(long, env = "ACCESSGRAPH_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Open the URL in the default browser
    #[arg(long)]
    open: bool,
    /// Do not reload when the snapshot file changes (`POST /api/reload` still does)
    #[arg(long)]
    no_watch: bool,
}

/// 16 random bytes from the OS, as hex
fn generated_token() -> anyhow::Result<String> {
    use std::io::Read as _;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("generating a token: /dev/urandom could not be read (pass --token)")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn run(args: ServeArgs, g: &Global) -> anyhow::Result<Exit> {
    let addr = parse_listen(&args.listen).map_err(anyhow::Error::msg)?;
    let mut token = args.token.filter(|t| !t.is_empty());
    let mut generated = false;
    if !addr.ip().is_loopback() && token.is_none() {
        token = Some(generated_token()?);
        generated = true;
    }
    if token.as_ref().is_some_and(|t| t.len() < 16) {
        bail!("--token must be at least 16 characters");
    }
    // Loaded before listening: a snapshot that does not load exits 2 here.
    let loaded = Loaded::read(&g.snapshot, 1)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        let host = if bound.ip().is_loopback() && bound.is_ipv4() {
            format!("127.0.0.1:{}", bound.port())
        } else {
            bound.to_string()
        };
        let url = match &token {
            Some(t) => format!("http://{host}/?token={t}"),
            None => format!("http://{host}/"),
        };
        let m = loaded.model();
        eprintln!(
            "serve: {} ({} users, {} accounts, {} permission sets)",
            g.snapshot.display(),
            m.snapshot().users.len(),
            m.accounts().len(),
            m.snapshot().permission_sets.len()
        );
        if generated {
            eprintln!("serve: generated a token for {addr} (shown once; every request needs it)");
        }
        // The URL on stdout, alone on its line: scripts read it from there.
        println!("{url}");
        if args.open {
            let opener = if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            };
            if let Err(e) = std::process::Command::new(opener).arg(&url).spawn() {
                eprintln!("serve: --open: {opener} failed ({e}); open {url} yourself");
            }
        }
        let options = ServeOptions {
            snapshot: g.snapshot.clone(),
            token,
            watch: (!args.no_watch).then_some(Duration::from_secs(2)),
        };
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
            eprintln!("serve: shutting down");
        };
        serve(options, loaded, listener, shutdown).await?;
        anyhow::Ok(())
    })?;
    Ok(Exit::Ok)
}
