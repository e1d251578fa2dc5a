#!/usr/bin/env bash
# Writes an AWS CLI export folder for `accessgraph import` (docs/export-layout.md).
#
#   scripts/export-aws-cli.sh DIR [--profile P] [--region R]
#       [--identity-source IDENTITY_CENTER_DIRECTORY|ACTIVE_DIRECTORY|EXTERNAL_IDP]
#       [--portal-subdomain S] [--no-iam] [--member-role NAME]
#
# Only read-only calls are made (organizations/sso-admin/identitystore/iam/
# account-access list-*, describe-*, get-*, plus sts get-caller-identity and sts assume-role
# to read IAM in member accounts). Run it with credentials of the
# organization's management account (or of the Identity Center delegated
# administrator, which also needs organizations read access).
#
# --region is the Identity Center home region (default: the profile's region).
# Every file is the unmodified `--output json` output of one command. A call
# that fails is appended to DIR/errors.json ({"account_id"?, "operation",
# "message"}) and the export goes on. Assumed-role credentials live only in
# environment variables of a subshell; they are never printed or written.
#
# Needs: AWS CLI v2 (v1 works; its output shapes are accepted too) and python3.
# jq is not used.
set -uo pipefail

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  printf 'export-aws-cli: %s\n' "$*" >&2
  exit 2
}

log() {
  printf 'export-aws-cli: %s\n' "$*" >&2
}

DIR=""
PROFILE=""
REGION=""
IDENTITY_SOURCE=""
PORTAL_SUBDOMAIN=""
WITH_IAM=1
MEMBER_ROLE="OrganizationAccountAccessRole"

while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || usage; PROFILE="$2"; shift 2 ;;
    --profile=*) PROFILE="${1#*=}"; shift ;;
    --region) [ $# -ge 2 ] || usage; REGION="$2"; shift 2 ;;
    --region=*) REGION="${1#*=}"; shift ;;
    --identity-source) [ $# -ge 2 ] || usage; IDENTITY_SOURCE="$2"; shift 2 ;;
    --identity-source=*) IDENTITY_SOURCE="${1#*=}"; shift ;;
    --portal-subdomain) [ $# -ge 2 ] || usage; PORTAL_SUBDOMAIN="$2"; shift 2 ;;
    --portal-subdomain=*) PORTAL_SUBDOMAIN="${1#*=}"; shift ;;
    --member-role) [ $# -ge 2 ] || usage; MEMBER_ROLE="$2"; shift 2 ;;
    --member-role=*) MEMBER_ROLE="${1#*=}"; shift ;;
    --no-iam) WITH_IAM=0; shift ;;
    -h|--help) usage ;;
    -*) die "unknown option: $1" ;;
    *) [ -z "$DIR" ] || die "more than one DIR given: $DIR, $1"; DIR="$1"; shift ;;
  esac
done

[ -n "$DIR" ] || usage
if [ "${BASH_VERSINFO[0]}" -lt 4 ] || { [ "${BASH_VERSINFO[0]}" -eq 4 ] && [ "${BASH_VERSINFO[1]}" -lt 4 ]; }; then
  die "bash 4.4 or newer is needed (this is $BASH_VERSION)"
fi
command -v aws >/dev/null 2>&1 || die "the AWS CLI (aws) is not installed"
command -v python3 >/dev/null 2>&1 || die "python3 is not installed"

if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
  die "$DIR exists and is not empty; give a new or empty folder"
fi
mkdir -p "$DIR" || die "cannot create $DIR"

# No pager, no prompts; retry throttled calls (sso-admin throttles quickly).
export AWS_PAGER=""
export AWS_RETRY_MODE="${AWS_RETRY_MODE:-standard}"
export AWS_MAX_ATTEMPTS="${AWS_MAX_ATTEMPTS:-10}"

PROFILE_ARGS=()
[ -n "$PROFILE" ] && PROFILE_ARGS=(--profile "$PROFILE")

