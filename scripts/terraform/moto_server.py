"""moto for real Terraform: `python moto_server.py PORT` serves moto on
127.0.0.1:PORT with the few sso-admin and identitystore operations the AWS
provider 5.100 calls that moto 5.2.1 lacks, answered in this process:

- sso-admin ListTagsForResource, TagResource, UntagResource (the provider
  reads a permission set's tags after every create and refresh)
- sso-admin DescribePermissionSetProvisioningStatus (it waits on every
  ProvisionPermissionSet; moto provisions at once, so SUCCEEDED)
- sso-admin Put/Get/DeletePermissionsBoundary{To,For,From}PermissionSet
- identitystore DescribeGroupMembership (read after create and on refresh)
- sso-admin ListApplications, answering that the instance has none (the
  organization applied here creates no application; `collect` lists them, so
  the base records that there are none; the `applications` scenario's
  application resources are all created by its plan, which calls nothing)

Nothing else of moto is changed. The answers follow the shapes of the
botocore service models (sso-admin 2020-07-20, identitystore 2020-06-15)."""
import json
import sys
from uuid import uuid4

from moto.core.utils import unix_time
from moto.identitystore.responses import IdentityStoreResponse
from moto.ssoadmin.responses import SSOAdminResponse


def _not_found(message):
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError("ResourceNotFoundException", message)


def _permission_set(self, arn=None):
    params = json.loads(self.body or "{}")
    arn = arn or params.get("PermissionSetArn") or params.get("ResourceArn")
    for ps in self.ssoadmin_backend.permission_sets:
        if ps.permission_set_arn == arn:
            return ps, params
    raise _not_found(f"Could not find PermissionSet with id {str(arn).split('/')[-1]}")


def list_tags_for_resource(self):
    ps, _ = _permission_set(self)
    return json.dumps({"Tags": list(ps.tags or [])})


def tag_resource(self):
    ps, params = _permission_set(self)
    tags = {t["Key"]: t["Value"] for t in (ps.tags or [])}
    tags.update({t["Key"]: t["Value"] for t in params.get("Tags", [])})
    ps.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
    return "{}"


def untag_resource(self):
    ps, params = _permission_set(self)
    drop = set(params.get("TagKeys", []))
    ps.tags = [t for t in (ps.tags or []) if t["Key"] not in drop]
    return "{}"


def describe_permission_set_provisioning_status(self):
    params = json.loads(self.body or "{}")
    return json.dumps(
        {
            "PermissionSetProvisioningStatus": {
                "AccountId": self.current_account,
                "CreatedDate": unix_time(),
                "RequestId": params.get("ProvisionPermissionSetRequestId", str(uuid4())),
                "Status": "SUCCEEDED",
            }
        }
    )


def put_permissions_boundary_to_permission_set(self):
    ps, params = _permission_set(self)
    ps.permissions_boundary = params.get("PermissionsBoundary")
    return "{}"


def get_permissions_boundary_for_permission_set(self):
    ps, _ = _permission_set(self)
    boundary = getattr(ps, "permissions_boundary", None)
    if not boundary:
        raise _not_found("The permission set has no permissions boundary")
    return json.dumps({"PermissionsBoundary": boundary})


def delete_permissions_boundary_from_permission_set(self):
    ps, _ = _permission_set(self)
    ps.permissions_boundary = None
    return "{}"


def describe_group_membership(self):
    params = json.loads(self.body or "{}")
    backend = self.identitystore_backend
    store = backend._IdentityStoreBackend__get_identity_store(params.get("IdentityStoreId"))
    m = store.group_memberships.get(params.get("MembershipId"))
    if m is None:
        raise _not_found("GroupMembership not found")
    return json.dumps(m)


def list_applications(self):
    return json.dumps({"Applications": []})


for f in (
    list_applications,
    list_tags_for_resource,
    tag_resource,
    untag_resource,
    describe_permission_set_provisioning_status,
    put_permissions_boundary_to_permission_set,
    get_permissions_boundary_for_permission_set,
    delete_permissions_boundary_from_permission_set,
):
    setattr(SSOAdminResponse, f.__name__, f)
IdentityStoreResponse.describe_group_membership = describe_group_membership

if __name__ == "__main__":
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
