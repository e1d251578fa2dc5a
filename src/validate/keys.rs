//! Condition key types: the global `aws:` keys (a hand-written table, the
//! catalog has none) and the service keys of the action catalog.

use crate::data::catalog;

/// What a condition key holds
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// Text
    String,
    /// An ARN
    Arn,
    /// A number
    Numeric,
    /// A date (ISO 8601 or epoch seconds)
    Date,
    /// `true` or `false`
    Bool,
    /// An IP address or range
    Ip,
    /// Base64 bytes
    Binary,
}

impl KeyType {
    /// The name IAM's documentation uses
    pub fn name(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::Arn => "ARN",
            KeyType::Numeric => "Numeric",
            KeyType::Date => "Date",
            KeyType::Bool => "Bool",
            KeyType::Ip => "IPAddress",
            KeyType::Binary => "Binary",
        }
    }
}

/// A condition key's type and whether a request can carry several values
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    /// Its type
    pub ty: KeyType,
    /// Multivalued (a set operator is needed to compare it)
    pub multi: bool,
}

/// The global condition keys (IAM User Guide, "AWS global condition context
/// keys"), lower case; a trailing `/` takes any tag key after it
const GLOBAL: &[(&str, KeyType, bool)] = &[
    ("aws:principaltag/", KeyType::String, false),
    ("aws:resourcetag/", KeyType::String, false),
    ("aws:requesttag/", KeyType::String, false),
    ("aws:tagkeys", KeyType::String, true),
    ("aws:principalaccount", KeyType::String, false),
    ("aws:principalarn", KeyType::Arn, false),
    ("aws:principalorgid", KeyType::String, false),
    ("aws:principalorgpaths", KeyType::String, true),
    ("aws:principaltype", KeyType::String, false),
    ("aws:principalisawsservice", KeyType::Bool, false),
    ("aws:principalservicename", KeyType::String, false),
    ("aws:principalservicenameslist", KeyType::String, true),
    ("aws:userid", KeyType::String, false),
    ("aws:username", KeyType::String, false),
    ("aws:sourceip", KeyType::Ip, false),
    ("aws:vpcsourceip", KeyType::Ip, false),
    ("aws:sourcevpc", KeyType::String, false),
    ("aws:sourcevpcarn", KeyType::Arn, false),
    ("aws:sourcevpce", KeyType::String, false),
    ("aws:vpceaccount", KeyType::String, false),
    ("aws:vpceorgid", KeyType::String, false),
    ("aws:vpceorgpaths", KeyType::String, true),
    ("aws:currenttime", KeyType::Date, false),
    ("aws:epochtime", KeyType::Date, false),
    ("aws:tokenissuetime", KeyType::Date, false),
    ("aws:multifactorauthpresent", KeyType::Bool, false),
    ("aws:multifactorauthage", KeyType::Numeric, false),
    ("aws:securetransport", KeyType::Bool, false),
    ("aws:requestedregion", KeyType::String, false),
    ("aws:calledvia", KeyType::String, true),
    ("aws:calledviafirst", KeyType::String, false),
    ("aws:calledvialast", KeyType::String, false),
    ("aws:viaawsservice", KeyType::Bool, false),
    ("aws:federatedprovider", KeyType::String, false),
    ("aws:sourceidentity", KeyType::String, false),
    ("aws:rolesessionname", KeyType::String, false),
    ("aws:useragent", KeyType::String, false),
    ("aws:referer", KeyType::String, false),
    ("aws:sourcearn", KeyType::Arn, false),
    ("aws:sourceaccount", KeyType::String, false),
    ("aws:sourceorgid", KeyType::String, false),
    ("aws:sourceorgpaths", KeyType::String, true),
    ("aws:resourceaccount", KeyType::String, false),
    ("aws:resourceorgid", KeyType::String, false),
    ("aws:resourceorgpaths", KeyType::String, true),
    ("aws:ec2instancesourcevpc", KeyType::String, false),
    ("aws:ec2instancesourceprivateipv4", KeyType::Ip, false),
    // In AWS managed policies (AWSMcpServiceActionsFullAccess,
    // AWSSSOServiceRolePolicy), not on the global keys page.
    ("aws:ismcpserviceaction", KeyType::Bool, false),
    ("aws:principalorgmasteraccountid", KeyType::String, false),
];

/// The keys of identity federation (IAM User Guide, "Available keys for
/// SAML-based AWS STS federation" and "Available keys for AWS web identity
/// federation"), lower case, with whether they are multivalued (the
/// eduPerson attributes are lists). An Identity Center role's trust policy
/// tests `SAML:aud`.
const FEDERATION: &[(&str, bool)] = &[
    ("saml:aud", false),
    ("saml:iss", false),
    ("saml:sub", false),
    ("saml:sub_type", false),
    ("saml:namequalifier", false),
    ("saml:doc", false),
    ("saml:cn", false),
    ("saml:commonname", false),
    ("saml:givenname", false),
    ("saml:surname", false),
    ("saml:mail", false),
    ("saml:name", false),
    ("saml:uid", false),
    ("saml:organizationstatus", false),
    ("saml:primarygroupsid", false),
    ("saml:x500uniqueidentifier", false),
    ("saml:eduorghomepageuri", false),
    ("saml:eduorgidentityauthnpolicyuri", false),
    ("saml:eduorglegalname", false),
    ("saml:eduorgsuperioruri", false),
    ("saml:eduorgwhitepagesuri", false),
    ("saml:edupersonaffiliation", true),
    ("saml:edupersonassurance", true),
    ("saml:edupersonentitlement", true),
    ("saml:edupersonnickname", true),
    ("saml:edupersonorgdn", false),
    ("saml:edupersonorgunitdn", true),
    ("saml:edupersonprimaryaffiliation", false),
    ("saml:edupersonprimaryorgunitdn", false),
    ("saml:edupersonprincipalname", false),
    ("saml:edupersonscopedaffiliation", true),
    ("saml:edupersontargetedid", true),
    ("accounts.google.com:aud", false),
    ("accounts.google.com:oaud", false),
    ("accounts.google.com:sub", false),
    ("cognito-identity.amazonaws.com:aud", false),
    ("cognito-identity.amazonaws.com:sub", false),
    ("cognito-identity.amazonaws.com:amr", true),
    ("graph.facebook.com:app_id", false),
    ("graph.facebook.com:id", false),
    ("www.amazon.com:app_id", false),
    ("www.amazon.com:user_id", false),
];

