//! Names the user types, looked up in the model and the catalog: users,
//! accounts and OUs, role ARNs, actions and action patterns. A name that
//! matches nothing is an error that names the closest ones ("did you
//! mean"), so a typo is never an empty answer. No IO.

use std::collections::BTreeSet;

use crate::data::catalog;
use crate::graph::{AccountIx, IamKind, Model, UserIx};

/// A name that matches nothing
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No user of that user name, email or id
    #[error("no user `{key}` in the snapshot (by user name, email or id){}", did_you_mean(.close))]
    User {
        /// What was asked
        key: String,
        /// The closest user names
        close: Vec<String>,
    },
    /// No account of that id or name
    #[error("no account `{key}` in the snapshot (by id or name){}", did_you_mean(.close))]
    Account {
        /// What was asked
        key: String,
        /// The closest account names
        close: Vec<String>,
    },
    /// No account or OU of that id or name
    #[error("no account or OU `{key}` in the snapshot{}", did_you_mean(.close))]
    AccountOrOu {
        /// What was asked
        key: String,
        /// The closest account and OU names
        close: Vec<String>,
    },
    /// A role ARN in an account whose IAM data the snapshot has, but not
    /// that role
    #[error("no role `{arn}` in the IAM data of account {account}{}", did_you_mean(.close))]
    Role {
        /// The ARN
        arn: String,
        /// Its account
        account: String,
        /// The closest role ARNs
        close: Vec<String>,
    },
    /// An action the catalog does not have
    #[error("unknown action `{action}`: not in the action catalog ({source_}){}", did_you_mean(.close))]
    Action {
        /// The action
        action: String,
        /// The catalog's source
        source_: String,
        /// The closest actions of its service
        close: Vec<String>,
    },
    /// No user or group of that name or id
    #[error("no user or group `{key}` in the snapshot{}", did_you_mean(.close))]
    Subject {
        /// What was asked
        key: String,
        /// The closest user and group names
        close: Vec<String>,
    },
    /// A service prefix the catalog does not have
    #[error("unknown service `{service}`{}", did_you_mean(.close))]
    Service {
        /// What was asked
        service: String,
        /// The closest service prefixes
        close: Vec<String>,
    },
    /// A pattern that matches no action
    #[error("action pattern `{pattern}` matches no known action ({source_})")]
    Pattern {
        /// The pattern
        pattern: String,
        /// The catalog's source
        source_: String,
    },
}

/// Up to three of `names` close to `key` (Jaro-Winkler above 0.75,
/// ignoring case), closest first
pub fn close_names<'a>(key: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let key = key.to_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .map(|n| (strsim::jaro_winkler(&key, &n.to_lowercase()), n))
        .filter(|(s, _)| *s > 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_owned())
        .collect()
}

/// `; did you mean `a`, `b`?`, or nothing when there are no names
pub fn did_you_mean(names: &[String]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    format!("; did you mean {}?", quoted.join(", "))
}

/// [`did_you_mean`] of [`close_names`]: the hint to append to a message
pub fn hint<'a>(key: &str, names: impl Iterator<Item = &'a str>) -> String {
    did_you_mean(&close_names(key, names))
}

/// A user by user name, email or id
///
/// # Errors
/// [`LookupError::User`] with the closest user names.
pub fn user(model: &Model, key: &str) -> Result<UserIx, LookupError> {
    model.find_user(key).ok_or_else(|| LookupError::User {
        key: key.to_owned(),
        close: close_names(
            key,
            model.snapshot().users.iter().map(|u| u.user_name.as_str()),
        ),
    })
}

/// A user (by user name, email or id) or else a group (by name or id)
///
/// # Errors
/// [`LookupError::Subject`] with the closest user and group names.
pub fn subject(model: &Model, key: &str) -> Result<crate::who::Subject, LookupError> {
    if let Some(u) = model.find_user(key) {
        return Ok(crate::who::Subject::User(u));
    }
    if let Some(g) = model.find_group(key) {
        return Ok(crate::who::Subject::Group(g));
    }
    let s = model.snapshot();
    Err(LookupError::Subject {
        key: key.to_owned(),
        close: close_names(
            key,
            s.users
                .iter()
                .map(|u| u.user_name.as_str())
                .chain(s.groups.iter().map(|g| g.name.as_str())),
        ),
    })
}

