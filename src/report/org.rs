//! The outputs of `portal`, `admins`, `lint` and `profiles check`. Pure: writes to
//! `impl Write`.

use std::io::Write;

use super::tabular::{table, write_csv};
use super::{Format, RenderError};
use crate::query::lint::Finding;
use crate::query::{Admins, Portal, ProfileCheck};

fn unsupported(command: &'static str, format: Format) -> RenderError {
    RenderError::Unsupported { command, format }
}

/// Writes what a user sees in the access portal (table, json, csv)
///
/// # Errors
/// Writing fails, or `format` is not one `portal` prints.
pub fn write_portal<W: Write>(w: &mut W, format: Format, p: &Portal) -> Result<(), RenderError> {
    let header = ["account_id", "account_name", "role_name", "via"];
    let rows: Vec<Vec<String>> = p
        .entries
        .iter()
        .map(|e| {
            vec![
                e.account_id.clone(),
                e.account_name.clone(),
                e.role_name.clone(),
                e.via.join(", "),
            ]
        })
        .collect();
    match format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(&p)?)?,
        Format::Csv => write_csv(&mut *w, &header, &rows)?,
        Format::Table => {
            writeln!(w, "Access portal: {}", p.portal_url)?;
            if let Some(d) = &p.default_portal_url {
                writeln!(w, "(default URL: {d})")?;
            }
            if !p.enabled {
                writeln!(
                    w,
                    "User {} is DISABLED: it cannot sign in; these assignments apply again if it is re-enabled.",
                    p.user_name
                )?;
            }
            writeln!(w, "AWS accounts")?;
            if rows.is_empty() {
                writeln!(w, "{} is assigned no account.", p.user_name)?;
            } else {
                let mut t = table(&header);
                for r in rows {
                    t.add_row(r);
                }
                writeln!(w, "{t}")?;
            }
            writeln!(w, "Applications")?;
            if !p.applications_recorded {
                writeln!(
                    w,
                    "Not recorded: this snapshot holds no Identity Center applications (format 1, or an export without sso-admin/list-applications.json); collect or import again to see them."
                )?;
            } else if p.applications.is_empty() {
                writeln!(w, "{}", crate::query::NO_APPLICATIONS)?;
            } else {
                let mut t = table(&["application", "type", "url", "via"]);
                for a in &p.applications {
                    t.add_row(vec![
                        a.name.clone(),
                        a.kind.to_owned(),
                        a.url.clone().unwrap_or_default(),
                        a.via.join(", "),
                    ]);
                }
                writeln!(w, "{t}")?;
            }
        }
        format => return Err(unsupported("portal", format)),
    }
    Ok(())
}

/// Writes who has an application (table, json, csv)
///
/// # Errors
/// Writing fails, or `format` is not one `who-has` prints.
pub fn write_who_has<W: Write>(
    w: &mut W,
    format: Format,
    h: &crate::query::applications::WhoHas,
) -> Result<(), RenderError> {
    let entitlement = h.kind == "account-access";
    let mut header = vec!["user", "display_name", "via", "enabled"];
    if entitlement {
        header.extend(["role_arn", "account_id", "status"]);
    }
    let rows: Vec<Vec<String>> = h
        .users
        .iter()
        .map(|u| {
            let mut r = vec![
                u.user.clone(),
                u.display_name.clone().unwrap_or_default(),
                u.via.join(", "),
                u.enabled.to_string(),
            ];
            if entitlement {
                r.push(u.role_arn.clone().unwrap_or_default());
                r.push(u.account_id.clone().unwrap_or_default());
                r.push(u.status.unwrap_or_default().to_owned());
            }
            r
        })
        .collect();
    match format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(h)?)?,
        Format::Csv => write_csv(&mut *w, &header, &rows)?,
        Format::Table => {
            let kind = match h.kind {
                "aws-managed" => "AWS managed application",
                "account-access" => "account access manager application",
                _ => "custom application",
            };
            writeln!(w, "{} ({kind}) {}", h.application, h.arn)?;
            if !entitlement && !h.visible {
                writeln!(
                    w,
                    "Hidden from the access portal (visibility disabled): still access."
                )?;
            }
            if h.open_to_all {
                writeln!(
                    w,
                    "Assignment not required: every user of the directory has it."
                )?;
            }
            if rows.is_empty() {
                writeln!(w, "No user has it.")?;
            } else {
                let mut t = table(&header);
                for r in rows {
                    t.add_row(r);
                }
                writeln!(w, "{t}")?;
                writeln!(w, "{} user(s)", h.users.len())?;
            }
            if !h.unknown_principals.is_empty() {
                writeln!(
                    w,
                    "Assigned to principals not in the directory: {}",
                    h.unknown_principals.join(", ")
                )?;
            }
        }
        format => return Err(unsupported("who-has", format)),
    }
    Ok(())
}