if [ -z "$REGION" ]; then
  REGION="$(aws configure get region "${PROFILE_ARGS[@]}" 2>/dev/null || true)"
  [ -n "$REGION" ] || REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
  [ -n "$REGION" ] || die "no region: pass --region (the Identity Center home region)"
fi
REGION_ARGS=(--region "$REGION")

if [ -z "$IDENTITY_SOURCE" ]; then
  if [ -t 0 ]; then
    printf 'Identity source [IDENTITY_CENTER_DIRECTORY/ACTIVE_DIRECTORY/EXTERNAL_IDP] (default IDENTITY_CENTER_DIRECTORY): ' >&2
    read -r IDENTITY_SOURCE || true
  fi
  IDENTITY_SOURCE="${IDENTITY_SOURCE:-IDENTITY_CENTER_DIRECTORY}"
fi
case "$IDENTITY_SOURCE" in
  IDENTITY_CENTER_DIRECTORY|ACTIVE_DIRECTORY|EXTERNAL_IDP) ;;
  *) die "--identity-source must be IDENTITY_CENTER_DIRECTORY, ACTIVE_DIRECTORY or EXTERNAL_IDP" ;;
esac

WORK="$(mktemp -d)" || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
ERRLOG="$WORK/errors.jsonl"
: >"$ERRLOG"

# JSON helpers (python3 only). Subcommands:
#   get FILE PATH            values at a dotted path, `[]` flattens a list: Roots[].Id
#   active-accounts FILE     Ids of accounts whose State (or Status) is ACTIVE
#   enabled-types FILE       policy types ENABLED on some root (list-roots)
#   instance FILE MGMT       "InstanceArn IdentityStoreId" of the organization instance
#   error LOG ACCT OP MSGF   appends one error record (message read from MSGF)
#   errors LOG OUT           writes the error records as a JSON list
#   meta OUT REGION AT CLI SOURCE SUBDOMAIN
PYHELPER='
import json, sys

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def get(data, path):
    items = [data]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part[:-2] if many else part
        out = []
        for it in items:
            v = it.get(key) if isinstance(it, dict) else None
            if v is None:
                continue
            if many and isinstance(v, list):
                out.extend(v)
            else:
                out.append(v)
        items = out
    return items

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "get":
    for v in get(load(args[0]), args[1]):
        print(v)
elif cmd == "active-accounts":
    for a in get(load(args[0]), "Accounts[]"):
        if (a.get("State") or a.get("Status") or "ACTIVE") == "ACTIVE":
            print(a["Id"])
elif cmd == "enabled-types":
    seen = []
    for t in get(load(args[0]), "Roots[].PolicyTypes[]"):
        if t.get("Status") == "ENABLED" and t.get("Type") not in seen:
            seen.append(t.get("Type"))
    print("\n".join(seen))
elif cmd == "instance":
    insts = get(load(args[0]), "Instances[]")
    org = [i for i in insts if i.get("OwnerAccountId") == args[1]] or insts
    if org:
        print(org[0]["InstanceArn"], org[0]["IdentityStoreId"])