/// A service prefix of the action catalog (`s3`), any case
///
/// # Errors
/// [`LookupError::Service`] with the closest prefixes.
pub fn service(service: &str) -> Result<(), LookupError> {
    let cat = catalog();
    if cat.services.contains_key(&service.to_ascii_lowercase()) {
        return Ok(());
    }
    Err(LookupError::Service {
        service: service.to_owned(),
        close: close_names(service, cat.services.keys().map(String::as_str)),
    })
}

/// An account by id or name
///
/// # Errors
/// [`LookupError::Account`] with the closest account names.
pub fn account(model: &Model, key: &str) -> Result<AccountIx, LookupError> {
    model.find_account(key).ok_or_else(|| LookupError::Account {
        key: key.to_owned(),
        close: close_names(key, model.accounts().iter().map(|a| a.name.as_str())),
    })
}

/// `--account` values: account ids or names, or OUs and the root (every
/// account below); `None` when there are none (every account)
///
/// # Errors
/// [`LookupError::AccountOrOu`] for a key that is neither.
pub fn accounts(
    model: &Model,
    keys: &[String],
) -> Result<Option<BTreeSet<AccountIx>>, LookupError> {
    if keys.is_empty() {
        return Ok(None);
    }
    let org = model.snapshot().organization.as_ref();
    let mut out = BTreeSet::new();
    for k in keys {
        if let Some(a) = model.find_account(k) {
            out.insert(a);
            continue;
        }
        let ou = org.and_then(|o| {
            o.ous
                .iter()
                .find(|ou| ou.id == *k || ou.name.eq_ignore_ascii_case(k))
                .map(|ou| ou.id.clone())
                .or_else(|| (o.root_id == *k).then(|| o.root_id.clone()))
        });
        let Some(ou) = ou else {
            let names = model.accounts().iter().map(|a| a.name.as_str()).chain(
                org.iter()
                    .flat_map(|o| o.ous.iter().map(|ou| ou.name.as_str())),
            );
            return Err(LookupError::AccountOrOu {
                key: k.clone(),
                close: close_names(k, names),
            });
        };
        out.extend(
            model
                .account_ids()
                .filter(|&i| model.account_path(i).contains(&ou)),
        );
    }
    Ok(Some(out))
}

/// An IAM role ARN a question names: an error when the snapshot has IAM data
/// for its account but not the role (a typo would otherwise answer for a
/// role that does not exist); fine when it is no role ARN, or the account's
/// IAM data is not in the snapshot (answered with what the ARN says)
///
/// # Errors
/// [`LookupError::Role`] with the closest role ARNs.
pub fn role_arn(model: &Model, arn: &str) -> Result<(), LookupError> {
    let Some((account, res)) = arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(':'))
    else {
        return Ok(());
    };
    if !res.starts_with("role/")
        || model.find_iam(arn).is_some()
        || !model.snapshot().iam.iter().any(|a| a.account_id == account)
    {
        return Ok(());
    }
    Err(LookupError::Role {
        arn: arn.to_owned(),
        account: account.to_owned(),
        close: close_names(
            arn,
            model
                .iam_principals()
                .iter()
                .filter(|p| p.kind == IamKind::Role)
                .map(|p| p.arn.as_str()),
        ),
    })
}

