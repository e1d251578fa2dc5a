//! Unit tests of the policy parser and printer.

use super::*;

fn parse(kind: PolicyKind, text: &str) -> Result<Policy, PolicyError> {
    Policy::parse_str(text, kind)
}

fn err(kind: PolicyKind, text: &str) -> String {
    parse(kind, text).unwrap_err().to_string()
}

#[test]
fn statement_may_be_object_or_array() {
    let a = parse(
        PolicyKind::Identity,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
    )
    .unwrap();
    let b = parse(PolicyKind::Identity, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["*"]}]}"#).unwrap();
    assert_eq!(a, b);
}

#[test]
fn unknown_operator_names_statement_and_pointer() {
    assert_eq!(
        err(
            PolicyKind::Identity,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"Two","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}]}"#
        ),
        "statement 1 (Sid `Two`) at `/Statement/1/Condition/StringEqualz`: unknown condition operator `StringEqualz`"
    );
}

#[test]
fn duplicate_key_is_an_error() {
    assert_eq!(
        err(
            PolicyKind::Identity,
            r#"{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}"#
        ),
        "at `/`: invalid JSON: duplicate key `Effect` at line 1 column 39"
    );
}

#[test]
fn principal_is_refused_in_identity_policies() {
    assert_eq!(
        err(PolicyKind::Identity, r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#),
        "statement 0 at `/Statement/Principal`: `Principal` is not allowed in an identity-based policy"
    );
}

#[test]
fn resource_policy_needs_principal_but_not_resource() {
    assert!(parse(PolicyKind::Resource, r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#).is_ok());
    assert_eq!(
        err(
            PolicyKind::Resource,
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#
        ),
        "statement 0 at `/Statement`: missing required element `Principal`"
    );
}

#[test]
fn bad_values_are_refused() {
    let cases = [
        (r#"{"Version":"2013-01-01","Statement":[]}"#, "at `/Version`: unsupported policy version `2013-01-01`, expected `2012-10-17` or `2008-10-17`"),
        (r#"{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}"#, "statement 0 at `/Statement/Effect`: `Effect` must be `Allow` or `Deny`, found `allow`"),
        (r#"{"Statement":{"Effect":"Allow","Action":"s3","Resource":"*"}}"#, "statement 0 at `/Statement/Action`: invalid action `s3`: expected `*` or `service:action`"),
        (r#"{"Statement":{"Effect":"Allow","Action":["s3:Get*", 3],"Resource":"*"}}"#, "statement 0 at `/Statement/Action/1`: expected a string, found a number"),
        (r#"{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#, "statement 0 at `/Statement/Action`: `Action` must not be empty"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"bucket"}}"#, "statement 0 at `/Statement/Resource`: invalid resource `bucket`: expected `*` or an ARN starting with `arn:`"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s*:::b"}}"#, "statement 0 at `/Statement/Resource`: invalid resource `arn:aws:s*:::b`: the service segment must be given in full, without wildcards"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}"#, "statement 0 at `/Statement/NotAction`: `Action` and `NotAction` cannot appear in the same statement"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}}"#, "statement 0 at `/Statement/Condition/NumericLessThan/s3:max-keys`: invalid value `ten` for `NumericLessThan`: expected a number"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}}"#, "statement 0 at `/Statement/Condition/IpAddress/aws:SourceIp`: invalid value `10.0.0.0/33` for `IpAddress`: expected an IPv4 or IPv6 address or CIDR"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}}"#, "statement 0 at `/Statement/Condition/Bool/aws:SecureTransport`: invalid value `yes` for `Bool`: expected `true` or `false`"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}}"#, "statement 0 at `/Statement/Condition/DateLessThan/aws:CurrentTime`: invalid value `soon` for `DateLessThan`: expected an ISO 8601 date or epoch seconds"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":null}}}}"#, "statement 0 at `/Statement/Condition/StringEquals/k`: expected a string, number, boolean or an array of them, found null"),
        (r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}}"#, "statement 0 at `/Statement/Extra`: unknown element `Extra`"),
        (r#"[1]"#, "at `/`: expected a policy object, found an array"),
        (r#"{"Version":"2012-10-17"}"#, "at `/`: missing required element `Statement`"),
    ];
    for (text, want) in cases {
        assert_eq!(err(PolicyKind::Identity, text), want, "{text}");
    }
}

#[test]
fn principal_wildcards_and_notprincipal_allow_are_refused() {
    assert_eq!(
        err(PolicyKind::Resource, r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Dev*"},"Action":"s3:*","Resource":"*"}}"#),
        "statement 0 at `/Statement/Principal/AWS`: invalid principal `arn:aws:iam::111122223333:role/Dev*`: wildcards are not allowed in a principal ARN; use `aws:PrincipalArn` with `ArnLike`"
    );
    assert_eq!(
        err(PolicyKind::Resource, r#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}}"#),
        "statement 0 at `/Statement/NotPrincipal`: `NotPrincipal` is not allowed in an `Allow` statement"
    );
}

#[test]
fn rcp_rules() {
    assert!(parse(PolicyKind::Rcp, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#).is_ok());
    assert_eq!(
        err(PolicyKind::Rcp, r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#),
        "statement 0 at `/Statement`: an `Allow` statement other than RCPFullAWSAccess (`*` on `*`) is not allowed in a resource control policy"
    );
    assert_eq!(
        err(
            PolicyKind::Rcp,
            r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}"#
        ),
        "at `/`: a `Version` other than `2012-10-17` is not allowed in a resource control policy"
    );
    assert_eq!(
        err(PolicyKind::Rcp, r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}}"#),
        "statement 0 at `/Statement/Principal`: a `Principal` other than `\"*\"` is not allowed in a resource control policy"
    );
}

#[test]
fn print_then_parse_is_stable() {
    let text = r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/r"],"Service":"s3.amazonaws.com"},"NotAction":"iam:*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["red",true,3]},"Bool":{"aws:SecureTransport":false}}}]}"#;
    let p = parse(PolicyKind::Resource, text).unwrap();
    let printed = p.to_json().to_string();
    let again = parse(PolicyKind::Resource, &printed).unwrap();
    assert_eq!(p, again);
    assert_eq!(again.to_json().to_string(), printed);
}
