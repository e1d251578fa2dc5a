//! This module answers questions about the organization model: what a user
//! sees in the access portal, the `~/.aws/config` profiles for it, which SSO
//! profiles would fail, who administers Identity Center, and the lint
//! findings. Results are plain data in a stable order. No IO here.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod applications;
pub mod documents;
pub mod lint;
pub mod lookup;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::eval::request::Request;
use crate::eval::{evaluate, Answer, Decision};
use crate::graph::{Model, UserIx, Via};

/// One account/role pair a user sees in the access portal
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalEntry {
    /// Account id
    pub account_id: String,
    /// Account name
    pub account_name: String,
    /// Role name as the portal shows it: the permission set's name
    pub role_name: String,
    /// How the user gets it: `direct` and/or `group:<name>`
    pub via: Vec<String>,
}

/// What a user sees in the access portal
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portal {
    /// User name
    pub user_name: String,
    /// Whether the user can sign in
    pub enabled: bool,
    /// The URL the user signs in at
    pub portal_url: String,
    /// The default URL when a custom one is set
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_portal_url: Option<String>,
    /// Account/role pairs, by account name then role
    pub entries: Vec<PortalEntry>,
    /// The applications tab: the enabled applications shown in the portal
    /// (visibility not disabled) the user has, by name
    pub applications: Vec<applications::UserApplication>,
    /// Whether the snapshot records applications at all (a version 1
    /// snapshot does not: then `applications` says nothing)
    pub applications_recorded: bool,
}

/// What the access portal says when a user has no application
pub const NO_APPLICATIONS: &str = "You do not have any applications";

fn via_text(model: &Model, via: Via) -> String {
    match via {
        Via::Direct => "direct".to_owned(),
        Via::Group(g) => format!("group:{}", model.snapshot().groups[g].name),
    }
}

/// What `user` (an index) sees in the access portal
pub fn portal(model: &Model, user: UserIx) -> Portal {
    let mut by_pair: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for a in &model.access(user) {
        let acct = &model.accounts()[a.account];
        let ps = &model.snapshot().permission_sets[a.permission_set];
        by_pair
            .entry((acct.name.clone(), ps.name.clone(), acct.id.clone()))
            .or_default()
            .push(via_text(model, a.via));
    }
    let entries = by_pair
        .into_iter()
        .map(|((account_name, role_name, account_id), mut via)| {
            via.sort();
            via.dedup();
            PortalEntry {
                account_id,
                account_name,
                role_name,
                via,
            }
        })
        .collect();
    let portal = model
        .snapshot()
        .identity_center
        .as_ref()
        .map(|ic| &ic.access_portal);
    Portal {
        user_name: model.snapshot().users[user].user_name.clone(),
        enabled: model.user_enabled(user),
        portal_url: portal.map(|p| p.start_url().to_owned()).unwrap_or_default(),
        default_portal_url: portal
            .filter(|p| p.custom_url.is_some())
            .map(|p| p.default_url.clone()),
        entries,
        applications: applications::user_applications(model, user)
            .into_iter()
            .filter(|a| a.visible && a.status.eq_ignore_ascii_case("ENABLED"))
            .collect(),
        applications_recorded: model.snapshot().applications.is_some(),
    }
}

/// A name safe for an AWS config profile: lower-case, runs of other
/// characters turned into `-`
fn profile_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// The SSO session name used in generated profiles
pub fn sso_session_name(model: &Model) -> String {
    match &model.snapshot().identity_center {
        Some(ic) => match &ic.access_portal.custom_url {
            Some(url) => url
                .trim_start_matches("https://")
                .split('.')
                .next()
                .map(profile_slug)
                .unwrap_or_else(|| ic.identity_store_id.clone()),
            None => ic.identity_store_id.clone(),
        },
        None => "sso".to_owned(),
    }
}

/// A role one `sts:AssumeRole` away from one of a user's SSO profiles
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainedProfile {
    /// Profile name: `<account>.<role name>`
    pub name: String,
    /// The role to assume
    pub role_arn: String,
    /// The SSO profile whose session assumes it
    pub source_profile: String,
    /// The condition the trust and identity policies allow it under
    pub condition: Option<String>,
}

/// Each account's part of a profile name: its name as a slug, unique in the
/// organization by construction. Account names need not be unique, and two
/// names can reduce to one slug (`ACME Dev` and `acme-dev`): every account
/// of such a clash gets `-<account id>` appended, so no generated config
/// holds two `[profile]` sections of one name (the AWS CLI refuses to read
/// such a file at all), and the names do not depend on which user asks.
pub fn account_slugs(model: &Model) -> Vec<String> {
    let base: Vec<String> = model
        .accounts()
        .iter()
        .map(|a| profile_slug(&a.name))
        .collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for b in &base {
        *count.entry(b.as_str()).or_default() += 1;
    }
    base.iter()
        .zip(model.accounts())
        .map(|(b, a)| {
            if count[b.as_str()] > 1 || b.is_empty() {
                if b.is_empty() {
                    a.id.clone()
                } else {
                    format!("{b}-{}", a.id)
                }
            } else {
                b.clone()
            }
        })
        .collect()
}

/// The profile name of an account/role pair (`<account>.<role>`), with the
/// account's part from [`account_slugs`]
fn sso_profile_name(slugs: &[String], account: crate::graph::AccountIx, role_name: &str) -> String {
    format!("{}.{role_name}", slugs[account.index()])
}

