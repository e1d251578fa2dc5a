//! `accessgraph collect` against a small scripted HTTP endpoint that serves
//! recorded AWS responses: the paths a fake AWS like moto cannot produce
//! on demand. Pagination (a NextToken page), throttling then success,
//! AccessDenied on one account's AssumeRole and on one application's
//! assignment configuration, and a truncated response (and
//! applications and account access manager, REST JSON by path); the
//! collector must record each failure with its account and operation, keep
//! going, write the snapshot and exit 3. Also: the collecting policy in
//! docs/ is valid and read-only.
#![cfg(feature = "live")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One request as the endpoint saw it: the operation (`X-Amz-Target`'s
/// last part, or the query protocol's `Action`) and the body
#[derive(Debug, Clone)]
struct Seen {
    operation: String,
    body: String,
}

type Calls = Arc<Mutex<Vec<Seen>>>;

const TRUST: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";

/// The recorded answer for a request: (status, content type, body)
fn answer(seen: &Seen, earlier: &[Seen]) -> (u16, &'static str, String) {
    let json = "application/x-amz-json-1.1";
    let xml = "text/xml";
    let times = earlier
        .iter()
        .filter(|s| s.operation == seen.operation)
        .count();
    let ps = "arn:aws:sso:::permissionSet/ssoins-test/ps-1";
    let ok = |body: &str| (200, json, body.to_owned());
    let not_found = || {
        (
            400,
            json,
            r#"{"__type": "ResourceNotFoundException", "Message": "not found"}"#.to_owned(),
        )
    };
    match seen.operation.as_str() {
        "DescribeOrganization" => ok(r#"{"Organization": {"Id": "o-test", "Arn": "arn:aws:organizations::111111111111:organization/o-test", "MasterAccountId": "111111111111", "FeatureSet": "ALL"}}"#),
        "ListRoots" => ok(r#"{"Roots": [{"Id": "r-test", "Name": "Root", "Arn": "arn:aws:organizations::111111111111:root/o-test/r-test"}]}"#),
        "ListOrganizationalUnitsForParent" => ok(r#"{"OrganizationalUnits": []}"#),
        // Two pages.
        "ListAccountsForParent" if !seen.body.contains("NextToken") => ok(r#"{"Accounts": [{"Id": "111111111111", "Name": "mgmt"}], "NextToken": "page-2"}"#),
        "ListAccountsForParent" => ok(r#"{"Accounts": [{"Id": "222222222222", "Name": "prod"}]}"#),
        // Throttled once, then answered.
        "ListAccounts" if times == 0 => (400, json, r#"{"__type": "TooManyRequestsException", "Message": "AWS Organizations can't complete your request because another request is already in progress."}"#.to_owned()),
        "ListAccounts" => ok(r#"{"Accounts": [{"Id": "111111111111", "Name": "mgmt", "Email": "m@example.com", "Status": "ACTIVE"}, {"Id": "222222222222", "Name": "prod", "Email": "p@example.com", "Status": "ACTIVE"}]}"#),
        "ListTagsForResource" => ok(r#"{"Tags": []}"#),
        "ListPolicies" => ok(r#"{"Policies": []}"#),
        "ListDelegatedAdministrators" => ok(r#"{"DelegatedAdministrators": []}"#),
        "ListInstances" => ok(r#"{"Instances": [{"InstanceArn": "arn:aws:sso:::instance/ssoins-test", "IdentityStoreId": "d-test", "OwnerAccountId": "111111111111"}]}"#),
        "DescribeInstanceAccessControlAttributeConfiguration" => not_found(),
        "ListPermissionSets" => ok(&format!(r#"{{"PermissionSets": ["{ps}"]}}"#)),
        "DescribePermissionSet" => ok(&format!(r#"{{"PermissionSet": {{"Name": "Admin", "PermissionSetArn": "{ps}", "SessionDuration": "PT1H", "Description": "admins"}}}}"#)),
        "ListManagedPoliciesInPermissionSet" => ok(r#"{"AttachedManagedPolicies": [{"Name": "AdministratorAccess", "Arn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}"#),
        "ListCustomerManagedPolicyReferencesInPermissionSet" => ok(r#"{"CustomerManagedPolicyReferences": []}"#),
        "GetInlinePolicyForPermissionSet" => ok(r#"{"InlinePolicy": ""}"#),
        "GetPermissionsBoundaryForPermissionSet" => not_found(),
        "ListAccountsForProvisionedPermissionSet" => ok(r#"{"AccountIds": ["222222222222"]}"#),
        // The call plan's other half agrees: only (prod, Admin) is listed.
        "ListPermissionSetsProvisionedToAccount" if seen.body.contains("222222222222") => ok(&format!(r#"{{"PermissionSets": ["{ps}"]}}"#)),
        "ListPermissionSetsProvisionedToAccount" => ok(r#"{"PermissionSets": []}"#),
        "ListAccountAssignments" if seen.body.contains("222222222222") => ok(&format!(r#"{{"AccountAssignments": [{{"AccountId": "222222222222", "PermissionSetArn": "{ps}", "PrincipalType": "GROUP", "PrincipalId": "g-1"}}]}}"#)),
        "ListAccountAssignments" => ok(r#"{"AccountAssignments": []}"#),
        // Cut off mid-answer.
        "ListUsers" => ok(r#"{"Users": [{"IdentityStoreId": "d-test", "UserId": "u-1", "UserName": "ali"#),
        "ListGroups" => ok(r#"{"Groups": [{"IdentityStoreId": "d-test", "GroupId": "g-1", "DisplayName": "admins"}]}"#),
        "ListGroupMemberships" => ok(r#"{"GroupMemberships": []}"#),
        "ListApplications" => ok(r#"{"Applications": [{"ApplicationArn": "arn:aws:sso::111111111111:application/ssoins-test/apl-1", "ApplicationProviderArn": "arn:aws:sso::aws:applicationProvider/custom", "Name": "Wiki", "Status": "ENABLED", "PortalOptions": {"Visibility": "ENABLED", "SignInOptions": {"Origin": "APPLICATION", "ApplicationUrl": "https://wiki.example"}}}]}"#),
        // Denied for the one application: that part is not recorded.
        "GetApplicationAssignmentConfiguration" => (400, json, r#"{"__type": "AccessDeniedException", "Message": "not authorized"}"#.to_owned()),
        "ListApplicationAssignments" => ok(r#"{"ApplicationAssignments": [{"ApplicationArn": "arn:aws:sso::111111111111:application/ssoins-test/apl-1", "PrincipalId": "g-1", "PrincipalType": "GROUP"}]}"#),
        // account access manager speaks REST JSON: the operation is the path.
        "/applications-list" => (200, "application/json", r#"{"applications": [{"applicationArn": "arn:aws:account-access:eu-west-1:111111111111:application/aam-1", "createdAt": "2026-08-20T14:02:00Z", "updatedAt": "2026-09-01T08:00:00Z"}]}"#.to_owned()),
        "/entitlements-list" if seen.body.contains(r#""principalRole":{}"#) => (200, "application/json", r#"{"entitlements": [{"entitlementId": "e-1", "createdAt": "2026-09-01T08:05:00Z", "entitlement": {"principalRole": {"principal": {"identityCenter": {"groupId": "g-1"}}, "roleArn": "arn:aws:iam::222222222222:role/OnCall", "account": "222222222222", "accountName": "prod"}}}]}"#.to_owned()),
        "AssumeRole" => (403, xml, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/OrganizationAccountAccessRole</Message></Error><RequestId>r-1</RequestId></ErrorResponse>".to_owned()),
        "GetAccountAuthorizationDetails" => (200, xml, format!("<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated><UserDetailList/><GroupDetailList/><RoleDetailList><member><RoleName>app</RoleName><Path>/</Path><Arn>arn:aws:iam::111111111111:role/app</Arn><RoleId>AROATEST</RoleId><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>{TRUST}</AssumeRolePolicyDocument><RolePolicyList/><AttachedManagedPolicies/><Tags/><InstanceProfileList/></member></RoleDetailList><Policies/></GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>")),
        other => (400, json, format!(r#"{{"__type": "UnknownOperationException", "Message": "no recording for {other}"}}"#)),
    }
}

fn serve(stream: TcpStream, calls: Calls) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        let operation = match headers.get("x-amz-target") {
            Some(t) => t.rsplit('.').next().unwrap_or_default().to_owned(),
            // REST JSON (account access manager): the path names it.
            None if path.ends_with("-list") => path,
            None => body
                .split('&')
                .find_map(|kv| kv.strip_prefix("Action="))
                .unwrap_or_default()
                .to_owned(),
        };
        let seen = Seen { operation, body };
        let (status, content_type, text) = {
            let mut all = calls.lock().unwrap();
            let a = answer(&seen, &all);
            all.push(seen);
            a
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: test\r\n\r\n",
            text.len()
        );
        if out.write_all(head.as_bytes()).is_err() || out.write_all(text.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn recorded_responses_paginate_retry_and_record_failures() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let calls: Calls = Arc::new(Mutex::new(Vec::new()));
    let c = calls.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let c = c.clone();
            std::thread::spawn(move || serve(stream, c));
        }
    });
    let dir = std::env::temp_dir().join(format!("accessgraph-collect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("snap.json");
    let result = Command::new(env!("CARGO_BIN_EXE_accessgraph"))
        .args([
            "collect",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "--region",
            "eu-west-1",
            "--max-attempts",
            "3",
            "--concurrency",
            "2",
            "--quiet",
            "-o",
            out.to_str().unwrap(),
        ])
        .env("AWS_ACCESS_KEY_ID", "AKIDRECORDED")
        .env("AWS_SECRET_ACCESS_KEY", "recorded-secret")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(3), "partial snapshot: {stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        !text.contains("recorded-secret") && !text.contains("AKIDRECORDED"),
        "no credentials in the snapshot"
    );
    let snap: serde_json::Value = serde_json::from_str(&text).unwrap();

    // Both pages of the root's accounts, after one throttled ListAccounts.
    let names: Vec<&str> = snap["organization"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mgmt", "prod"]);
    assert!(snap["organization"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["parent_id"] == "r-test"));
    let seen = calls.lock().unwrap().clone();
    let count = |op: &str| seen.iter().filter(|s| s.operation == op).count();
    assert_eq!(count("ListAccounts"), 2, "retried after throttling");
    assert_eq!(count("ListAccountsForParent"), 2, "followed NextToken");
    assert_eq!(
        count("ListAccountAssignments"),
        1,
        "only the provisioned pair (prod, Admin) is listed, not mgmt x Admin"
    );
    assert!(seen
        .iter()
        .any(|s| s.operation == "ListAccountsForParent" && s.body.contains("page-2")));

    // The shipped policy allows every operation collect sent.
    let policy = std::fs::read_to_string(root().join("docs/collect-policy.json")).unwrap();
    let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
    let allowed: Vec<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|st| match &st["Action"] {
            serde_json::Value::String(a) => vec![a.clone()],
            v => v
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect(),
        })
        .collect();
    for op in seen
        .iter()
        .map(|s| s.operation.as_str())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let action = match op {
            "/applications-list" => "account-access:ListApplications".to_owned(),
            "/entitlements-list" => "account-access:ListEntitlements".to_owned(),
            op => op.to_owned(),
        };
        assert!(
            allowed
                .iter()
                .any(|a| a == &action || a.ends_with(&format!(":{action}"))),
            "collect calls {op}, which docs/collect-policy.json does not allow"
        );
    }

    // Applications and account access manager, with the required filter.
    assert_eq!(snap["applications"][0]["name"], "Wiki");
    assert!(
        snap["applications"][0]["assignment_required"].is_null(),
        "the denied configuration is not recorded, never read as required or not"
    );
    assert_eq!(
        snap["applications"][0]["application_url"],
        "https://wiki.example"
    );
    assert_eq!(
        snap["applications"][0]["assignments"][0]["principal_id"],
        "g-1"
    );
    let ent = &snap["account_access"]["applications"][0]["entitlements"][0];
    assert_eq!(ent["principal_type"], "GROUP");
    assert_eq!(ent["role_arn"], "arn:aws:iam::222222222222:role/OnCall");
    assert_eq!(count("/entitlements-list"), 1);

    // What could be read is there.
    assert_eq!(snap["permission_sets"][0]["name"], "Admin");
    assert_eq!(snap["assignments"].as_array().unwrap().len(), 1);
    assert_eq!(snap["groups"][0]["name"], "admins");
    assert_eq!(snap["iam"][0]["account_id"], "111111111111");
    assert_eq!(
        snap["iam"][0]["roles"][0]["trust_policy"]["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com",
        "URL-encoded documents are decoded"
    );
    // The truncated answer and the denied account are recorded, not dropped.
    let errors: Vec<(Option<&str>, &str)> = snap["provenance"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["account_id"].as_str(), e["operation"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            (None, "identitystore:ListUsers"),
            (None, "sso:GetApplicationAssignmentConfiguration"),
            (Some("222222222222"), "sts:AssumeRole")
        ]
    );
    let denied = &snap["provenance"]["errors"][1]["message"];
    assert!(
        denied.as_str().unwrap().starts_with("application apl-1: "),
        "the failure names its application, so import reads that part as not recorded: {denied}"
    );
    assert!(snap["users"].as_array().is_none_or(Vec::is_empty));
    assert!(stderr.contains("3 failed call(s)"), "{stderr}");
    assert!(
        stderr.contains("sts:AssumeRole in 222222222222"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_collecting_policy_is_valid_and_read_only() {
    use accessgraph::policy::{Policy, PolicyKind};
    for file in [
        "docs/collect-policy.json",
        "docs/collect-member-role-policy.json",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let p = Policy::parse_str(&text, PolicyKind::Identity).unwrap();
        let cat = accessgraph::data::catalog();
        for s in &p.statements {
            for a in &s.action.patterns {
                let (_, _, info) = cat
                    .action(a)
                    .unwrap_or_else(|| panic!("{file}: `{a}` is not a known action"));
                let level = info.access.code();
                assert!(
                    level == "list" || level == "read" || a == "sts:AssumeRole",
                    "{file}: `{a}` is {level}, not read-only"
                );
            }
        }
    }
}
