//! `accessgraph collect`: a snapshot from a live organization (feature `live`).

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use accessgraph::live::{collect_export, CollectOptions};

use super::Exit;

/// `collect [--profile P] [--region R] [-o FILE]`
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// A profile of the shared AWS config (an `aws configure sso` profile in
    /// the management or delegated administrator account)
    #[arg(long)]
    profile: Option<String>,
    /// The Identity Center home region
    #[arg(long)]
    region: Option<String>,
    /// Where to write the snapshot (atomically)
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        default_value = "accessgraph.json"
    )]
    output: PathBuf,
    /// Keep the raw responses in this folder (the AWS CLI export layout of
    /// docs/export-layout.md) instead of a temporary one
    #[arg(long, value_name = "DIR", conflicts_with = "resume")]
    export_dir: Option<PathBuf>,
    /// Continue an interrupted collection whose responses are in DIR (its
    /// `--export-dir`): every file complete there is read, not fetched again
    #[arg(long, value_name = "DIR")]
    resume: Option<PathBuf>,
    /// Skip the IAM data of each account
    #[arg(long)]
    no_iam: bool,
    /// The role assumed in member accounts to read their IAM data
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    member_role: String,
    /// Only these accounts (id or name)
    #[arg(long = "accounts", value_delimiter = ',')]
    accounts: Vec<String>,
    /// Only accounts below these OUs (id or name)
    #[arg(long = "ou", value_delimiter = ',')]
    ous: Vec<String>,
    /// Calls in flight at once across accounts
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Attempts per call, with adaptive retry on throttling (1 = no retry)
    #[arg(long, default_value_t = 8)]
    max_attempts: u32,
    /// No progress on stderr
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Talk to this endpoint instead of AWS (a local fake AWS such as moto)
    #[arg(long, hide = true)]
    endpoint_url: Option<String>,
}

/// `collect`
pub fn run(args: CollectArgs) -> anyhow::Result<Exit> {
    let opts = CollectOptions {
        profile: args.profile,
        region: args.region,
        endpoint_url: args.endpoint_url,
        no_iam: args.no_iam,
        member_role: args.member_role,
        accounts: args.accounts,
        ous: args.ous,
        concurrency: args.concurrency,
        max_attempts: args.max_attempts,
        resume: args.resume.is_some(),
    };
    let temp;
    if let Some(d) = &args.resume {
        if !d
            .join(accessgraph::load::layout::paths::META_FILE)
            .is_file()
        {
            anyhow::bail!(
                "{}: not a collection to resume (no meta.json; start one with --export-dir)",
                d.display()
            );
        }
    }
    let dir = match args.export_dir.as_ref().or(args.resume.as_ref()) {
        Some(d) => {
            std::fs::create_dir_all(d)
                .with_context(|| format!("failed to create {}", d.display()))?;
            d.clone()
        }
        None => {
            temp = TempDir::new()?;
            temp.0.clone()
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let quiet = args.quiet;
    let outcome = runtime.block_on(async {
        tokio::select! {
            r = collect_export(&opts, &dir, quiet) => r.map(Some),
            _ = tokio::signal::ctrl_c() => Ok(None),
        }
    })?;
    let Some(outcome) = outcome else {
        match args.export_dir.as_ref().or(args.resume.as_ref()) {
            Some(d) => anyhow::bail!(
                "interrupted: no snapshot written ({} untouched); continue with `accessgraph collect --resume {}`",
                args.output.display(),
                d.display()
            ),
            None => anyhow::bail!(
                "interrupted: no snapshot written ({} untouched); with --export-dir an interrupted collection can be resumed",
                args.output.display()
            ),
        }
    };
    if !quiet {
        eprintln!(
            "collect: {} requests{}",
            outcome.requests,
            if outcome.reused > 0 {
                format!(
                    ", {} files complete from the interrupted run",
                    outcome.reused
                )
            } else {
                String::new()
            }
        );
    }
    let errors = outcome.errors;
    let snapshot = accessgraph::load::import::import_dir(&dir)
        .with_context(|| format!("collected responses in {} do not import", dir.display()))?;
    let mut snapshot = snapshot;
    snapshot.provenance.source = format!(
        "collect: AWS SDK{}",
        opts.endpoint_url
            .as_deref()
            .map(|u| format!(" (endpoint {u})"))
            .unwrap_or_default()
    );
    accessgraph::load::write_atomic(&args.output, &snapshot.to_json())?;
    if errors.is_empty() {
        eprintln!("collect: wrote {}", args.output.display());
        Ok(Exit::Ok)
    } else {
        eprintln!(
            "collect: wrote {} with {} failed call(s), recorded in provenance.errors:",
            args.output.display(),
            errors.len()
        );
        for e in &errors {
            eprintln!(
                "  {}{}: {}",
                e.operation,
                e.account_id
                    .as_deref()
                    .map(|a| format!(" in {a}"))
                    .unwrap_or_default(),
                e.message.lines().next().unwrap_or_default()
            );
        }
        Ok(Exit::Partial)
    }
}

/// A temporary folder removed on drop
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let d = std::env::temp_dir().join(format!(
            "accessgraph-collect-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        std::fs::create_dir_all(&d).with_context(|| format!("failed to create {}", d.display()))?;
        Ok(TempDir(d))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