/// The roles `user`'s Identity Center sessions can assume in one hop, each
/// from the first SSO profile (by name) that allows it outright, else the
/// first that allows it under a condition
pub fn chained_profiles(model: &Model, user: UserIx) -> Vec<ChainedProfile> {
    use crate::who::chain;
    let graph = chain::RoleGraph::build(model, &[]);
    let slugs = account_slugs(model);
    let user_name = &model.snapshot().users[user].user_name;
    let mut best: BTreeMap<usize, (bool, String, Option<String>)> = BTreeMap::new();
    for (ps, acct) in model.user_pairs(user) {
        let set = model.policy_set(ps, acct);
        let labels = model.identity_labels(ps, acct);
        let role = model.provisioned_role(ps, acct);
        let (caller, _) = chain::pair_caller(model, ps, acct, user_name, &set, &labels);
        let ctx = crate::who::principal_context(model, user, acct, &role);
        let source = sso_profile_name(&slugs, acct, &model.snapshot().permission_sets[ps].name);
        for to in graph.targets_for(&model.accounts()[acct].id) {
            let Some((_, hop)) = chain::decide_hop(model, &caller, &ctx, to, &[]) else {
                continue;
            };
            let cand = (
                hop.condition.is_some(),
                source.clone(),
                hop.condition.as_ref().map(ToString::to_string),
            );
            let e = best.entry(to).or_insert_with(|| cand.clone());
            if (cand.0, &cand.1) < (e.0, &e.1) {
                *e = cand;
            }
        }
    }
    let mut out: Vec<ChainedProfile> = best
        .into_iter()
        .map(|(to, (_, source_profile, condition))| {
            let p = &model.iam_principals()[to];
            ChainedProfile {
                name: sso_profile_name(&slugs, p.account, &p.name),
                role_arn: p.arn.clone(),
                source_profile,
                condition,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The default profile name template: `<account>.<role>`
pub const DEFAULT_PROFILE_NAME: &str = "{account_name}.{role_name}";

/// How `profiles` names and configures the profiles it writes
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileOptions {
    /// Profile name template ([`NameTemplate`])
    pub name: NameTemplate,
    /// The `region` line of every profile (default: the home region)
    pub region: Option<String>,
    /// Also a `role_arn` + `source_profile` profile for every role one
    /// `sts:AssumeRole` away ([`chained_profiles`])
    pub chained: bool,
}

impl Default for ProfileOptions {
    fn default() -> ProfileOptions {
        ProfileOptions {
            name: NameTemplate::parse(DEFAULT_PROFILE_NAME).unwrap_or_default(),
            region: None,
            chained: false,
        }
    }
}

/// A profile option that cannot be used
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// A placeholder the template language does not have
    #[error("--name `{template}`: unknown placeholder `{placeholder}`; known: {{account_name}}, {{account_id}}, {{role_name}}, {{region}}, {{sso_session}} (granted's {{{{ .AccountName }}}}, {{{{ .AccountID }}}}, {{{{ .RoleName }}}} too)")]
    Placeholder {
        /// The template
        template: String,
        /// The placeholder
        placeholder: String,
    },
    /// A character botocore cannot read in a section name
    #[error("--name `{template}`: a profile name cannot hold {what}")]
    Character {
        /// The template
        template: String,
        /// What it holds
        what: &'static str,
    },
    /// Not a region name
    #[error("--region `{0}` is not an AWS region name (like eu-west-1)")]
    Region(String),
}

/// One part of a profile name template
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NamePart {
    AccountName,
    AccountId,
    RoleName,
    Region,
    SsoSession,
}

/// A profile name template: text with the placeholders aws-sso-util users
/// know (`{account_name}`, `{account_id}`, `{role_name}`, `{region}`) and
/// `{sso_session}`, or granted's (`{{ .AccountName }}`, `{{ .AccountID }}`,
/// `{{ .RoleName }}`). `account_name` is the account's name as a slug,
/// unique in the organization ([`account_slugs`])
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameTemplate {
    parts: Vec<Result<NamePart, String>>,
}

impl NameTemplate {
    /// Reads a template
    ///
    /// # Errors
    /// An unknown placeholder, an unclosed brace, or a character botocore
    /// cannot read in a `[profile NAME]` section (`]`, `#`, `;`, a line break).
    pub fn parse(template: &str) -> Result<NameTemplate, ProfileError> {
        let bad = |what| ProfileError::Character {
            template: template.to_owned(),
            what,
        };
        if template.contains(['\n', '\r']) {
            return Err(bad("a line break"));
        }
        if template.contains(']') {
            return Err(bad("`]` (it ends the section header)"));
        }
        if template.contains(['#', ';']) {
            return Err(bad("`#` or `;` (botocore reads them as a comment)"));
        }
        if template.trim().is_empty() {
            return Err(bad("nothing but spaces"));
        }
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Err(rest[..open].to_owned()));
            }
            let granted = rest[open..].starts_with("{{");
            let close_tok = if granted { "}}" } else { "}" };
            let body_start = open + if granted { 2 } else { 1 };
            let Some(len) = rest[body_start..].find(close_tok) else {
                return Err(ProfileError::Placeholder {
                    template: template.to_owned(),
                    placeholder: rest[open..].to_owned(),
                });
            };
            let body = rest[body_start..body_start + len].trim();
            let part = match (granted, body) {
                (false, "account_name") | (true, ".AccountName") => NamePart::AccountName,
                (false, "account_id") | (true, ".AccountID") | (true, ".AccountId") => {
                    NamePart::AccountId
                }
                (false, "role_name") | (true, ".RoleName") => NamePart::RoleName,
                (false, "region") | (true, ".Region") => NamePart::Region,
                (false, "sso_session") => NamePart::SsoSession,
                _ => {
                    return Err(ProfileError::Placeholder {
                        template: template.to_owned(),
                        placeholder: rest[open..body_start + len + close_tok.len()].to_owned(),
                    })
                }
            };
            parts.push(Ok(part));
            rest = &rest[body_start + len + close_tok.len()..];
        }
        if !rest.is_empty() {
            parts.push(Err(rest.to_owned()));
        }
        Ok(NameTemplate { parts })
    }

    fn render(
        &self,
        account_slug: &str,
        account_id: &str,
        role: &str,
        region: &str,
        session: &str,
    ) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Ok(NamePart::AccountName) => account_slug,
                Ok(NamePart::AccountId) => account_id,
                Ok(NamePart::RoleName) => role,
                Ok(NamePart::Region) => region,
                Ok(NamePart::SsoSession) => session,
                Err(text) => text.as_str(),
            })
            .collect()
    }
}