/// Writes who can administer Identity Center (table, json)
///
/// # Errors
/// Writing fails, or `format` is not one `admins` prints.
pub fn write_admins<W: Write>(w: &mut W, format: Format, a: &Admins) -> Result<(), RenderError> {
    if format != Format::Table && format != Format::Json {
        return Err(unsupported("admins", format));
    }
    if format == Format::Json {
        writeln!(w, "{}", serde_json::to_string_pretty(&a)?)?;
        return Ok(());
    }
    match &a.management_account {
        Some(m) => writeln!(
            w,
            "Management account: {} ({}): full control of IAM Identity Center",
            m.name, m.id
        )?,
        None => writeln!(
            w,
            "Management account: unknown (no organization in the snapshot)"
        )?,
    }
    match &a.delegated_administrator {
        Some(d) => {
            writeln!(w, "Delegated administrator: {} ({}), which:", d.name, d.id)?;
            for l in &a.delegated_limits {
                writeln!(w, "  - {l}")?;
            }
            if !a.management_only_permission_sets.is_empty() {
                writeln!(
                    w,
                    "  Permission sets only the management account can manage: {}",
                    a.management_only_permission_sets.join(", ")
                )?;
            }
        }
        None => writeln!(
            w,
            "Delegated administrator: none registered for sso.amazonaws.com"
        )?,
    }
    if a.administrators.is_empty() {
        writeln!(
            w,
            "No Identity Center user reaches these accounts with sso:CreateAccountAssignment."
        )?;
    } else {
        writeln!(
            w,
            "Identity Center users who can administer it (sso:CreateAccountAssignment):"
        )?;
        let mut t = table(&[
            "user",
            "account_id",
            "as",
            "permission_set",
            "via",
            "decision",
        ]);
        for p in &a.administrators {
            t.add_row(vec![
                p.user_name.clone(),
                p.account_id.clone(),
                p.role.to_owned(),
                p.permission_set.clone(),
                p.via.clone(),
                p.decision.clone(),
            ]);
        }
        writeln!(w, "{t}")?;
    }
    Ok(())
}

/// Writes lint findings (table, json, csv)
///
/// # Errors
/// Writing fails, or `format` is not one `lint` prints.
pub fn write_lint<W: Write>(
    w: &mut W,
    format: Format,
    findings: &[Finding],
) -> Result<(), RenderError> {
    let header = ["severity", "code", "subject", "message", "fix"];
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.severity.as_str().to_owned(),
                f.code.to_owned(),
                f.subject.clone(),
                f.message.clone(),
                f.fix.to_owned(),
            ]
        })
        .collect();
    match format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(&findings)?)?,
        Format::Csv => write_csv(&mut *w, &header, &rows)?,
        Format::Table => {
            if rows.is_empty() {
                writeln!(w, "no findings")?;
            } else {
                let mut t = table(&header);
                for r in rows {
                    t.add_row(r);
                }
                writeln!(w, "{t}")?;
                writeln!(w, "{} finding(s)", findings.len())?;
            }
        }
        format => return Err(unsupported("lint", format)),
    }
    Ok(())
}

/// Writes `profiles check` results (table, json)
///
/// # Errors
/// Writing fails, or `format` is not one `profiles check` prints.
pub fn write_profile_checks<W: Write>(
    w: &mut W,
    format: Format,
    checks: &[ProfileCheck],
) -> Result<(), RenderError> {
    match format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(&checks)?)?,
        Format::Table => {
            let mut t = table(&[
                "profile",
                "account_id",
                "role_name",
                "status",
                "what aws would say",
            ]);
            for c in checks {
                t.add_row(vec![
                    c.profile.clone(),
                    c.account_id.clone(),
                    c.role_name.clone(),
                    c.status.to_owned(),
                    c.message.clone(),
                ]);
            }
            writeln!(w, "{t}")?;
        }
        format => return Err(unsupported("profiles check", format)),
    }
    Ok(())
}
