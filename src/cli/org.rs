//! The organization commands: import, managed-policies, portal, profiles,
//! admins, lint, graph.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};

use accessgraph::data::{managed_policies as bundled, JOB_FUNCTIONS};
use accessgraph::graph::{Model, UserIx};
use accessgraph::load::{import::import_dir, read_snapshot, write_atomic};
use accessgraph::query::lint::{lint as run_lint, LintOptions, Severity, CODES};
use accessgraph::query::{admins as query_admins, check_profiles, portal as query_portal};

use super::{format_name, Exit, Format, Global};

/// `import DIR -o FILE`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export folder written by scripts/export-aws-cli.sh
    dir: PathBuf,
    /// Where to write the snapshot
    #[arg(short, long, value_name = "FILE", default_value = "accessgraph.json")]
    output: PathBuf,
}

/// `generate-org --accounts N --users N --groups N --permission-sets N --seed S -o FILE`
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Member accounts
    #[arg(long, default_value_t = 100)]
    accounts: usize,
    /// Users
    #[arg(long, default_value_t = 2000)]
    users: usize,
    /// Groups
    #[arg(long, default_value_t = 200)]
    groups: usize,
    /// Permission sets
    #[arg(long, default_value_t = 50)]
    permission_sets: usize,
    /// Seed
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Hub accounts with deploy roles trusted across the organization (role chains)
    #[arg(long, default_value_t = 0)]
    hubs: usize,
    /// Where to write the snapshot
    #[arg(short, long, value_name = "FILE", default_value = "accessgraph.json")]
    output: PathBuf,
}

pub fn generate(args: GenerateArgs) -> anyhow::Result<Exit> {
    if args.accounts == 0 || args.users == 0 || args.permission_sets == 0 {
        bail!("--accounts, --users and --permission-sets must be at least 1");
    }
    let snap = accessgraph::synth::generate(accessgraph::synth::Params {
        accounts: args.accounts,
        users: args.users,
        groups: args.groups,
        permission_sets: args.permission_sets,
        seed: args.seed,
        hubs: args.hubs,
    });
    write_atomic(&args.output, &snap.to_json())?;
    eprintln!(
        "{} written to {}",
        snap.provenance.source,
        args.output.display()
    );
    Ok(Exit::Ok)
}

/// `managed-policies [--job-function] [show NAME]`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ManagedPoliciesArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Csv]))]
    pub(super) format: super::Format,
    /// Only the policies Identity Center offers as predefined permission sets
    #[arg(long)]
    job_function: bool,
    #[command(subcommand)]
    show: Option<ShowCommand>,
}

#[derive(Debug, Subcommand)]
enum ShowCommand {
    /// Print one policy's document (by name, `job-function/NAME` or ARN)
    Show {
        /// Name or ARN
        name: String,
    },
}

/// `admins`
#[derive(Debug, Args)]
pub struct AdminsArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json]))]
    pub(super) format: super::Format,
}

/// A user argument
#[derive(Debug, Args)]
pub struct UserArg {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Csv]))]
    pub(super) format: super::Format,
    /// User name, email or identity store id
    user: String,
}

/// `who-has APPLICATION`
#[derive(Debug, Args)]
pub struct WhoHasArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Csv]))]
    pub(super) format: super::Format,
    /// List disabled users too (flagged)
    #[arg(long)]
    include_disabled: bool,
    /// The application: its name, ARN or id (`apl-...`), or an account
    /// access manager application's ARN or id
    application: String,
}