/// A `--region` value, checked: an AWS region name (`eu-west-1`,
/// `us-gov-west-1`, `ap-southeast-5`)
///
/// # Errors
/// [`ProfileError::Region`] for anything else.
pub fn region_name(region: &str) -> Result<String, ProfileError> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if ok {
        Ok(region.to_owned())
    } else {
        Err(ProfileError::Region(region.to_owned()))
    }
}

/// Profiles for a user: the config text, and the names the template gave
/// to more than one profile, made unique
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileConfig {
    /// `~/.aws/config` text
    pub text: String,
    /// (the name the template gave, the unique names given instead)
    pub renamed: Vec<(String, Vec<String>)>,
}

/// Makes names unique, deterministically: every name several profiles
/// share gets `-<account id>`, then, if still shared, `-<role name>`, then a
/// number; returns what was renamed
fn unique_names(names: &mut [String], keys: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut renamed: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for round in 0..3 {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for n in names.iter() {
            *count.entry(n.as_str()).or_default() += 1;
        }
        let clash: Vec<usize> = (0..names.len())
            .filter(|&i| count[names[i].as_str()] > 1)
            .collect();
        if clash.is_empty() {
            break;
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for i in clash {
            let original = names[i].clone();
            let next = match round {
                0 => format!("{original}-{}", keys[i].0),
                1 => format!("{original}-{}", keys[i].1),
                _ => {
                    let k = seen.entry(original.clone()).or_insert(0);
                    *k += 1;
                    format!("{original}-{k}")
                }
            };
            if round == 0 {
                renamed.entry(original).or_default().push(i);
            }
            names[i] = next;
        }
    }
    renamed
        .into_iter()
        .map(|(name, ix)| (name, ix.into_iter().map(|i| names[i].clone()).collect()))
        .collect()
}

/// `~/.aws/config` text for `user` with the default options: one
/// `[sso-session]` and one `[profile]` per account/role pair, with stable
/// names (`<account>.<role>`); with `chained`, also a `role_arn` +
/// `source_profile` profile for every role one `sts:AssumeRole` away
/// ([`chained_profiles`])
pub fn profiles(model: &Model, user: UserIx, chained: bool) -> String {
    profiles_with(
        model,
        user,
        &ProfileOptions {
            chained,
            ..ProfileOptions::default()
        },
    )
    .text
}

/// `~/.aws/config` for `user`, named by `opts.name` (names it gives to more
/// than one profile made unique by [`unique_names`] and reported)
pub fn profiles_with(model: &Model, user: UserIx, opts: &ProfileOptions) -> ProfileConfig {
    let p = portal(model, user);
    let Some(ic) = &model.snapshot().identity_center else {
        return ProfileConfig {
            text: String::new(),
            renamed: Vec::new(),
        };
    };
    let region = opts.region.as_deref().unwrap_or(&ic.home_region);
    let session = sso_session_name(model);
    let slugs = account_slugs(model);
    let slug_of = |id: &str, name: &str| {
        model
            .find_account_id(id)
            .map_or_else(|| profile_slug(name), |a| slugs[a.index()].clone())
    };
    // SSO profiles, then chained ones; each keyed by (account id, role).
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut default_names: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for e in &p.entries {
        let slug = slug_of(&e.account_id, &e.account_name);
        names.push(
            opts.name
                .render(&slug, &e.account_id, &e.role_name, region, &session),
        );
        default_names.push(format!("{slug}.{}", e.role_name));
        keys.push((e.account_id.clone(), e.role_name.clone()));
    }
    let chained = if opts.chained {
        chained_profiles(model, user)
    } else {
        Vec::new()
    };
    for c in &chained {
        let account = c.role_arn.split(':').nth(4).unwrap_or_default().to_owned();
        let role = c.role_arn.rsplit('/').next().unwrap_or_default().to_owned();
        let slug = slug_of(&account, &account);
        names.push(opts.name.render(&slug, &account, &role, region, &session));
        keys.push((account, role));
    }
    let renamed = unique_names(&mut names, &keys);
    let mut out = String::new();
    out.push_str(&format!(
        "# AWS CLI profiles for {} (generated by accessgraph from the snapshot)\n\n",
        p.user_name
    ));
    for (name, unique) in &renamed {
        out.push_str(&format!(
            "# `{name}` would name {} profiles: named {} instead\n",
            unique.len(),
            unique.join(", ")
        ));
    }
    if !renamed.is_empty() {
        out.push('\n');
    }
    out.push_str(&format!(
        "[sso-session {session}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n",
        p.portal_url, ic.home_region
    ));
    for (e, name) in p.entries.iter().zip(&names) {
        out.push_str(&format!(
            "\n[profile {name}]\nsso_session = {session}\nsso_account_id = {}\nsso_role_name = {}\nregion = {region}\n",
            e.account_id, e.role_name,
        ));
    }
    for (c, name) in chained.iter().zip(&names[p.entries.len()..]) {
        let source = default_names
            .iter()
            .position(|d| *d == c.source_profile)
            .map_or(c.source_profile.as_str(), |i| names[i].as_str());
        if let Some(cond) = &c.condition {
            out.push_str(&format!("\n# allowed only if {cond}"));
        }
        out.push_str(&format!(
            "\n[profile {name}]\nrole_arn = {}\nsource_profile = {source}\nregion = {region}\n",
            c.role_arn
        ));
    }
    ProfileConfig { text: out, renamed }
}

/// One SSO profile of a config file, checked
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileCheck {
    /// Profile name
    pub profile: String,
    /// `sso_account_id`
    pub account_id: String,
    /// `sso_role_name`
    pub role_name: String,
    /// `ok`, `no-access`, `other-instance`, `incomplete`, `invalid-config`
    /// (a repeated section: the CLI reads nothing of the file); for role
    /// profiles also `assume-denied`, `conditional`, `unknown-role`
    pub status: &'static str,
    /// What the AWS CLI would say
    pub message: String,
}

/// The `ForbiddenException` the AWS CLI prints for a profile whose
/// account/role pair the user is not assigned
pub const NO_ACCESS: &str =
    "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access";

/// Checks every SSO profile of an AWS config file against what `user` is
/// assigned
pub fn check_profiles(model: &Model, user: UserIx, config: &str) -> Vec<ProfileCheck> {
    let sections = parse_ini(config);
    let sessions: BTreeMap<&str, &BTreeMap<String, String>> = sections
        .iter()
        .filter_map(|(name, kv)| name.strip_prefix("sso-session ").map(|n| (n.trim(), kv)))
        .collect();
    let portal = portal(model, user);
    let urls: Vec<String> = model
        .snapshot()
        .identity_center
        .iter()
        .flat_map(|ic| {
            std::iter::once(ic.access_portal.default_url.clone())
                .chain(ic.access_portal.custom_url.clone())
        })
        .map(|u| normal_url(&u).to_owned())
        .collect();
    let mut out = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, _) in &sections {
        *seen.entry(name.as_str()).or_default() += 1;
    }
    for (name, kv) in &sections {
        let profile = if name == "default" {
            "default"
        } else if let Some(p) = name.strip_prefix("profile ") {
            p.trim()
        } else {
            continue;
        };
        if seen[name.as_str()] > 1 {
            // configparser is strict: the CLI reads no profile of this file.
            if !out.iter().any(|c: &ProfileCheck| c.profile == profile) {
                out.push(ProfileCheck {
                    profile: profile.to_owned(),
                    account_id: kv.get("sso_account_id").cloned().unwrap_or_default(),
                    role_name: kv.get("sso_role_name").cloned().unwrap_or_default(),
                    status: "invalid-config",
                    message: format!(
                        "section [{name}] appears {} times: the AWS CLI cannot read this config at all (DuplicateSectionError)",
                        seen[name.as_str()]
                    ),
                });
            }
            continue;
        }
        if kv.contains_key("role_arn") {
            out.push(check_role_profile(
                model, user, &sections, profile, &portal, &urls, &sessions,
            ));
            continue;
        }
        // botocore treats a profile as SSO when it has any SSO key, and then
        // requires the account, the role, the start URL and the region
        // (from the profile, or from its sso-session).
        const SSO_KEYS: [&str; 5] = [
            "sso_account_id",
            "sso_role_name",
            "sso_start_url",
            "sso_region",
            "sso_session",
        ];
        if !SSO_KEYS.iter().any(|k| kv.contains_key(*k)) {
            continue; // not an SSO profile
        }
        let account_id = kv.get("sso_account_id").cloned().unwrap_or_default();
        let role_name = kv.get("sso_role_name").cloned().unwrap_or_default();
        let session = kv.get("sso_session").and_then(|s| sessions.get(s.as_str()));
        let from_either = |key: &str| {
            kv.get(key)
                .cloned()
                .or_else(|| session.and_then(|s| s.get(key).cloned()))
        };
        let start_url = from_either("sso_start_url");
        let mut missing: Vec<&str> = Vec::new();
        if kv.contains_key("sso_session") && session.is_none() {
            missing.push("its sso-session section");
        }
        if account_id.is_empty() {
            missing.push("sso_account_id");
        }
        if role_name.is_empty() {
            missing.push("sso_role_name");
        }
        if start_url.is_none() {
            missing.push("sso_start_url");
        }
        if from_either("sso_region").is_none() {
            missing.push("sso_region");
        }
        // A missing start URL is among `missing`: `None` here is incomplete.
        let (status, message) = match start_url.filter(|_| missing.is_empty()) {
            None => (
                "incomplete",
                format!(
                    "The profile \"{profile}\" is configured to use SSO but is missing required configuration: {}",
                    missing.join(", ")
                ),
            ),
            Some(url) if !urls.iter().any(|u| *u == normal_url(&url)) => {
                (
                    "other-instance",
                    format!("start URL {url} is not this snapshot's access portal"),
                )
            }
            Some(_) => {
                let has = portal
                    .entries
                    .iter()
                    .any(|e| e.account_id == account_id && e.role_name == role_name);
                if has {
                    ("ok", "assigned".to_owned())
                } else if !portal.enabled {
                    ("no-access", format!("user is disabled; {NO_ACCESS}"))
                } else {
                    ("no-access", NO_ACCESS.to_owned())
                }
            }
        };
        out.push(ProfileCheck {
            profile: profile.to_owned(),
            account_id,
            role_name,
            status,
            message,
        });
    }
    out.sort_by(|a, b| a.profile.cmp(&b.profile));
    out
}