elif cmd == "error":
    log, acct, op, msgf = args
    with open(msgf, encoding="utf-8", errors="replace") as f:
        msg = " ".join(f.read().split())
    rec = {"account_id": acct} if acct else {}
    rec["operation"] = op
    rec["message"] = msg or "failed without a message"
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")
elif cmd == "errors":
    with open(args[0], encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    if recs:
        with open(args[1], "w", encoding="utf-8") as f:
            json.dump(recs, f, indent=4)
            f.write("\n")
    print(len(recs))
elif cmd == "meta":
    out, region, at, cli, source, sub = args
    meta = {"region": region, "exported_at": at}
    if cli:
        meta["cli_version"] = cli
    meta["identity_source"] = source
    if sub:
        meta["portal_custom_subdomain"] = sub
    meta["mfa_present"] = False
    with open(out, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=4)
        f.write("\n")
else:
    sys.exit("unknown helper command " + cmd)
'
py() {
  python3 -c "$PYHELPER" "$@"
}

record_error() { # ACCOUNT OPERATION MESSAGE_FILE
  py error "$ERRLOG" "$1" "$2" "$3"
  log "failed: $2${1:+ (account $1)}: $(head -c 300 "$3" | tr '\n' ' ')"
}

# run OUT ACCOUNT CONTEXT [--optional] -- aws-args...
# Runs `aws aws-args... --output json` and stores stdout in OUT. On failure
# the error is recorded (ACCOUNT may be empty; CONTEXT prefixes the message)
# and OUT is not written. With --optional a ResourceNotFoundException means
# "not configured": no file and no error. Returns the aws exit status.
run() {
  local out="$1" acct="$2" ctx="$3" optional=0
  shift 3
  if [ "${1:-}" = "--optional" ]; then optional=1; shift; fi
  [ "${1:-}" = "--" ] && shift
  local op="$1 $2" tmp="$WORK/out.json" errf="$WORK/err.txt" rc
  aws "$@" --output json "${PROFILE_ARGS[@]}" "${REGION_ARGS[@]}" >"$tmp" 2>"$errf"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    mkdir -p "$(dirname "$out")"
    mv "$tmp" "$out"
    return 0
  fi
  if [ "$optional" -eq 1 ] && grep -q 'ResourceNotFoundException' "$errf"; then
    return "$rc"
  fi
  if [ -n "$ctx" ]; then
    { printf '%s: ' "$ctx"; cat "$errf"; } >"$WORK/msg.txt"
  else
    cp "$errf" "$WORK/msg.txt"
  fi
  record_error "$acct" "$op" "$WORK/msg.txt"
  return "$rc"
}

CLI_VERSION="$(aws --version 2>&1 | head -n 1)"
case "$CLI_VERSION" in
  aws-cli/1.*) log "warning: $CLI_VERSION is AWS CLI v1 (v2 is recommended; v1 output is accepted)" ;;
esac
EXPORTED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
py meta "$DIR/meta.json" "$REGION" "$EXPORTED_AT" "$CLI_VERSION" "$IDENTITY_SOURCE" "$PORTAL_SUBDOMAIN"

CALLER_ACCOUNT=""
if aws sts get-caller-identity --query Account --output text "${PROFILE_ARGS[@]}" "${REGION_ARGS[@]}" \
  >"$WORK/caller.txt" 2>"$WORK/err.txt"; then
  CALLER_ACCOUNT="$(tr -d '[:space:]' <"$WORK/caller.txt")"
else
  record_error "" "sts get-caller-identity" "$WORK/err.txt"
fi

# ---------------------------------------------------------------- organizations
ORG="$DIR/organizations"
log "organizations (caller account ${CALLER_ACCOUNT:-unknown})"
MGMT_ACCOUNT=""
if run "$ORG/describe-organization.json" "" "" -- organizations describe-organization; then
  MGMT_ACCOUNT="$(py get "$ORG/describe-organization.json" Organization.MasterAccountId)"
fi
run "$ORG/list-roots.json" "" "" -- organizations list-roots
run "$ORG/list-accounts.json" "" "" -- organizations list-accounts

ACCOUNTS=()
ACTIVE_ACCOUNTS=()
if [ -f "$ORG/list-accounts.json" ]; then
  mapfile -t ACCOUNTS < <(py get "$ORG/list-accounts.json" 'Accounts[].Id')
  mapfile -t ACTIVE_ACCOUNTS < <(py active-accounts "$ORG/list-accounts.json")
fi