/// `profiles USER` or `profiles check --config FILE --user USER`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ProfilesArgs {
    /// Output format
    #[arg(long, default_value = "table", global = true, value_parser = super::Formats(&[Format::Table, Format::Json]))]
    pub(super) format: super::Format,
    /// User name, email or identity store id
    user: Option<String>,
    /// Also write `role_arn` + `source_profile` profiles for the roles one
    /// `sts:AssumeRole` away from the user's SSO profiles
    #[arg(long)]
    chained: bool,
    /// Profile name template: `{account_name}` (the account's name as a
    /// slug, unique in the organization), `{account_id}`, `{role_name}`,
    /// `{region}`, `{sso_session}`, or granted's `{{ .AccountName }}`,
    /// `{{ .AccountID }}`, `{{ .RoleName }}`. Names it gives several
    /// profiles get `-<account id>` (then the role, then a number), said in
    /// the file and on stderr
    #[arg(long, value_name = "TEMPLATE", default_value = accessgraph::query::DEFAULT_PROFILE_NAME)]
    name: String,
    /// The `region` of every profile (default: the Identity Center home region)
    #[arg(long)]
    region: Option<String>,
    #[command(subcommand)]
    check: Option<ProfilesCommand>,
}

#[derive(Debug, Subcommand)]
enum ProfilesCommand {
    /// Check every SSO profile of an AWS config file against the user's assignments
    Check {
        /// The AWS config file
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// User name, email or identity store id
        #[arg(long)]
        user: String,
    },
}

/// `lint`
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Output format
    #[arg(long, default_value = "table", value_parser = super::Formats(&[Format::Table, Format::Json, Format::Csv]))]
    pub(super) format: super::Format,
    /// Flag sessions longer than this many hours
    #[arg(long, default_value_t = 8.0)]
    max_session_hours: f64,
    /// Exit 1 when a finding is at least this severe
    #[arg(long, value_enum, default_value = "low")]
    fail_on: FailOn,
    /// Print the documentation of a code and exit
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
}

/// The lowest severity that fails
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any finding
    Low,
    /// Medium or high
    Medium,
    /// High only
    High,
}

/// `graph --format dot [--user U]`
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Output format
    #[arg(long, default_value = "dot", value_parser = super::Formats(&[Format::Dot]))]
    pub(super) format: super::Format,
    /// Only this user's access
    #[arg(long)]
    user: Option<String>,
    /// Draw `sts:AssumeRole` trust edges up to N hops (0: none)
    #[arg(long, value_name = "N", default_value_t = accessgraph::who::chain::DEFAULT_MAX_HOPS, value_parser = super::max_hops)]
    max_hops: usize,
}

pub(super) fn load(g: &Global) -> anyhow::Result<Model> {
    let snap = read_snapshot(&g.snapshot)?;
    Model::build(snap)
        .with_context(|| format!("{}: invalid policy in the snapshot", g.snapshot.display()))
}

fn find_user(model: &Model, key: &str, snapshot: &Path) -> anyhow::Result<UserIx> {
    accessgraph::query::lookup::user(model, key).with_context(|| snapshot.display().to_string())
}

pub(super) fn out() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

pub(super) use accessgraph::report::tabular::table;

fn only(format: Format, allowed: &[Format], what: &str) -> anyhow::Result<()> {
    if !allowed.contains(&format) {
        let names: Vec<&str> = allowed.iter().map(|f| format_name(*f)).collect();
        bail!(
            "{what} prints {}, not `{}`",
            names.join(" or "),
            format_name(format)
        );
    }
    Ok(())
}

/// CSV of a command's rows, through the report writer: every cell that a
/// spreadsheet would run as a formula is neutralized
pub(super) fn csv_rows<W: Write>(
    w: W,
    header: &[&str],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    accessgraph::report::tabular::write_csv(w, header, rows)?;
    Ok(())
}

pub fn import(args: ImportArgs) -> anyhow::Result<Exit> {
    let snap = import_dir(&args.dir)?;
    write_atomic(&args.output, &snap.to_json())?;
    let org = snap.organization.as_ref();
    eprintln!(
        "imported {} accounts, {} users, {} groups, {} permission sets, {} assignments into {}",
        org.map_or(0, |o| o.accounts.len()),
        snap.users.len(),
        snap.groups.len(),
        snap.permission_sets.len(),
        snap.assignments.len(),
        args.output.display()
    );
    if !snap.provenance.errors.is_empty() {
        eprintln!("the export recorded {} failed call(s); they are listed in the snapshot's provenance.errors", snap.provenance.errors.len());
    }
    Ok(Exit::Ok)
}