/// A start URL without the trailing `/`, `#` or `/#` the portal accepts
fn normal_url(url: &str) -> &str {
    url.trim().trim_end_matches(['/', '#'])
}

/// The config's profile sections by profile name
fn profile_section<'a>(
    sections: &'a [(String, BTreeMap<String, String>)],
    name: &str,
) -> Option<&'a BTreeMap<String, String>> {
    sections
        .iter()
        .find(|(n, _)| {
            (name == "default" && n == "default")
                || n.strip_prefix("profile ").is_some_and(|p| p.trim() == name)
        })
        .map(|(_, kv)| kv)
}

/// Checks a `role_arn` + `source_profile` profile: its source must work
/// (an SSO profile the user is assigned, or another role profile that
/// works), and the source's session must be allowed `sts:AssumeRole` on the
/// role by the role's trust policy and the source's policies
fn check_role_profile(
    model: &Model,
    user: UserIx,
    sections: &[(String, BTreeMap<String, String>)],
    profile: &str,
    portal: &Portal,
    urls: &[String],
    sessions: &BTreeMap<&str, &BTreeMap<String, String>>,
) -> ProfileCheck {
    use crate::who::chain;
    let Some(kv) = profile_section(sections, profile) else {
        return ProfileCheck {
            profile: profile.to_owned(),
            account_id: String::new(),
            role_name: String::new(),
            status: "incomplete",
            message: "no such profile".to_owned(),
        };
    };
    let role_arn = kv.get("role_arn").cloned().unwrap_or_default();
    let account_id = role_arn.split(':').nth(4).unwrap_or_default().to_owned();
    let role_name = role_arn.rsplit('/').next().unwrap_or_default().to_owned();
    let done = |status: &'static str, message: String| ProfileCheck {
        profile: profile.to_owned(),
        account_id: account_id.clone(),
        role_name: role_name.clone(),
        status,
        message,
    };
    // Walk the source_profile chain down to its SSO profile (at most ten
    // roles, as a loop in the file must not hang the check).
    let mut roles = vec![role_arn.clone()];
    let mut cur = kv;
    let mut seen = vec![profile.to_owned()];
    let sso = loop {
        let Some(src) = cur.get("source_profile") else {
            return done(
                "incomplete",
                "role_arn without source_profile (credential_source is not checked)".to_owned(),
            );
        };
        if seen.contains(src) || seen.len() > 10 {
            return done(
                "incomplete",
                format!("source_profile `{src}` loops back to a profile already on the chain"),
            );
        }
        seen.push(src.clone());
        let Some(next) = profile_section(sections, src) else {
            return done(
                "incomplete",
                format!("source_profile `{src}` is not in the file"),
            );
        };
        match next.get("role_arn") {
            Some(r) => {
                roles.push(r.clone());
                cur = next;
            }
            None => break (src.clone(), next),
        }
    };
    let (sso_name, sso_kv) = sso;
    let (Some(sso_account), Some(sso_role)) =
        (sso_kv.get("sso_account_id"), sso_kv.get("sso_role_name"))
    else {
        return done(
            "incomplete",
            format!("source profile `{sso_name}` is neither an SSO profile nor a role profile"),
        );
    };
    let start_url = sso_kv.get("sso_start_url").cloned().or_else(|| {
        sso_kv
            .get("sso_session")
            .and_then(|s| sessions.get(s.as_str()))
            .and_then(|s| s.get("sso_start_url").cloned())
    });
    if !start_url.is_some_and(|u| {
        urls.iter()
            .any(|x| *x == u.trim_end_matches('/').trim_end_matches('#'))
    }) {
        return done(
            "other-instance",
            format!(
                "source profile `{sso_name}` does not sign in at this snapshot's access portal"
            ),
        );
    }
    if !portal
        .entries
        .iter()
        .any(|e| &e.account_id == sso_account && &e.role_name == sso_role)
        || !portal.enabled
    {
        return done(
            "no-access",
            format!("source profile `{sso_name}`: {NO_ACCESS}"),
        );
    }
    // The SSO session, then each hop in the order the CLI takes them.
    let Some(a) = model.access(user).into_iter().find(|a| {
        &model.accounts()[a.account].id == sso_account
            && &model.snapshot().permission_sets[a.permission_set].name == sso_role
    }) else {
        return done("no-access", NO_ACCESS.to_owned());
    };
    let (ps, acct) = (a.permission_set, a.account);
    let set = model.policy_set(ps, acct);
    let labels = model.identity_labels(ps, acct);
    let role = model.provisioned_role(ps, acct);
    let user_name = &model.snapshot().users[user].user_name;
    let (first_caller, _) = chain::pair_caller(model, ps, acct, user_name, &set, &labels);
    let mut caller_arn = first_caller.arn.clone();
    let mut ctx = crate::who::principal_context(model, user, acct, &role);
    let mut caller_set = set.clone();
    let mut caller_labels = labels.clone();
    let mut conditions = Vec::new();
    let mut tags_chosen = false;
    let mut sid_chosen = false;
    for arn in roles.iter().rev() {
        let Some(to) = model.find_iam(arn) else {
            let what = if model
                .snapshot()
                .iam
                .iter()
                .any(|i| arn.split(':').nth(4) == Some(i.account_id.as_str()))
            {
                "is not a role of its account's IAM data: AssumeRole would fail"
            } else {
                "is in an account whose IAM data the snapshot lacks: cannot tell"
            };
            return done("unknown-role", format!("`{arn}` {what}"));
        };
        let caller = chain::Caller {
            arn: caller_arn.clone(),
            set: &caller_set,
            labels: &caller_labels,
        };
        let Some((_, hop)) = chain::decide_hop(model, &caller, &ctx, to, &[]) else {
            return done(
                "assume-denied",
                format!(
                    "An error occurred (AccessDenied) when calling the AssumeRole operation: User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {arn}"
                ),
            );
        };
        if let Some(c) = &hop.condition {
            conditions.push(c.to_string());
        }
        tags_chosen |= hop.tag_session;
        sid_chosen |= hop.source_identity;
        let p = &model.iam_principals()[to];
        caller_arn = chain::chained_session_arn(model, to);
        ctx = chain::chained_context(model, to, tags_chosen, sid_chosen);
        caller_set = p.set.clone();
        caller_labels = p.labels.clone();
    }
    if conditions.is_empty() {
        done(
            "ok",
            format!("assumed from `{sso_name}` in {} hop(s)", roles.len()),
        )
    } else {
        done(
            "conditional",
            format!("AssumeRole is allowed only if {}", conditions.join(" AND ")),
        )
    }
}