/// Action names and patterns (`s3:Get*`) expanded against the catalog,
/// sorted and deduplicated, in the catalog's spelling
///
/// # Errors
/// [`LookupError::Action`] for an unknown action (with the closest of its
/// service), [`LookupError::Pattern`] for a pattern that matches none.
pub fn actions(patterns: &[String]) -> Result<Vec<String>, LookupError> {
    let cat = catalog();
    let mut out = BTreeSet::new();
    for p in patterns {
        if p.contains(['*', '?']) {
            let found = cat.expand(p);
            if found.is_empty() {
                return Err(LookupError::Pattern {
                    pattern: p.clone(),
                    source_: cat.source.to_string(),
                });
            }
            out.extend(found);
        } else if let Some((svc, name, _)) = cat.action(p) {
            out.insert(format!("{svc}:{name}"));
        } else {
            let service = p.split(':').next().unwrap_or_default();
            let names = cat.expand(&format!("{service}:*"));
            return Err(LookupError::Action {
                action: p.clone(),
                source_: cat.source.to_string(),
                close: close_names(p, names.iter().map(String::as_str)),
            });
        }
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Snapshot;

    fn acme() -> Model {
        let text = include_str!("../../fixtures/acme/snapshot.json");
        Model::build(Snapshot::from_json(text).unwrap()).unwrap()
    }

    #[test]
    fn close_names_are_the_closest_three_ignoring_case() {
        let names = ["alice", "alicia", "ALINE", "bob", "alicea"];
        let close = close_names("Alice", names.iter().copied());
        assert_eq!(close.len(), 3);
        assert_eq!(close[0], "alice");
        assert!(!close.contains(&"bob".to_owned()));
        assert!(close_names("zzz", names.iter().copied()).is_empty());
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(
            did_you_mean(&["a".into(), "b".into()]),
            "; did you mean `a`, `b`?"
        );
    }

    #[test]
    fn users_and_accounts_by_any_key_or_a_hint() {
        let m = acme();
        let u = user(&m, "alice.martin@acme.example").unwrap();
        assert_eq!(user(&m, "alice.martin").unwrap(), u, "local part");
        let e = user(&m, "alice.martn@acme.example").unwrap_err();
        assert!(
            matches!(&e, LookupError::User { close, .. } if close[0] == "alice.martin@acme.example")
        );
        assert!(e.to_string().starts_with(
            "no user `alice.martn@acme.example` in the snapshot (by user name, email or id); did you mean `alice.martin@acme.example`"
        ), "{e}");
        let a = account(&m, "acme-prod").unwrap();
        assert_eq!(account(&m, "210000000101").unwrap(), a);
        let e = account(&m, "acme-prdo").unwrap_err();
        assert!(e.to_string().contains("did you mean `acme-prod`"), "{e}");
    }

    #[test]
    fn subjects_and_services_or_a_hint() {
        let m = acme();
        assert!(matches!(
            subject(&m, "alice.martin@acme.example"),
            Ok(crate::who::Subject::User(_))
        ));
        assert!(matches!(
            subject(&m, "acme-developers"),
            Ok(crate::who::Subject::Group(_))
        ));
        let e = subject(&m, "acme-developrs").unwrap_err();
        assert!(
            e.to_string().contains("did you mean `acme-developers`"),
            "{e}"
        );
        assert_eq!(service("S3"), Ok(()));
        let e = service("s33").unwrap_err();
        assert!(
            matches!(&e, LookupError::Service { close, .. } if close.contains(&"s3".to_owned())),
            "{e}"
        );
    }

    #[test]
    fn accounts_take_ous_and_the_root() {
        let m = acme();
        assert_eq!(accounts(&m, &[]).unwrap(), None);
        let all = accounts(
            &m,
            &[m.snapshot().organization.as_ref().unwrap().root_id.clone()],
        )
        .unwrap()
        .unwrap();
        assert_eq!(all.len(), m.accounts().len());
        let ou = &m.snapshot().organization.as_ref().unwrap().ous[0];
        let below = accounts(&m, &[ou.name.to_uppercase()]).unwrap().unwrap();
        assert!(!below.is_empty() && below.len() < all.len());
        let e = accounts(&m, &["nowhere".into()]).unwrap_err();
        assert!(matches!(e, LookupError::AccountOrOu { .. }));
    }

    #[test]
    fn actions_expand_and_unknown_ones_name_their_neighbours() {
        let a = actions(&["S3:getobject".into(), "s3:GetObject".into()]).unwrap();
        assert_eq!(a, ["s3:GetObject"]);
        assert!(actions(&["s3:Get*".into()]).unwrap().len() > 10);
        let e = actions(&["s3:GetObjekt".into()]).unwrap_err();
        assert!(
            matches!(&e, LookupError::Action { close, .. } if close.contains(&"s3:GetObject".to_owned())),
            "{e}"
        );
        assert!(matches!(
            actions(&["nosuch:*".into()]).unwrap_err(),
            LookupError::Pattern { .. }
        ));
    }

    #[test]
    fn role_arns_are_checked_only_where_the_iam_data_is() {
        let m = acme();
        let known = m
            .iam_principals()
            .iter()
            .find(|p| p.kind == IamKind::Role)
            .unwrap()
            .arn
            .clone();
        assert_eq!(role_arn(&m, &known), Ok(()));
        let typo = format!("{known}x");
        assert!(
            matches!(role_arn(&m, &typo), Err(LookupError::Role { close, .. }) if close.contains(&known))
        );
        assert_eq!(
            role_arn(&m, "arn:aws:iam::999999999999:role/anything"),
            Ok(())
        );
        assert_eq!(role_arn(&m, "arn:aws:s3:::bucket"), Ok(()));
    }
}
