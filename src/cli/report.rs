//! `accessgraph report assignments|access|permission-sets|applications`: access reviews.

use std::collections::BTreeSet;
use std::io::Write;

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};

use accessgraph::graph::Model;
use accessgraph::report::review::{
    access_rows, application_rows, permission_set_rows, sso_util_rows, AssignmentReview,
    ReviewFilter, ACCESS_HEADER, APPLICATION_HEADER, ASSIGNMENT_HEADER, PERMISSION_SET_HEADER,
    SSO_UTIL_HEADER,
};
use accessgraph::report::review::{write_rows, Document};
use accessgraph::who::{who_can, WhoCanQuery};

use super::org::{load, out};
use super::who::{parse_context, spinner};
use super::{format_name, Exit, Format, Global};
use accessgraph::query::lookup;

/// `report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, default_value = "table", global = true, value_parser = super::Formats(&[Format::Table, Format::Csv, Format::Json, Format::Markdown, Format::Html]))]
    pub(super) format: super::Format,
    #[command(subcommand)]
    kind: ReportKind,
}

#[derive(Debug, Subcommand)]
enum ReportKind {
    /// One row per user x account x permission set x access path (groups
    /// expanded), with empty review columns
    Assignments(AssignmentsArgs),
    /// The who-can rows for ACTION... as a review
    Access(AccessArgs),
    /// One row per permission set: policies, access summary, reach
    PermissionSets(FilterArgs),
    /// One row per application (Identity Center and account access
    /// manager): how it is assigned, the users it reaches
    Applications,
}

/// Filters shared by the reports
#[derive(Debug, Args)]
struct FilterArgs {
    /// Only these accounts: id or name
    #[arg(long = "account", value_name = "ID|NAME")]
    accounts: Vec<String>,
    /// Only accounts below these OUs: id or name
    #[arg(long = "ou", value_name = "ID|NAME")]
    ous: Vec<String>,
    /// Only these users: user name, email or id
    #[arg(long = "user")]
    users: Vec<String>,
    /// Only access through these groups: name or id
    #[arg(long = "group")]
    groups: Vec<String>,
    /// Only these permission sets: name or ARN
    #[arg(long = "permission-set")]
    permission_sets: Vec<String>,
    /// Only privileged grants (admin, power user, identity permissions management)
    #[arg(long)]
    privileged_only: bool,
}

#[derive(Debug, Args)]
struct AssignmentsArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Column layout
    #[arg(long, value_enum, default_value = "accessgraph")]
    layout: Layout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Layout {
    /// The full review layout (docs/reports.md)
    Accessgraph,
    /// The 9 columns of aws-sso-util's assignment listing, one row per assignment
    AwsSsoUtil,
}

#[derive(Debug, Args)]
struct AccessArgs {
    /// Actions (`s3:GetObject`), wildcards allowed
    #[arg(required = true)]
    actions: Vec<String>,
    /// The resource ARN; without it, "on some resource"
    #[arg(long)]
    resource: Option<String>,
    /// Only these accounts: id, name, or an OU
    #[arg(long = "account", value_name = "ID|NAME|OU")]
    accounts: Vec<String>,
    /// Fix a condition key (`KEY=VALUE`)
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Include disabled users
    #[arg(long)]
    include_disabled: bool,
    /// Follow `sts:AssumeRole` role chains up to N hops (0: no chains)
    #[arg(long, value_name = "N", default_value_t = accessgraph::who::chain::DEFAULT_MAX_HOPS, value_parser = super::max_hops)]
    max_hops: usize,
}

fn resolve(model: &Model, f: &FilterArgs) -> anyhow::Result<ReviewFilter> {
    let mut accounts = lookup::accounts(model, &f.accounts)?;
    if !f.ous.is_empty() {
        let under = lookup::accounts(model, &f.ous)?.unwrap_or_default();
        accounts = Some(match accounts {
            Some(a) => a.intersection(&under).copied().collect(),
            None => under,
        });
    }
    fn set<T: Ord>(
        keys: &[String],
        find: &dyn Fn(&str) -> Option<T>,
        what: &str,
        names: &dyn Fn() -> Vec<String>,
    ) -> anyhow::Result<Option<BTreeSet<T>>> {
        if keys.is_empty() {
            return Ok(None);
        }
        keys.iter()
            .map(|k| {
                find(k).with_context(|| {
                    let all = names();
                    format!(
                        "no {what} `{k}` in the snapshot{}",
                        lookup::hint(k, all.iter().map(String::as_str))
                    )
                })
            })
            .collect::<anyhow::Result<BTreeSet<T>>>()
            .map(Some)
    }
    Ok(ReviewFilter {
        accounts,
        users: set(&f.users, &|k| model.find_user(k), "user", &|| {
            model
                .snapshot()
                .users
                .iter()
                .map(|u| u.user_name.clone())
                .collect()
        })?,
        groups: set(&f.groups, &|k| model.find_group(k), "group", &|| {
            model
                .snapshot()
                .groups
                .iter()
                .map(|g| g.name.clone())
                .collect()
        })?,
        permission_sets: set(
            &f.permission_sets,
            &|k| model.find_permission_set(k),
            "permission set",
            &|| {
                model
                    .snapshot()
                    .permission_sets
                    .iter()
                    .map(|p| p.name.clone())
                    .collect()
            },
        )?,
        privileged_only: f.privileged_only,
    })
}