/// A minimal INI reader for AWS config files: `[section]`, `key = value`,
/// `#` and `;` comments; keys lower-cased
pub fn parse_ini(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.trim().to_owned(), BTreeMap::new()));
        } else if let (Some(at), Some(last)) = (line.find(['=', ':']), out.last_mut()) {
            // As botocore's RawConfigParser: `=` or `:`, whichever comes first.
            let (k, v) = (&line[..at], &line[at + 1..]);
            last.1
                .insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    out
}

/// Who can administer Identity Center
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Admins {
    /// The management account: full control
    pub management_account: Option<AccountRef>,
    /// The delegated administrator, if registered
    pub delegated_administrator: Option<AccountRef>,
    /// What the delegated administrator cannot do
    pub delegated_limits: Vec<String>,
    /// Permission sets provisioned to the management account: only the
    /// management account can manage them
    pub management_only_permission_sets: Vec<String>,
    /// Identity Center users who reach an administering account with a
    /// permission set that allows `sso:CreateAccountAssignment`
    pub administrators: Vec<AdminPath>,
}

/// An account, by id and name
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRef {
    /// Id
    pub id: String,
    /// Name
    pub name: String,
}

/// One user able to administer Identity Center, and how
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminPath {
    /// User name
    pub user_name: String,
    /// Account id
    pub account_id: String,
    /// `management` or `delegated administrator`
    pub role: &'static str,
    /// Permission set
    pub permission_set: String,
    /// `direct` or `group:<name>`
    pub via: String,
    /// `allow` or `conditional: <condition>`
    pub decision: String,
}

