//! This module writes who-can answers as CSV, streamed from the compact
//! answer without materializing rows; every cell a spreadsheet would run as
//! a formula is neutralized, as in every other CSV the tool writes.

use super::tabular::{table, write_csv, write_record};
use super::{Format, RenderError};
use crate::graph::{Model, Via};
use crate::who::{WhoCanAnswer, WHO_CAN_HEADER};

impl WhoCanAnswer {
    /// Writes the answer as CSV without materializing rows: names and
    /// joined fields are prepared once per group, account, permission set and
    /// outcome, and borrowed for every hit
    ///
    /// # Errors
    /// Any write error.
    pub fn write_csv<W: std::io::Write>(&self, model: &Model, w: W) -> Result<(), csv::Error> {
        let mut c = csv::Writer::from_writer(w);
        c.write_record(WHO_CAN_HEADER)?;
        let mut w = c
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        let groups: Vec<String> = model
            .snapshot()
            .groups
            .iter()
            .map(|g| format!("group:{}", g.name))
            .collect();
        let outcomes: Vec<(String, String)> = self
            .outcomes
            .iter()
            .map(|o| (o.actions.join(" "), o.deciding.join("; ")))
            .collect();
        // Each user's rows are formatted on both cores, written in order.
        let render = |hits: &[crate::who::Hit]| -> Result<Vec<u8>, csv::Error> {
            let mut c = csv::Writer::from_writer(Vec::new());
            for h in hits {
                let o = &self.outcomes[h.outcome as usize];
                let (actions, deciding) = &outcomes[h.outcome as usize];
                let account = model.account(h.account);
                let via = match h.via {
                    Via::Direct => "direct",
                    Via::Group(g) => groups[g.index()].as_str(),
                };
                let chained;
                let via = match self.chains.get(h.chain as usize) {
                    Some(ch) => {
                        chained = format!("{via}{}", ch.via_suffix);
                        chained.as_str()
                    }
                    None => via,
                };
                write_record(
                    &mut c,
                    [
                        model.user(h.user).user_name.as_str(),
                        "identity-center-user",
                        via,
                        model.permission_set(h.permission_set).name.as_str(),
                        account.id.as_str(),
                        account.name.as_str(),
                        o.decision,
                        o.condition.as_deref().unwrap_or_default(),
                        actions,
                        deciding,
                    ],
                )?;
            }
            c.into_inner().map_err(|e| csv::Error::from(e.into_error()))
        };
        self.render_hits(model, render, |bytes| -> Result<(), csv::Error> {
            w.write_all(&bytes?)?;
            Ok(())
        })?;
        let mut c = csv::Writer::from_writer(w);
        for r in &self.iam {
            write_record(
                &mut c,
                [
                    r.principal.as_str(),
                    r.principal_type,
                    &r.via,
                    r.permission_set.as_deref().unwrap_or_default(),
                    &r.account_id,
                    &r.account_name,
                    r.decision,
                    r.condition.as_deref().unwrap_or_default(),
                    &r.actions.join(" "),
                    &r.deciding.join("; "),
                ],
            )?;
        }
        c.flush()?;
        Ok(())
    }
}

/// Writes a who-can answer (table, json, csv), streamed: rows are made
/// from the compact answer as they are written
///
/// # Errors
/// Writing fails, or `format` is not one `who-can` prints.
pub fn write_who_can<W: std::io::Write>(
    w: &mut W,
    format: Format,
    model: &Model,
    answer: &WhoCanAnswer,
) -> Result<(), RenderError> {
    let header = WHO_CAN_HEADER;
    let shown_actions = |a: &[String]| {
        if a.len() <= 3 {
            a.join(", ")
        } else {
            format!("{} actions ({}, ...)", a.len(), a[..2].join(", "))
        }
    };
    match format {
        Format::Json => {
            // Streamed: an answer can hold millions of rows.
            writeln!(w, "[")?;
            let n = answer.len();
            for (i, r) in answer.rows_iter(model).enumerate() {
                let sep = if i + 1 == n { "" } else { "," };
                writeln!(w, "  {}{sep}", serde_json::to_string(&r)?)?;
            }
            writeln!(w, "]")?;
        }
        Format::Csv => answer.write_csv(model, &mut *w)?,
        Format::Table => {
            for n in &answer.notes {
                writeln!(w, "note: {n}")?;
            }
            if answer.is_empty() {
                writeln!(w, "nobody")?;
            } else {
                let mut t = table(&header);
                for r in answer.rows_iter(model) {
                    let mut principal = r.principal.clone();
                    if r.disabled {
                        principal.push_str(" (disabled)");
                    }
                    t.add_row(vec![
                        principal,
                        r.principal_type.to_owned(),
                        r.via.clone(),
                        r.permission_set.clone().unwrap_or_else(|| "-".into()),
                        r.account_id.clone(),
                        r.account_name.clone(),
                        r.decision.to_owned(),
                        r.condition.clone().unwrap_or_default(),
                        shown_actions(&r.actions),
                        r.deciding.join("; "),
                    ]);
                }
                writeln!(w, "{t}")?;
                writeln!(w, "{} row(s)", answer.len())?;
            }
        }
        format => {
            return Err(RenderError::Unsupported {
                command: "who-can",
                format,
            })
        }
    }
    Ok(())
}

/// Writes a what-can answer (table, json, csv): one row per account,
/// permission set, path, service and access level; the table names the
/// admin-equivalent pairs first
///
/// # Errors
/// Writing fails, or `format` is not one `what-can` prints.
pub fn write_what_can<W: std::io::Write>(
    w: &mut W,
    format: Format,
    rows: &[crate::who::WhatCanRow],
) -> Result<(), RenderError> {
    use std::collections::BTreeSet;
    let header = [
        "account_id",
        "account_name",
        "permission_set",
        "via",
        "service",
        "access_level",
        "allowed",
        "conditional",
        "total",
        "conditions",
        "admin_equivalent",
    ];
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.account_id.clone(),
                r.account_name.clone(),
                r.permission_set.clone(),
                r.via.clone(),
                r.service.clone(),
                r.access_level.to_owned(),
                r.allowed.to_string(),
                r.conditional.to_string(),
                r.total.to_string(),
                r.conditions.join(" | "),
                r.admin_equivalent.to_string(),
            ]
        })
        .collect();
    match format {
        Format::Json => writeln!(w, "{}", serde_json::to_string_pretty(&rows)?)?,
        Format::Csv => write_csv(&mut *w, &header, &data)?,
        Format::Table => {
            let mut admin: BTreeSet<(String, String)> = BTreeSet::new();
            for r in rows {
                if r.admin_equivalent {
                    admin.insert((r.account_name.clone(), r.permission_set.clone()));
                }
            }
            for (a, p) in &admin {
                writeln!(w, "ADMIN-EQUIVALENT: {p} in {a} (can attach or write any role policy and pass roles)")?;
            }
            if data.is_empty() {
                writeln!(w, "nothing")?;
            } else {
                let mut t = table(&header[..10]);
                for r in data {
                    t.add_row(r[..10].to_vec());
                }
                writeln!(w, "{t}")?;
            }
        }
        format => {
            return Err(RenderError::Unsupported {
                command: "what-can",
                format,
            })
        }
    }
    Ok(())
}
