//! Every check with a document that raises it and one, as close as possible,
//! that does not.

use super::*;

use PolicyType::{Boundary, Identity, Rcp, Resource, Scp, Trust};

fn doc(text: &str) -> JsonValue {
    JsonValue::parse(text).unwrap()
}

fn codes(text: &str, ty: PolicyType) -> Vec<&'static str> {
    validate(&doc(text), ty)
        .into_iter()
        .map(|f| f.code)
        .collect()
}

/// A 2012-10-17 identity document of one statement
fn one(stmt: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{stmt}]}}"#)
}

const OK: &str = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#;

/// (code, type, raises it, does not)
fn cases() -> Vec<(&'static str, PolicyType, String, String)> {
    let trust_ok = r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}"#;
    vec![
        ("not-an-object", Identity, "[]".into(), one(OK)),
        ("policy-too-large", Scp, one(&vec![r#"{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}"#; 100].join(", ")), one(r#"{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}"#)),
        ("invalid-version", Identity, format!(r#"{{"Version": "2012-10-18", "Statement": [{OK}]}}"#), one(OK)),
        ("missing-version", Identity, format!(r#"{{"Statement": [{OK}]}}"#), one(OK)),
        ("old-version", Identity, format!(r#"{{"Version": "2008-10-17", "Statement": [{OK}]}}"#), one(OK)),
        ("unknown-element", Identity, format!(r#"{{"Version": "2012-10-17", "Statements": [{OK}]}}"#), one(OK)),
        ("missing-statement", Identity, r#"{"Version": "2012-10-17"}"#.into(), one(OK)),
        ("statement-not-object", Identity, r#"{"Version": "2012-10-17", "Statement": ["x"]}"#.into(), one(OK)),
        ("unknown-statement-element", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Conditions": {}}"#), one(OK)),
        ("missing-effect", Identity, one(r#"{"Action": "s3:GetObject", "Resource": "*"}"#), one(OK)),
        ("invalid-effect", Identity, one(r#"{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}"#), one(OK)),
        ("missing-action", Identity, one(r#"{"Effect": "Allow", "Resource": "*"}"#), one(OK)),
        ("action-and-not-action", Identity, one(r#"{"Effect": "Deny", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}"#), one(OK)),
        ("missing-resource", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject"}"#), one(OK)),
        ("resource-and-not-resource", Identity, one(r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "NotResource": "arn:aws:s3:::b/*"}"#), one(OK)),
        ("principal-and-not-principal", Resource, one(r#"{"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#), one(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#)),
        ("principal-not-allowed", Identity, one(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#), one(OK)),
        ("principal-not-allowed", Scp, one(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#), one(r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#)),
        ("missing-principal", Resource, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#), one(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#)),
        ("resource-in-trust-policy", Trust, one(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole", "Resource": "*"}"#), one(trust_ok)),
        ("trust-action-not-sts", Trust, one(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject"}"#), one(trust_ok)),
        ("allow-in-rcp", Rcp, one(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#), one(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#)),
        ("not-principal-with-allow", Resource, one(r#"{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#), one(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#)),
        ("duplicate-sid", Identity, r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "A", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#.to_owned(), r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#.to_owned()),
        ("invalid-sid", Identity, one(r#"{"Sid": "read objects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#), one(r#"{"Sid": "ReadObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#)),
        ("not-a-string", Identity, one(r#"{"Effect": "Allow", "Action": 3, "Resource": "*"}"#), one(OK)),
        ("empty-list", Identity, one(r#"{"Effect": "Allow", "Action": [], "Resource": "*"}"#), one(OK)),
        ("invalid-action-format", Identity, one(r#"{"Effect": "Allow", "Action": "s3GetObject", "Resource": "*"}"#), one(OK)),
        ("unknown-service", Identity, one(r#"{"Effect": "Allow", "Action": "s4:GetObject", "Resource": "*"}"#), one(OK)),
        ("unknown-action", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}"#), one(OK)),
        ("unknown-action", Identity, one(r#"{"Effect": "Allow", "Action": "s3:Gte*", "Resource": "*"}"#), one(r#"{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}"#)),
        ("invalid-arn", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "b/*"}"#), one(OK)),
        ("short-arn", Identity, one(r#"{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs"}"#), one(r#"{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:*:*:*"}"#)),
        ("resource-service-mismatch", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:sqs:eu-west-1:111122223333:q"}"#), one(OK)),
        ("resource-type-mismatch", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}"#), one(OK)),
        ("wildcard-only-action-with-resource", Identity, one(r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::b"}"#), one(r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}"#)),
        ("condition-not-object", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": "yes"}"#), one(OK)),
        ("unknown-operator", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqual": {"aws:PrincipalTag/team": "a"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}"#)),
        ("unknown-operator", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"NullIfExists": {"aws:PrincipalTag/team": "true"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Null": {"aws:PrincipalTag/team": "true"}}}"#)),
        ("unknown-global-condition-key", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SorceIp": "10.0.0.0/8"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}"#)),
        ("unknown-condition-key", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"s3:NoSuchKey": "a"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"s3:prefix": "a"}}}"#)),
        ("condition-key-not-for-actions", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"s3:prefix": "a"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"StringEquals": {"s3:prefix": "a"}}}"#)),
        ("operator-type-mismatch", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}"#)),
        ("invalid-condition-value", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.3"}}}"#)),
        ("invalid-condition-value", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#)),
        ("null-value-not-bool", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Null": {"aws:PrincipalTag/team": "no"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Null": {"aws:PrincipalTag/team": "false"}}}"#)),
        ("set-operator-on-single-valued-key", Identity, one(r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": "a"}}}"#), one(r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}"#)),
        ("multivalued-key-without-set-operator", Identity, one(r#"{"Effect": "Deny", "Action": "s3:PutObjectTagging", "Resource": "*", "Condition": {"StringEquals": {"aws:TagKeys": "team"}}}"#), one(r#"{"Effect": "Deny", "Action": "s3:PutObjectTagging", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}}"#)),
        ("for-all-values-with-allow", Identity, one(r#"{"Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}}"#), one(r#"{"Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "team"}, "Null": {"aws:TagKeys": "false"}}}"#)),
        ("policy-variable-in-old-version", Identity, r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}]}"#.into(), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}"#)),
        ("invalid-policy-variable", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${username}/*"}"#), one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}"#)),
        ("allow-with-not-action", Identity, one(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#), one(r#"{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}"#)),
        ("allow-with-not-resource", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}"#), one(r#"{"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}"#)),
        ("pass-role-on-all-resources", Identity, one(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#), one(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app"}"#)),
        ("public-principal", Resource, one(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#), one(r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}"#)),
        ("trust-names-sso-role-arn", Trust, one(r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"}, "Action": "sts:AssumeRole"}"#), one(trust_ok)),
        ("deny-with-not-principal", Resource, one(r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#), one(r#"{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/app"}}}"#)),
        ("redundant-action", Identity, one(r#"{"Effect": "Allow", "Action": ["s3:Get*", "s3:GetObject"], "Resource": "*"}"#), one(r#"{"Effect": "Allow", "Action": ["s3:Get*", "s3:PutObject"], "Resource": "*"}"#)),
        ("redundant-resource", Identity, one(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b/x"]}"#), one(OK)),
        ("duplicate-statement", Identity, format!(r#"{{"Version": "2012-10-17", "Statement": [{OK}, {OK}]}}"#), one(OK)),
        ("missing-resource", Boundary, one(r#"{"Effect": "Allow", "Action": "s3:*"}"#), one(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#)),
        // SAML federation keys exist (an Identity Center role's trust tests SAML:aud); a made-up one does not.
        ("unknown-condition-key", Trust, one(r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/AWSSSO_x_DO_NOT_DELETE"}, "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:audience": "https://signin.aws.amazon.com/saml"}}}"#), one(r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/AWSSSO_x_DO_NOT_DELETE"}, "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}"#)),
    ]
}

#[test]
fn federation_keys_are_known_and_caps_do_not_grant() {
    // An OIDC provider's claims (GitHub Actions) and a SAML eduPerson list.
    let oidc = one(
        r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/app:*"}, "ForAnyValue:StringEquals": {"saml:edupersonaffiliation": "staff"}}}"#,
    );
    assert_eq!(codes(&oidc, Trust), Vec::<&str>::new());
    // In a boundary, an SCP or a session policy an Allow only caps: the
    // warnings about granting too much are for policies that grant.
    for text in [
        one(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#),
        one(r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#),
        one(
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"}"#,
        ),
    ] {
        assert_eq!(codes(&text, Identity).len(), 1, "{text}");
        for ty in [Boundary, Scp, PolicyType::Session] {
            assert_eq!(codes(&text, ty), Vec::<&str>::new(), "{text} as {ty:?}");
        }
    }
}

#[test]
fn each_check_fires_on_its_case_and_not_on_the_fixed_one() {
    let mut bad = Vec::new();
    for (code, ty, raises, fine) in cases() {
        let got = codes(&raises, ty);
        if !got.contains(&code) {
            bad.push(format!("{code}: not raised by {raises} ({got:?})"));
        }
        let got = codes(&fine, ty);
        if got.contains(&code) {
            bad.push(format!("{code}: raised by the fixed {fine}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_check_has_a_case_a_unique_code_and_words() {
    let covered: std::collections::BTreeSet<&str> = cases().iter().map(|c| c.0).collect();
    let mut seen = std::collections::BTreeSet::new();
    for c in CHECKS {
        assert!(seen.insert(c.code), "{} twice", c.code);
        assert!(covered.contains(c.code), "{} has no case", c.code);
        assert!(c.code.chars().all(|x| x.is_ascii_lowercase() || x == '-'));
        assert!(!c.what.is_empty() && !c.why.is_empty());
    }
    assert!(CHECKS.len() >= 40, "{} checks", CHECKS.len());
}

#[test]
fn a_clean_document_raises_nothing_and_messages_name_the_place() {
    assert_eq!(codes(&one(OK), Identity), Vec::<&str>::new());
    let f = validate(
        &doc(&one(
            r#"{"Sid": "A", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjekt"], "Resource": "*"}"#,
        )),
        Identity,
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].pointer, "/Statement/0/Action/1");
    assert_eq!(f[0].statement, Some(0));
    assert_eq!(f[0].sid.as_deref(), Some("A"));
    assert!(
        f[0].message.contains("did you mean `s3:GetObject`"),
        "{}",
        f[0].message
    );
    // Every problem of a broken document, not only the first.
    let many = codes(
        &one(
            r#"{"Effect": "Permit", "Action": "s3:GetObjekt", "NotAction": "x", "Resource": "bucket"}"#,
        ),
        Identity,
    );
    for c in [
        "invalid-effect",
        "unknown-action",
        "action-and-not-action",
        "invalid-action-format",
        "invalid-arn",
    ] {
        assert!(many.contains(&c), "{c} in {many:?}");
    }
}

#[test]
fn the_type_is_guessed_from_the_shape() {
    assert_eq!(PolicyType::guess(&doc(&one(OK))), Identity);
    let trust = one(
        r#"{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}"#,
    );
    assert_eq!(PolicyType::guess(&doc(&trust)), Trust);
    let bucket = one(
        r#"{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    assert_eq!(PolicyType::guess(&doc(&bucket)), Resource);
}

/// The bundled AWS managed policies raise errors only where the catalog
/// does not know a name they use (retired services and actions, and
/// prefixes the catalog lacks; docs/validate.md lists them with counts), and
/// security warnings only where they do what the warning says
#[test]
fn aws_managed_policies_raise_only_the_explained_findings() {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    let mut prefixes: BTreeMap<String, usize> = BTreeMap::new();
    let m = crate::data::managed_policies();
    for p in m.policies.values() {
        for f in validate(&p.document, PolicyType::Identity) {
            *by.entry(f.code).or_default() += 1;
            if f.code == "unknown-service" {
                let name = f.message.split('`').nth(1).unwrap_or_default().to_owned();
                *prefixes.entry(name).or_default() += 1;
            }
            if f.severity >= Severity::SecurityWarning {
                assert!(
                    [
                        "unknown-service",
                        "unknown-action",
                        "unknown-condition-key",
                        "for-all-values-with-allow",
                        "pass-role-on-all-resources",
                        "allow-with-not-action",
                        "allow-with-not-resource",
                        // AWS's own policies are not held to the quotas of
                        // the policies customers write (ReadOnlyAccess is
                        // over 100,000 characters).
                        "policy-too-large",
                    ]
                    .contains(&f.code),
                    "{}: {} {}",
                    p.name,
                    f.code,
                    f.message
                );
            }
        }
    }
    println!("{by:?}\n{prefixes:?}");
    // No unknown-global-condition-key: every aws: key AWS uses is known.
    assert_eq!(by.get("unknown-global-condition-key"), None);
}

/// The documents of the evaluation corpus (fixtures/cases/), each by the
/// type its field says, raise no error: they are valid IAM. Security
/// warnings there are what the cases are about (an Allow with NotAction is
/// how NotAction's evaluation is tested), so they are counted, not refused.
#[test]
fn the_corpus_documents_raise_no_error() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cases");
    let mut errors = Vec::new();
    let mut warnings: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut documents = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let cases = JsonValue::parse(&text).unwrap();
        let JsonValue::Array(cases) = cases else {
            panic!("{path:?}")
        };
        for c in &cases {
            let trust = c
                .get("request")
                .and_then(|r| r.get("action"))
                .and_then(JsonValue::scalar_text)
                .is_some_and(|a| a.to_ascii_lowercase().starts_with("sts:assumerole"));
            let mut docs: Vec<(&JsonValue, PolicyType)> = Vec::new();
            if let Some(JsonValue::Array(a)) = c.get("identity_policies") {
                docs.extend(a.iter().map(|d| (d, Identity)));
            }
            for (field, ty) in [
                ("permissions_boundary", Boundary),
                ("session_policy", PolicyType::Session),
                ("resource_policy", if trust { Trust } else { Resource }),
            ] {
                if let Some(d) = c.get(field).filter(|d| **d != JsonValue::Null) {
                    docs.push((d, ty));
                }
            }
            for (field, ty) in [("scps", Scp), ("rcps", Rcp)] {
                if let Some(JsonValue::Array(levels)) = c.get(field) {
                    for l in levels {
                        if let JsonValue::Array(ds) = l {
                            docs.extend(ds.iter().map(|d| (d, ty)));
                        }
                    }
                }
            }
            for (d, ty) in docs {
                documents += 1;
                for f in validate(d, ty) {
                    if f.severity == Severity::Error {
                        let file = path.file_name().unwrap().to_string_lossy().into_owned();
                        let detail = format!(
                            "{file}: {}: {} {} {}",
                            c.get("description")
                                .and_then(JsonValue::scalar_text)
                                .unwrap_or_default(),
                            f.code,
                            f.pointer,
                            f.message
                        );
                        errors.push((file, f.code.to_owned(), detail));
                    } else if f.severity == Severity::SecurityWarning {
                        *warnings.entry(f.code).or_default() += 1;
                    }
                }
            }
        }
    }
    assert!(documents > 300, "{documents} documents");
    // Four documents are there to show that IAM grants nothing with them;
    // Access Analyzer calls them invalid too.
    let expected = [
        ("decision-basics.json", "empty-list"), // "Statement": []
        ("actions.json", "unknown-action"),     // s3:Get, no wildcard
        ("actions.json", "unknown-action"),     // s3:GetObject? (? is one character)
        ("actions.json", "unknown-action"),     // sqs:Send? (? is one character)
    ];
    let mut got: Vec<(String, String)> = errors
        .iter()
        .map(|(f, c, _)| (f.clone(), c.clone()))
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect();
    want.sort();
    let details: Vec<&str> = errors.iter().map(|(_, _, d)| d.as_str()).collect();
    assert_eq!(got, want, "{}", details.join("\n"));
    println!("{documents} documents; security warnings: {warnings:?}");
}