# The OU tree, breadth first from every root.
PARENTS=()
[ -f "$ORG/list-roots.json" ] && mapfile -t PARENTS < <(py get "$ORG/list-roots.json" 'Roots[].Id')
OU_COUNT=0
i=0
while [ "$i" -lt "${#PARENTS[@]}" ]; do
  parent="${PARENTS[$i]}"
  i=$((i + 1))
  run "$ORG/list-accounts-for-parent/$parent.json" "" "parent $parent" -- \
    organizations list-accounts-for-parent --parent-id "$parent"
  if run "$ORG/list-organizational-units-for-parent/$parent.json" "" "parent $parent" -- \
    organizations list-organizational-units-for-parent --parent-id "$parent"; then
    mapfile -t children < <(py get "$ORG/list-organizational-units-for-parent/$parent.json" 'OrganizationalUnits[].Id')
    if [ "${#children[@]}" -gt 0 ]; then
      PARENTS+=("${children[@]}")
      OU_COUNT=$((OU_COUNT + ${#children[@]}))
    fi
  fi
done
log "organizations: ${#ACCOUNTS[@]} accounts, $OU_COUNT OUs"

for acct in "${ACCOUNTS[@]}"; do
  run "$ORG/list-tags-for-resource/$acct.json" "$acct" "" -- \
    organizations list-tags-for-resource --resource-id "$acct"
done

POLICY_TYPES=()
[ -f "$ORG/list-roots.json" ] && mapfile -t POLICY_TYPES < <(py enabled-types "$ORG/list-roots.json")
for ptype in "${POLICY_TYPES[@]}"; do
  case "$ptype" in
    SERVICE_CONTROL_POLICY|RESOURCE_CONTROL_POLICY) ;;
    *) continue ;;
  esac
  run "$ORG/list-policies/$ptype.json" "" "" -- organizations list-policies --filter "$ptype" || continue
  mapfile -t pids < <(py get "$ORG/list-policies/$ptype.json" 'Policies[].Id')
  log "organizations: ${#pids[@]} policies of type $ptype"
  for pid in "${pids[@]}"; do
    run "$ORG/describe-policy/$pid.json" "" "policy $pid" -- organizations describe-policy --policy-id "$pid"
    run "$ORG/list-targets-for-policy/$pid.json" "" "policy $pid" -- organizations list-targets-for-policy --policy-id "$pid"
  done
done

run "$ORG/list-delegated-administrators.json" "" "" -- \
  organizations list-delegated-administrators --service-principal sso.amazonaws.com

# -------------------------------------------------------------------- sso-admin
SSO="$DIR/sso-admin"
INSTANCE_ARN=""
IDENTITY_STORE_ID=""
if run "$SSO/list-instances.json" "" "" -- sso-admin list-instances; then
  read -r INSTANCE_ARN IDENTITY_STORE_ID < <(py instance "$SSO/list-instances.json" "${MGMT_ACCOUNT:-$CALLER_ACCOUNT}")
fi

PS_ARNS=()
if [ -n "$INSTANCE_ARN" ]; then
  log "sso-admin: instance $INSTANCE_ARN, identity store $IDENTITY_STORE_ID, region $REGION"
  run "$SSO/describe-instance-access-control-attribute-configuration.json" "" "" --optional -- \
    sso-admin describe-instance-access-control-attribute-configuration --instance-arn "$INSTANCE_ARN"
  if run "$SSO/list-permission-sets.json" "" "" -- sso-admin list-permission-sets --instance-arn "$INSTANCE_ARN"; then
    mapfile -t PS_ARNS < <(py get "$SSO/list-permission-sets.json" 'PermissionSets[]')
  fi
  log "sso-admin: ${#PS_ARNS[@]} permission sets"
else
  log "sso-admin: no Identity Center instance found in $REGION; skipping sso-admin and identitystore"
fi

# Provisioned (account, permission set) pairs, one "ACCOUNT PS_ARN" per line.
PAIRS="$WORK/pairs.txt"
: >"$PAIRS"
for ps in "${PS_ARNS[@]}"; do
  psid="${ps##*/}"
  pdir="$SSO/permission-sets/$psid"
  run "$pdir/describe-permission-set.json" "" "$psid" -- \
    sso-admin describe-permission-set --instance-arn "$INSTANCE_ARN" --permission-set-arn "$ps"
  run "$pdir/list-managed-policies-in-permission-set.json" "" "$psid" -- \
    sso-admin list-managed-policies-in-permission-set --instance-arn "$INSTANCE_ARN" --permission-set-arn "$ps"
  run "$pdir/list-customer-managed-policy-references-in-permission-set.json" "" "$psid" -- \
    sso-admin list-customer-managed-policy-references-in-permission-set --instance-arn "$INSTANCE_ARN" --permission-set-arn "$ps"
  run "$pdir/get-inline-policy-for-permission-set.json" "" "$psid" -- \
    sso-admin get-inline-policy-for-permission-set --instance-arn "$INSTANCE_ARN" --permission-set-arn "$ps"
  run "$pdir/get-permissions-boundary-for-permission-set.json" "" "$psid" --optional -- \
    sso-admin get-permissions-boundary-for-permission-set --instance-arn "$INSTANCE_ARN" --permission-set-arn "$ps"
  run "$pdir/list-tags-for-resource.json" "" "$psid" -- \
    sso-admin list-tags-for-resource --instance-arn "$INSTANCE_ARN" --resource-arn "$ps"
  if run "$pdir/list-accounts-for-provisioned-permission-set.json" "" "$psid" -- \
    sso-admin list-accounts-for-provisioned-permission-set --instance-arn "$INSTANCE_ARN" --permission-set-arn "$ps"; then
    py get "$pdir/list-accounts-for-provisioned-permission-set.json" 'AccountIds[]' |
      while read -r acct; do printf '%s %s\n' "$acct" "$ps"; done >>"$PAIRS"
  fi
done

if [ -n "$INSTANCE_ARN" ]; then
  for acct in "${ACCOUNTS[@]}"; do
    if run "$WORK/provisioned.json" "$acct" "" -- sso-admin list-permission-sets-provisioned-to-account \
      --instance-arn "$INSTANCE_ARN" --account-id "$acct"; then
      py get "$WORK/provisioned.json" 'PermissionSets[]' |
        while read -r ps; do printf '%s %s\n' "$acct" "$ps"; done >>"$PAIRS"
    fi
  done
fi

PAIR_COUNT=0
while read -r acct ps; do
  [ -n "$acct" ] || continue
  psid="${ps##*/}"
  run "$SSO/account-assignments/$acct/$psid.json" "$acct" "$psid" -- sso-admin list-account-assignments \
    --instance-arn "$INSTANCE_ARN" --account-id "$acct" --permission-set-arn "$ps"
  PAIR_COUNT=$((PAIR_COUNT + 1))
done < <(sort -u "$PAIRS")
[ -n "$INSTANCE_ARN" ] && log "sso-admin: $PAIR_COUNT provisioned account/permission set pairs"

# Applications (SAML/OAuth, AWS managed) with who is assigned, and whether
# assignment is required at all (AssignmentRequired false: every user).
if [ -n "$INSTANCE_ARN" ]; then
  APP_ARNS=()
  if run "$SSO/list-applications.json" "" "" -- sso-admin list-applications --instance-arn "$INSTANCE_ARN"; then
    mapfile -t APP_ARNS < <(py get "$SSO/list-applications.json" 'Applications[].ApplicationArn')
  fi
  for app in "${APP_ARNS[@]}"; do
    aid="${app##*/}"
    run "$SSO/applications/$aid/get-application-assignment-configuration.json" "" "application $aid" -- \
      sso-admin get-application-assignment-configuration --application-arn "$app"
    run "$SSO/applications/$aid/list-application-assignments.json" "" "application $aid" -- \
      sso-admin list-application-assignments --application-arn "$app"
  done
  log "sso-admin: ${#APP_ARNS[@]} applications"
fi

# AWS account access manager: entitlements give users and groups IAM roles
# directly. The listing is written only when there are applications (no
# file: not used). ListEntitlements requires a filter; an empty principalRole
# filter is meant to match every entitlement of the application.
AAM="$DIR/account-access"
if run "$WORK/aam.json" "" "" -- account-access list-applications; then
  mapfile -t AAM_ARNS < <(py get "$WORK/aam.json" 'applications[].applicationArn')
  if [ "${#AAM_ARNS[@]}" -gt 0 ]; then
    mkdir -p "$AAM"
    mv "$WORK/aam.json" "$AAM/list-applications.json"
  fi
  for app in "${AAM_ARNS[@]}"; do
    run "$AAM/list-entitlements/${app##*/}.json" "" "application ${app##*/}" -- \
      account-access list-entitlements --application-arn "$app" --filter '{"principalRole":{}}'
  done
  log "account-access: ${#AAM_ARNS[@]} applications"
fi

# ---------------------------------------------------------------- identitystore
IDS="$DIR/identitystore"
if [ -n "$IDENTITY_STORE_ID" ]; then
  if ! run "$IDS/list-users.json" "" "" -- identitystore list-users \
    --identity-store-id "$IDENTITY_STORE_ID" --extensions aws:identitystore:enterprise &&
    grep -q 'Unknown options' "$WORK/err.txt"; then
    # Older CLIs lack --extensions: users without enterprise attributes beat no users.
    run "$IDS/list-users.json" "" "retried without --extensions" -- identitystore list-users \
      --identity-store-id "$IDENTITY_STORE_ID"
  fi
  GROUPS_FOUND=()
  if run "$IDS/list-groups.json" "" "" -- identitystore list-groups --identity-store-id "$IDENTITY_STORE_ID"; then
    mapfile -t GROUPS_FOUND < <(py get "$IDS/list-groups.json" 'Groups[].GroupId')
  fi
  for gid in "${GROUPS_FOUND[@]}"; do
    run "$IDS/list-group-memberships/$gid.json" "" "group $gid" -- identitystore list-group-memberships \
      --identity-store-id "$IDENTITY_STORE_ID" --group-id "$gid"
  done
  log "identitystore: ${#GROUPS_FOUND[@]} groups"
fi

# -------------------------------------------------------------------------- iam
# One account at a time. The caller's own account is read with the caller's
# credentials; every other account through sts assume-role into MEMBER_ROLE,
# with the temporary credentials held only in this subshell's environment.
iam_account() { # ACCOUNT
  local acct="$1" out="$DIR/iam/$1/get-account-authorization-details.json"
  if [ "$acct" = "$CALLER_ACCOUNT" ]; then
    run "$out" "$acct" "" -- iam get-account-authorization-details
    return
  fi
  (
    ak="" sk="" st=""
    read -r ak sk st < <(aws sts assume-role "${PROFILE_ARGS[@]}" "${REGION_ARGS[@]}" \
      --role-arn "arn:aws:iam::$acct:role/$MEMBER_ROLE" --role-session-name accessgraph-export \
      --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text 2>"$WORK/err.txt")
    if [ -z "$st" ]; then
      record_error "$acct" "sts assume-role" "$WORK/err.txt"
      exit 0
    fi
    unset AWS_PROFILE AWS_DEFAULT_PROFILE
    export AWS_ACCESS_KEY_ID="$ak" AWS_SECRET_ACCESS_KEY="$sk" AWS_SESSION_TOKEN="$st"
    PROFILE_ARGS=()
    run "$out" "$acct" "role $MEMBER_ROLE" -- iam get-account-authorization-details
    exit 0
  )
}

if [ "$WITH_IAM" -eq 1 ]; then
  for acct in "${ACTIVE_ACCOUNTS[@]}"; do
    log "iam: account $acct"
    iam_account "$acct"
  done
fi

# ------------------------------------------------------------------------- done
NERR="$(py errors "$ERRLOG" "$DIR/errors.json")"
if [ "${NERR:-0}" -gt 0 ]; then
  log "done: $DIR written; $NERR calls failed, see $DIR/errors.json"
else
  log "done: $DIR written; no call failed"
fi
exit 0