pub fn managed_policies(args: ManagedPoliciesArgs, g: &Global) -> anyhow::Result<Exit> {
    let m = bundled();
    let mut w = out();
    if let Some(ShowCommand::Show { name }) = args.show {
        let (arn, p) = m.find(&name).with_context(|| {
            format!(
                "no AWS managed policy `{name}` in the bundled data ({})",
                m.source
            )
        })?;
        match g.format {
            Format::Json | Format::Table => {
                writeln!(
                    w,
                    "{}",
                    serde_json::to_string_pretty(&p.document.to_serde())?
                )?;
                eprintln!("{arn} {} (from {})", p.version, m.source);
            }
            other => bail!(
                "managed-policies show prints the document as JSON, not `{}`",
                format_name(other)
            ),
        }
        return Ok(Exit::Ok);
    }
    only(
        g.format,
        &[Format::Table, Format::Json, Format::Csv],
        "managed-policies",
    )?;
    let rows: Vec<Vec<String>> = m
        .policies
        .iter()
        .filter(|(arn, _)| !args.job_function || JOB_FUNCTIONS.contains(&arn.as_str()))
        .map(|(arn, p)| {
            vec![
                p.name.clone(),
                arn.clone(),
                p.version.clone(),
                p.updated.clone(),
            ]
        })
        .collect();
    let header = ["name", "arn", "version", "updated"];
    match g.format {
        Format::Json => {
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| serde_json::json!({"name": r[0], "arn": r[1], "version": r[2], "updated": r[3]}))
                .collect();
            writeln!(w, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Format::Csv => csv_rows(&mut w, &header, &rows)?,
        _ => {
            let mut t = table(&header);
            for r in rows {
                t.add_row(r);
            }
            writeln!(w, "{t}")?;
        }
    }
    Ok(Exit::Ok)
}

pub fn portal(args: UserArg, g: &Global) -> anyhow::Result<Exit> {
    only(
        g.format,
        &[Format::Table, Format::Json, Format::Csv],
        "portal",
    )?;
    let model = load(g)?;
    let u = find_user(&model, &args.user, &g.snapshot)?;
    let p = query_portal(&model, u);
    let mut w = out();
    accessgraph::report::org::write_portal(&mut w, g.format, &p)?;
    w.flush()?;
    Ok(Exit::Ok)
}

pub fn who_has(args: WhoHasArgs, g: &Global) -> anyhow::Result<Exit> {
    let model = load(g)?;
    let snap = model.snapshot();
    let Some(w) =
        accessgraph::query::applications::who_has(&model, &args.application, args.include_disabled)
    else {
        if snap.applications.is_none() && snap.account_access.is_none() {
            bail!(
                "{}: this snapshot does not record applications (format {}); collect or import again",
                g.snapshot.display(),
                snap.format_version
            );
        }
        let mut names: Vec<String> = snap
            .applications
            .iter()
            .flatten()
            .map(|a| a.name.clone())
            .chain(
                snap.account_access
                    .iter()
                    .flat_map(|aa| &aa.applications)
                    .map(|a| a.short_id().to_owned()),
            )
            .collect();
        names.sort();
        bail!(
            "{}: no application `{}` (applications: {})",
            g.snapshot.display(),
            args.application,
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        );
    };
    let mut w_out = out();
    accessgraph::report::org::write_who_has(&mut w_out, g.format, &w)?;
    w_out.flush()?;
    Ok(if w.users.is_empty() {
        Exit::Fail
    } else {
        Exit::Ok
    })
}

pub fn profiles(args: ProfilesArgs, g: &Global) -> anyhow::Result<Exit> {
    let model = load(g)?;
    let mut w = out();
    match (args.check, args.user) {
        (Some(ProfilesCommand::Check { config, user }), _) => {
            only(g.format, &[Format::Table, Format::Json], "profiles check")?;
            let u = find_user(&model, &user, &g.snapshot)?;
            let text = std::fs::read_to_string(&config)
                .with_context(|| format!("failed to read AWS config {}", config.display()))?;
            let checks = check_profiles(&model, u, &text);
            accessgraph::report::org::write_profile_checks(&mut w, g.format, &checks)?;
            w.flush()?;
            let failing = checks.iter().filter(|c| c.status == "no-access").count();
            let denied = checks
                .iter()
                .filter(|c| matches!(c.status, "assume-denied" | "unknown-role"))
                .count();
            if failing > 0 {
                eprintln!("{failing} profile(s) would fail with ForbiddenException (No access)");
            }
            if denied > 0 {
                eprintln!("{denied} role profile(s) would fail to assume their role");
            }
            if failing + denied > 0 {
                return Ok(Exit::Fail);
            }
            Ok(Exit::Ok)
        }
        (None, Some(user)) => {
            only(g.format, &[Format::Table], "profiles (AWS config text)")?;
            let opts = accessgraph::query::ProfileOptions {
                name: accessgraph::query::NameTemplate::parse(&args.name)?,
                region: args
                    .region
                    .map(|r| accessgraph::query::region_name(&r))
                    .transpose()?,
                chained: args.chained,
            };
            let u = find_user(&model, &user, &g.snapshot)?;
            let config = accessgraph::query::profiles_with(&model, u, &opts);
            for (name, unique) in &config.renamed {
                eprintln!(
                    "profiles: `{name}` would name {} profiles; named {} instead",
                    unique.len(),
                    unique.join(", ")
                );
            }
            write!(w, "{}", config.text)?;
            Ok(Exit::Ok)
        }
        (None, None) => {
            bail!("profiles needs a USER, or `profiles check --config FILE --user USER`")
        }
    }
}

pub fn admins(g: &Global) -> anyhow::Result<Exit> {
    only(g.format, &[Format::Table, Format::Json], "admins")?;
    let model = load(g)?;
    let a = query_admins(&model);
    let mut w = out();
    accessgraph::report::org::write_admins(&mut w, g.format, &a)?;
    w.flush()?;
    Ok(Exit::Ok)
}

pub fn lint(args: LintArgs, g: &Global) -> anyhow::Result<Exit> {
    let mut w = out();
    if let Some(code) = args.explain {
        let d = accessgraph::query::lint::explain(&code).with_context(|| {
            let all: Vec<&str> = CODES.iter().map(|c| c.code).collect();
            format!(
                "unknown lint code `{code}`; the codes are: {} (and the checks of `accessgraph validate`, at error, security-warning and warning)",
                all.join(", ")
            )
        })?;
        writeln!(
            w,
            "{} ({})\n\nWhat it finds: {}\nWhy it matters: {}\nFix: {}",
            d.code,
            d.severity.as_str(),
            d.what,
            d.why,
            d.fix
        )?;
        return Ok(Exit::Ok);
    }
    only(
        g.format,
        &[Format::Table, Format::Json, Format::Csv],
        "lint",
    )?;
    if !args.max_session_hours.is_finite() || args.max_session_hours <= 0.0 {
        bail!("--max-session-hours must be positive");
    }
    let model = load(g)?;
    let findings = run_lint(
        &model,
        LintOptions {
            max_session_seconds: (args.max_session_hours * 3600.0) as u64,
        },
    );
    accessgraph::report::org::write_lint(&mut w, g.format, &findings)?;
    w.flush()?;
    let threshold = match args.fail_on {
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
    };
    Ok(if findings.iter().any(|f| f.severity >= threshold) {
        Exit::Fail
    } else {
        Exit::Ok
    })
}

pub fn graph(args: GraphArgs, g: &Global) -> anyhow::Result<Exit> {
    only(g.format, &[Format::Dot], "graph")?;
    let model = load(g)?;
    let user = match &args.user {
        Some(u) => Some(find_user(&model, u, &g.snapshot)?),
        None => None,
    };
    let mut w = out();
    let trust = accessgraph::who::chain::trust_edges(&model, user, args.max_hops);
    write!(
        w,
        "{}",
        accessgraph::report::dot::render(&model, user, &trust)
    )?;
    Ok(Exit::Ok)
}