/// A key of identity federation: a SAML key, a web identity provider's, or
/// an OIDC provider's (its prefix is the provider's host and path,
/// `token.actions.githubusercontent.com:sub`: the claims a provider sends
/// are its own, so any name after a host is read as a string); `None`
/// otherwise
pub fn federation(key: &str) -> Option<KeyInfo> {
    let lower = key.to_ascii_lowercase();
    if let Some(&(_, multi)) = FEDERATION.iter().find(|(k, _)| *k == lower) {
        return Some(KeyInfo {
            ty: KeyType::String,
            multi,
        });
    }
    let (prefix, name) = lower.rsplit_once(':')?;
    let host = prefix.split('/').next().unwrap_or(prefix);
    let oidc = prefix != "saml"
        && host.contains('.')
        && !name.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    oidc.then_some(KeyInfo {
        ty: KeyType::String,
        multi: false,
    })
}

fn catalog_type(t: &str) -> KeyInfo {
    let (multi, base) = match t.strip_prefix("ArrayOf") {
        Some(b) => (true, b),
        None => (false, t),
    };
    let ty = match base {
        "ARN" | "Arn" => KeyType::Arn,
        "Numeric" | "Long" | "Integer" => KeyType::Numeric,
        "Date" => KeyType::Date,
        "Bool" | "Boolean" => KeyType::Bool,
        "IPAddress" | "IpAddress" => KeyType::Ip,
        "Binary" => KeyType::Binary,
        _ => KeyType::String,
    };
    KeyInfo { ty, multi }
}

/// Whether a key is global (`aws:`)
pub fn is_global(key: &str) -> bool {
    key.len() > 4 && key[..4].eq_ignore_ascii_case("aws:")
}

/// A global key's type, or `None` for an `aws:` key that does not exist
pub fn global(key: &str) -> Option<KeyInfo> {
    let lower = key.to_ascii_lowercase();
    GLOBAL.iter().find_map(|&(k, ty, multi)| {
        let hit = if let Some(prefix) = k.strip_suffix('/') {
            lower
                .strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|tag| !tag.is_empty())
        } else {
            lower == k.to_ascii_lowercase()
        };
        hit.then_some(KeyInfo { ty, multi })
    })
}

/// The close global keys, for a hint
pub fn global_names() -> impl Iterator<Item = &'static str> {
    GLOBAL.iter().map(|(k, _, _)| *k)
}

/// A service key as the catalog names it (`s3:ExistingObjectTag/<key>`
/// matches `s3:ExistingObjectTag/${TagKey}`), with its type; `None` when
/// the service has no such key, `Some(None)`-like cases are folded: the
/// outer `None` means the service prefix is unknown
pub fn service(key: &str) -> Option<Option<(String, KeyInfo)>> {
    let (prefix, _) = key.split_once(':')?;
    let svc = catalog().services.get(&prefix.to_ascii_lowercase())?;
    let lower = key.to_ascii_lowercase();
    Some(svc.condition_keys.iter().find_map(|(name, ty)| {
        let n = name.to_ascii_lowercase();
        // `${TagKey}`, `<key>`: any non-empty text there.
        let hit = if n.contains(['$', '<']) {
            crate::policy::glob::Glob::new(&placeholders_as_stars(&n)).is_match(&lower)
        } else {
            n == lower
        };
        hit.then(|| (name.clone(), catalog_type(ty)))
    }))
}

/// A catalog name with its `${...}` and `<...>` placeholders as `*`
pub fn placeholders_as_stars(name: &str) -> String {
    let mut out = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if chars.peek() == Some(&'{') => {
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                }
                out.push('*');
            }
            '<' => {
                for d in chars.by_ref() {
                    if d == '>' {
                        break;
                    }
                }
                out.push('*');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_and_service_keys_have_types() {
        assert_eq!(global("aws:SourceIp").unwrap().ty, KeyType::Ip);
        assert!(global("aws:TagKeys").unwrap().multi);
        assert_eq!(global("aws:PrincipalTag/team").unwrap().ty, KeyType::String);
        assert_eq!(global("aws:PrincipalTag/"), None);
        assert_eq!(global("aws:SourceIP").unwrap().ty, KeyType::Ip, "any case");
        assert_eq!(global("aws:SorceIp"), None);
        let (name, info) = service("s3:ExistingObjectTag/owner").unwrap().unwrap();
        assert_eq!(name, "s3:ExistingObjectTag/<key>");
        assert_eq!(info.ty, KeyType::String);
        assert!(service("s3:NoSuchKey").unwrap().is_none());
        let (name, _) = service("kms:EncryptionContext:aws:s3:arn")
            .unwrap()
            .unwrap();
        assert_eq!(name, "kms:EncryptionContext:${EncryptionContextKey}");
        assert!(service("nosuchservice:x").is_none());
    }
}