/// The summary line of a report
fn summary(model: &Model, what: &str, rows: usize) -> String {
    let p = &model.snapshot().provenance;
    format!(
        "{rows} {what} as of {} (snapshot: {}).",
        p.collected_at, p.source
    )
}

/// `report ...`
pub fn run(args: ReportArgs, g: &Global) -> anyhow::Result<Exit> {
    if matches!(g.format, Format::Dot | Format::Sarif) {
        bail!(
            "report prints csv, json, markdown, html or table, not `{}`",
            format_name(g.format)
        );
    }
    let model = load(g)?;
    let mut w = out();
    match args.kind {
        ReportKind::Assignments(a) => {
            let f = resolve(&model, &a.filter)?;
            match a.layout {
                Layout::Accessgraph => {
                    let sp = spinner("report: deciding each grant's privilege level");
                    let review = AssignmentReview::new(&model, &f);
                    sp.finish_and_clear();
                    let counts =
                        (g.format == Format::Html).then(|| review.counts_by_account(&model));
                    write_rows(
                        &mut w,
                        g.format,
                        &Document {
                            title: "Identity Center access review: assignments",
                            summary: &summary(&model, "user access paths", review.len()),
                            header: &ASSIGNMENT_HEADER,
                            counts: counts.as_ref(),
                        },
                        review.len(),
                        |i| review.row(&model, i),
                        |r| r.cells(),
                    )?;
                }
                Layout::AwsSsoUtil => {
                    let rows = sso_util_rows(&model, &f);
                    write_rows(
                        &mut w,
                        g.format,
                        &Document {
                            title: "Identity Center account assignments",
                            summary: &summary(&model, "assignments", rows.len()),
                            header: &SSO_UTIL_HEADER,
                            counts: None,
                        },
                        rows.len(),
                        |i| rows[i].clone(),
                        |r| r.to_vec(),
                    )?;
                }
            }
        }
        ReportKind::Access(a) => {
            let q = WhoCanQuery {
                actions: lookup::actions(&a.actions)?,
                resource: a.resource,
                accounts: lookup::accounts(&model, &a.accounts)?,
                context: parse_context(&a.context)?,
                include_disabled: a.include_disabled,
                max_hops: a.max_hops,
            };
            if let Some(r) = q.resource.as_deref() {
                lookup::role_arn(&model, r)?;
            }
            let sp = spinner("report: evaluating every assignment");
            let answer = who_can(&model, &q);
            let rows = access_rows(&model, &answer);
            sp.finish_and_clear();
            let mut line = summary(&model, "access rows", rows.len());
            for n in &answer.notes {
                line.push_str(&format!(" Note: {n}."));
            }
            write_rows(
                &mut w,
                g.format,
                &Document {
                    title: &format!("Who can {}", q.actions.join(", ")),
                    summary: &line,
                    header: &ACCESS_HEADER,
                    counts: None,
                },
                rows.len(),
                |i| rows[i].clone(),
                |r| r.cells(),
            )?;
        }
        ReportKind::Applications => {
            let rows = application_rows(&model);
            let mut line = summary(&model, "applications", rows.len());
            if model.snapshot().applications.is_none() {
                line.push_str(
                    " Note: this snapshot does not record Identity Center applications (format 1).",
                );
            }
            write_rows(
                &mut w,
                g.format,
                &Document {
                    title: "Identity Center applications and account access manager",
                    summary: &line,
                    header: &APPLICATION_HEADER,
                    counts: None,
                },
                rows.len(),
                |i| rows[i].clone(),
                |r| r.cells(),
            )?;
        }
        ReportKind::PermissionSets(fa) => {
            let f = resolve(&model, &fa)?;
            let rows = permission_set_rows(&model, &f);
            write_rows(
                &mut w,
                g.format,
                &Document {
                    title: "Identity Center permission sets",
                    summary: &summary(&model, "permission sets", rows.len()),
                    header: &PERMISSION_SET_HEADER,
                    counts: None,
                },
                rows.len(),
                |i| rows[i].clone(),
                |r| r.cells(),
            )?;
        }
    }
    w.flush()?;
    // An empty review is a result, not a failure.
    Ok(Exit::Ok)
}