/// The delegated administrator's limits (AWS documentation)
pub const DELEGATED_LIMITS: &[&str] = &[
    "cannot manage permission sets provisioned to the management account",
    "cannot enable or delete the Identity Center instance",
    "cannot register or deregister delegated administrators",
    "is bound by SCPs, unlike the management account",
];

/// Who can administer Identity Center in this organization
pub fn admins(model: &Model) -> Admins {
    let org = model.snapshot().organization.as_ref();
    let account_ref = |id: &str| AccountRef {
        id: id.to_owned(),
        name: model
            .find_account(id)
            .map(|i| model.accounts()[i].name.clone())
            .unwrap_or_default(),
    };
    let management_account = org.map(|o| account_ref(&o.management_account_id));
    let delegated_administrator = org
        .and_then(|o| {
            o.delegated_administrators
                .iter()
                .find(|d| d.service_principal == "sso.amazonaws.com")
        })
        .map(|d| account_ref(&d.account_id));
    let mgmt_id = management_account.as_ref().map(|a| a.id.clone());
    let mut management_only: Vec<String> = model
        .snapshot()
        .permission_sets
        .iter()
        .filter(|ps| {
            mgmt_id.as_ref().is_some_and(|m| {
                ps.provisioning.iter().any(|p| &p.account_id == m)
                    || model
                        .snapshot()
                        .assignments
                        .iter()
                        .any(|a| a.permission_set_arn == ps.arn && &a.account_id == m)
            })
        })
        .map(|ps| ps.name.clone())
        .collect();
    management_only.sort();
    let resource = model
        .snapshot()
        .identity_center
        .as_ref()
        .map(|ic| ic.instance_arn.clone())
        .unwrap_or_else(|| "*".into());
    let mut administrators = Vec::new();
    for (u, user) in model.user_ids().zip(&model.snapshot().users) {
        if !model.user_enabled(u) {
            continue;
        }
        for a in &model.access(u) {
            let acct = &model.accounts()[a.account];
            let role = if Some(&acct.id) == mgmt_id.as_ref() {
                "management"
            } else if delegated_administrator
                .as_ref()
                .is_some_and(|d| d.id == acct.id)
            {
                "delegated administrator"
            } else {
                continue;
            };
            let set = model.policy_set(a.permission_set, a.account);
            let prole = model.provisioned_role(a.permission_set, a.account);
            let Ok(req) = Request::new(
                &prole.session_arn(&acct.id, &user.user_name),
                "sso:CreateAccountAssignment",
                &resource,
                Some(&acct.id),
            ) else {
                continue;
            };
            let ctx = crate::who::principal_context(model, u, a.account, &prole);
            let e = evaluate(&req, &ctx, &set);
            let decision = match e.answer {
                Answer::Decided(Decision::Allow) => "allow".to_owned(),
                Answer::Conditional(r) => format!("conditional: {r}"),
                Answer::Decided(_) => continue,
            };
            administrators.push(AdminPath {
                user_name: user.user_name.clone(),
                account_id: acct.id.clone(),
                role,
                permission_set: model.snapshot().permission_sets[a.permission_set]
                    .name
                    .clone(),
                via: via_text(model, a.via),
                decision,
            });
        }
    }
    administrators.sort_by(|a, b| {
        (&a.user_name, &a.account_id, &a.permission_set, &a.via).cmp(&(
            &b.user_name,
            &b.account_id,
            &b.permission_set,
            &b.via,
        ))
    });
    Admins {
        management_account,
        delegated_limits: if delegated_administrator.is_some() {
            DELEGATED_LIMITS.iter().map(|s| (*s).to_owned()).collect()
        } else {
            Vec::new()
        },
        delegated_administrator,
        management_only_permission_sets: management_only,
        administrators,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: account names need not be unique, and `ACME Dev` beside
    /// `acme-dev` reduced to one profile name: two `[profile acme-dev.X]`
    /// sections, which makes the AWS CLI refuse the whole config
    #[test]
    fn name_templates_read_both_spellings_and_refuse_what_botocore_cannot_read() {
        let t = NameTemplate::parse("{account_id}/{{ .RoleName }}-{region}").unwrap();
        assert_eq!(t.render("a", "1", "R", "eu-west-1", "s"), "1/R-eu-west-1");
        assert!(matches!(
            NameTemplate::parse("{account}.{role_name}"),
            Err(ProfileError::Placeholder { placeholder, .. }) if placeholder == "{account}"
        ));
        assert!(matches!(
            NameTemplate::parse("{role_name"),
            Err(ProfileError::Placeholder { .. })
        ));
        for bad in ["a]b", "a#b", "a;b", "a\nb", "  "] {
            assert!(
                matches!(
                    NameTemplate::parse(bad),
                    Err(ProfileError::Character { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(region_name("us-gov-west-1").unwrap(), "us-gov-west-1");
        for bad in ["eu-west", "EU-west-1", "euwest1", "eu--1"] {
            assert!(region_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_a_template_repeats_are_made_unique_and_reported() {
        let mut names: Vec<String> = ["Admin", "Admin", "Read", "Admin"].map(String::from).into();
        let keys: Vec<(String, String)> = [
            ("1", "Admin"),
            ("2", "Admin"),
            ("1", "Read"),
            ("2", "Admin"),
        ]
        .map(|(a, r)| (a.to_owned(), r.to_owned()))
        .into();
        let renamed = unique_names(&mut names, &keys);
        // Same account and role twice (a chained role named like a set):
        // the account, then the role, then a number.
        assert_eq!(
            names,
            ["Admin-1", "Admin-2-Admin-1", "Read", "Admin-2-Admin-2"]
        );
        assert_eq!(
            renamed,
            [(
                "Admin".to_owned(),
                vec![
                    "Admin-1".to_owned(),
                    "Admin-2-Admin-1".to_owned(),
                    "Admin-2-Admin-2".to_owned()
                ]
            )]
        );
        // The default template on acme renames nothing; `{role_name}` does,
        // and every name is then unique.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/acme/snapshot.json");
        let m = Model::build(
            crate::snapshot::Snapshot::from_json(&std::fs::read_to_string(path).unwrap()).unwrap(),
        )
        .unwrap();
        let u = m.find_user("grace.obi@acme.example").unwrap();
        assert!(profiles_with(&m, u, &ProfileOptions::default())
            .renamed
            .is_empty());
        let opts = ProfileOptions {
            name: NameTemplate::parse("{role_name}").unwrap(),
            region: Some("us-east-2".into()),
            chained: true,
        };
        let c = profiles_with(&m, u, &opts);
        assert!(!c.renamed.is_empty());
        let sections: Vec<String> = parse_ini(&c.text).into_iter().map(|(n, _)| n).collect();
        let unique: std::collections::BTreeSet<&String> = sections.iter().collect();
        assert_eq!(unique.len(), sections.len(), "{}", c.text);
        let regions: Vec<&str> = c
            .text
            .lines()
            .filter(|l| l.starts_with("region = "))
            .collect();
        assert!(
            !regions.is_empty() && regions.iter().all(|l| *l == "region = us-east-2"),
            "{}",
            c.text
        );
    }

    #[test]
    fn profile_names_are_unique_when_account_names_clash() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/acme/snapshot.json");
        let mut snap =
            crate::snapshot::Snapshot::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let org = snap.organization.as_mut().unwrap();
        let staging = org
            .accounts
            .iter_mut()
            .find(|a| a.name == "acme-staging")
            .unwrap();
        staging.name = "ACME Dev".into();
        let m = Model::build(snap).unwrap();
        let slugs = account_slugs(&m);
        let dev = m.find_account_id("210000000202").unwrap();
        let renamed = m.find_account_id("210000000201").unwrap();
        assert_eq!(slugs[dev.index()], "acme-dev-210000000202");
        assert_eq!(slugs[renamed.index()], "acme-dev-210000000201");
        assert_eq!(
            slugs[m.find_account_id("210000000101").unwrap().index()],
            "acme-prod"
        );
        // Every user's config: section names unique, and a user of both
        // accounts has a profile in each.
        let mut both = 0;
        for u in m.user_ids() {
            let text = profiles(&m, u, true);
            let sections: Vec<String> = parse_ini(&text).into_iter().map(|(n, _)| n).collect();
            let unique: std::collections::BTreeSet<&String> = sections.iter().collect();
            assert_eq!(unique.len(), sections.len(), "{text}");
            if text.contains("sso_account_id = 210000000202")
                && text.contains("sso_account_id = 210000000201")
            {
                both += 1;
                assert!(text.contains("[profile acme-dev-210000000202."), "{text}");
                assert!(text.contains("[profile acme-dev-210000000201."), "{text}");
            }
        }
        assert!(both > 0, "some acme user reaches both accounts");
    }

    /// Issue 17: `profiles check` said `ok` for profiles the AWS CLI
    /// rejects, skipped one with an account but no role, matched the start
    /// URL one way only, and ignored `key: value` lines. The expected
    /// statuses follow botocore: `RawConfigParser` (delimiters `=` and `:`,
    /// strict about duplicate sections) and its SSO requirements (account,
    /// role, start URL and region, from the profile or its sso-session).
    #[test]
    fn profiles_check_reads_and_judges_like_botocore() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/acme/snapshot.json");
        let snap =
            crate::snapshot::Snapshot::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let m = Model::build(snap).unwrap();
        let u = m
            .user_ids()
            .find(|&u| !portal(&m, u).entries.is_empty())
            .unwrap();
        let p = portal(&m, u);
        let e = &p.entries[0];
        let url = p.portal_url.trim_end_matches('/');
        let region = &m.snapshot().identity_center.as_ref().unwrap().home_region;
        let (acct, role) = (&e.account_id, &e.role_name);
        let config = format!(
            "[profile colon]\nsso_start_url: {url}/#\nsso_region: {region}\nsso_account_id: {acct}\nsso_role_name: {role}\n\n\
             [profile no-region]\nsso_start_url = {url}\nsso_account_id = {acct}\nsso_role_name = {role}\n\n\
             [profile no-role]\nsso_start_url = {url}\nsso_region = {region}\nsso_account_id = {acct}\n\n\
             [sso-session s]\nsso_start_url = {url}/\nsso_region = {region}\n\n\
             [profile via-session]\nsso_session = s\nsso_account_id = {acct}\nsso_role_name = {role}\n\n\
             [profile lost-session]\nsso_session = nope\nsso_account_id = {acct}\nsso_role_name = {role}\n\n\
             [profile plain]\nregion = {region}\n"
        );
        let got: BTreeMap<String, (&str, String)> = check_profiles(&m, u, &config)
            .into_iter()
            .map(|c| (c.profile, (c.status, c.message)))
            .collect();
        assert_eq!(
            got["colon"].0, "ok",
            "`:` lines and `/#` read as botocore does"
        );
        assert_eq!(got["via-session"].0, "ok");
        assert_eq!(got["no-region"].0, "incomplete");
        assert!(got["no-region"]
            .1
            .ends_with("missing required configuration: sso_region"));
        assert_eq!(got["no-role"].0, "incomplete");
        assert!(got["no-role"].1.contains("sso_role_name"));
        assert_eq!(got["lost-session"].0, "incomplete");
        assert!(!got.contains_key("plain"), "not an SSO profile");
        // A repeated section: the CLI reads nothing of this file.
        let twice = format!("{config}\n[profile colon]\nregion = {region}\n");
        let dup = check_profiles(&m, u, &twice);
        let colon: Vec<_> = dup.iter().filter(|c| c.profile == "colon").collect();
        assert_eq!(colon.len(), 1);
        assert_eq!(colon[0].status, "invalid-config");
    }
}
