//! This module answers the application questions: which Identity Center
//! applications a user has and how (directly, through a group, or because
//! the application does not require assignment), which users have an
//! application (`who-has`), and who holds each account access manager
//! entitlement. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use serde::Serialize;

use crate::graph::{Model, UserIx};
use crate::snapshot::{Application, PrincipalType};
use crate::who::entitlement::{self, EntitlementCheck};

/// How `via` names access to an application that requires no assignment
pub const OPEN_TO_ALL: &str = "all users";

/// An application a user has
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserApplication {
    /// Name
    pub name: String,
    /// ARN
    pub arn: String,
    /// `custom` (SAML 2.0 / OAuth 2.0) or `aws-managed`
    pub kind: &'static str,
    /// The sign-in URL, when the application has one
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// How: `direct`, `group:<name>` and/or `all users`
    pub via: Vec<String>,
    /// Shown in the access portal (`PortalOptions.Visibility`)
    pub visible: bool,
    /// `ENABLED` or `DISABLED`
    pub status: String,
}

/// `custom` or `aws-managed`
pub fn kind_of(app: &Application) -> &'static str {
    if app.aws_managed() {
        "aws-managed"
    } else {
        "custom"
    }
}

/// How `user` has `app`: `direct`, `group:<name>` and `all users`, sorted;
/// empty when it does not
pub fn application_via(model: &Model, app: &Application, user: UserIx) -> Vec<String> {
    let mut via = Vec::new();
    if app.open_to_all() {
        via.push(OPEN_TO_ALL.to_owned());
    }
    let me = &model.user(user).id;
    for a in app.assignments.iter().flatten() {
        match a.principal_type {
            PrincipalType::User if &a.principal_id == me => via.push("direct".to_owned()),
            PrincipalType::Group => {
                if let Some(g) = model.group_by_id(&a.principal_id) {
                    if model.user_groups(user).contains(&g) {
                        via.push(format!("group:{}", model.group(g).name));
                    }
                }
            }
            PrincipalType::User => {}
        }
    }
    via.sort();
    via.dedup();
    via
}

/// Every application `user` has (hidden ones too), by name; empty when
/// the snapshot records none
pub fn user_applications(model: &Model, user: UserIx) -> Vec<UserApplication> {
    let mut out: Vec<UserApplication> = model
        .snapshot()
        .applications
        .iter()
        .flatten()
        .filter_map(|app| {
            let via = application_via(model, app, user);
            (!via.is_empty()).then(|| UserApplication {
                name: app.name.clone(),
                arn: app.arn.clone(),
                kind: kind_of(app),
                url: app.application_url.clone(),
                via,
                visible: app.visible(),
                status: app.status.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.arn.cmp(&b.arn)));
    out
}

/// The application named `key`: its name (any case), ARN or `apl-` id
pub fn find_application<'m>(model: &'m Model, key: &str) -> Option<&'m Application> {
    let apps = model.snapshot().applications.as_deref()?;
    apps.iter()
        .find(|a| a.arn == key || a.short_id() == key)
        .or_else(|| apps.iter().find(|a| a.name.eq_ignore_ascii_case(key)))
}

/// One user who has an application
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// User name
    pub user: String,
    /// Display name
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// How
    pub via: Vec<String>,
    /// The user can sign in
    pub enabled: bool,
    /// For an entitlement: the role
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// For an entitlement: the role's account
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// For an entitlement: `usable`, `role-missing`, `no-iam-data` or
    /// `trust-denies` (see `who::entitlement`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
}

/// Who has an application
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhoHas {
    /// The application's name (an account access manager application: its id)
    pub application: String,
    /// ARN
    pub arn: String,
    /// `custom`, `aws-managed` or `account-access`
    pub kind: &'static str,
    /// Shown in the access portal
    pub visible: bool,
    /// Every user of the directory has it (assignment not required)
    pub open_to_all: bool,
    /// The users, by user name
    pub users: Vec<Holder>,
    /// Assignments or entitlements naming a principal not in the directory
    pub unknown_principals: Vec<String>,
}

/// Who has the Identity Center application or the account access manager
/// application `key` (name, ARN or id); `None` when there is no such one
pub fn who_has(model: &Model, key: &str, include_disabled: bool) -> Option<WhoHas> {
    let keep = |u: UserIx| include_disabled || model.user_enabled(u);
    let holder = |u: UserIx, via: Vec<String>| Holder {
        user: model.user(u).user_name.clone(),
        display_name: model.user(u).display_name.clone(),
        via,
        enabled: model.user_enabled(u),
        role_arn: None,
        account_id: None,
        status: None,
    };
    if let Some(app) = find_application(model, key) {
        let users = model
            .user_ids()
            .filter(|&u| keep(u))
            .filter_map(|u| {
                let via = application_via(model, app, u);
                (!via.is_empty()).then(|| holder(u, via))
            })
            .collect::<Vec<_>>();
        let unknown_principals = app
            .assignments
            .iter()
            .flatten()
            .filter(|a| unknown(model, a.principal_type, &a.principal_id))
            .map(|a| a.principal_id.clone())
            .collect();
        return Some(sorted(WhoHas {
            application: app.name.clone(),
            arn: app.arn.clone(),
            kind: kind_of(app),
            visible: app.visible(),
            open_to_all: app.open_to_all(),
            users,
            unknown_principals,
        }));
    }
    let aa = model.snapshot().account_access.as_ref()?;
    let app = aa
        .applications
        .iter()
        .find(|a| a.arn == key || a.short_id() == key)?;
    let mut users = Vec::new();
    let mut unknown_principals = Vec::new();
    for c in entitlement::entitlements(model)
        .into_iter()
        .filter(|c| c.application_arn == app.arn)
    {
        let e = &c.entitlement;
        if unknown(model, e.principal_type, &e.principal_id) {
            unknown_principals.push(e.principal_id.clone());
        }
        for (u, via) in entitlement::principal_users(model, e.principal_type, &e.principal_id) {
            if keep(u) {
                users.push(entitled(holder(u, vec![via]), &c));
            }
        }
    }
    Some(sorted(WhoHas {
        application: app.short_id().to_owned(),
        arn: app.arn.clone(),
        kind: "account-access",
        visible: false,
        open_to_all: false,
        users,
        unknown_principals,
    }))
}

fn entitled(mut h: Holder, c: &EntitlementCheck) -> Holder {
    h.role_arn = Some(c.entitlement.role_arn.clone());
    h.account_id = Some(c.entitlement.account_id.clone());
    h.status = Some(c.status.code());
    h
}

fn sorted(mut w: WhoHas) -> WhoHas {
    w.users
        .sort_by(|a, b| (&a.user, &a.role_arn, &a.via).cmp(&(&b.user, &b.role_arn, &b.via)));
    w.unknown_principals.sort();
    w.unknown_principals.dedup();
    w
}

/// Whether an assignment's principal is not in the directory
pub fn unknown(model: &Model, t: PrincipalType, id: &str) -> bool {
    match t {
        PrincipalType::User => model.user_by_id(id).is_none(),
        PrincipalType::Group => model.group_by_id(id).is_none(),
    }
}
