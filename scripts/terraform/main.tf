# The organization the Terraform plan fixtures change (fixtures/changes/tf-*):
# applied to moto by scripts/gen-terraform-plans.sh, then planned again with
# one scenario's variables (scenarios/*.tfvars.json). Identity Center only:
# the accounts come from seed_org.py.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  description = "The moto server"
  type        = string
}
variable "dev_account" {
  type = string
}
variable "prod_account" {
  type = string
}
variable "developer_description" {
  type    = string
  default = "Developers: read everywhere, write dev buckets"
}
variable "oncall" {
  description = "Adds the OnCall permission set for the developers in prod"
  type        = bool
  default     = false
}
variable "developers" {
  description = "Members of acme-developers"
  type        = set(string)
  default     = ["ana", "bob"]
}
variable "admins" {
  description = "Members of acme-admins"
  type        = set(string)
  default     = ["cy"]
}
variable "developers_admin_in_prod" {
  description = "Gives the developers Admin in prod"
  type        = bool
  default     = false
}
variable "breakglass" {
  description = "Adds BreakGlass (12-hour sessions, inline * on *) for cy in dev"
  type        = bool
  default     = false
}
variable "payroll" {
  description = "Adds the Acme Payroll application for the developers, and opens it to every user"
  type        = bool
  default     = false
}
variable "contractors" {
  description = "New users in a new acme-contractors group, Developer in dev"
  type        = map(string)
  default     = {}
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ssoadmin      = var.endpoint
    identitystore = var.endpoint
    sts           = var.endpoint
  }
}

data "aws_ssoadmin_instances" "this" {}

locals {
  instance = tolist(data.aws_ssoadmin_instances.this.arns)[0]
  store    = tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]
  people = {
    ana = "Ana Alves"
    bob = "Bob Berg"
    cy  = "Cy Chen"
  }
}

resource "aws_identitystore_user" "person" {
  for_each          = local.people
  identity_store_id = local.store
  user_name         = "${each.key}@example.com"
  display_name      = each.value
  name {
    given_name  = split(" ", each.value)[0]
    family_name = split(" ", each.value)[1]
  }
  emails {
    value   = "${each.key}@example.com"
    primary = true
  }
}

resource "aws_identitystore_group" "developers" {
  identity_store_id = local.store
  display_name      = "acme-developers"
  description       = "Everyone who writes code"
}

resource "aws_identitystore_group" "admins" {
  identity_store_id = local.store
  display_name      = "acme-admins"
}

resource "aws_identitystore_group_membership" "developer" {
  for_each          = var.developers
  identity_store_id = local.store
  group_id          = aws_identitystore_group.developers.group_id
  member_id         = aws_identitystore_user.person[each.key].user_id
}

resource "aws_identitystore_group_membership" "admin" {
  for_each          = var.admins
  identity_store_id = local.store
  group_id          = aws_identitystore_group.admins.group_id
  member_id         = aws_identitystore_user.person[each.key].user_id
}

resource "aws_ssoadmin_permission_set" "developer" {
  name             = "Developer"
  description      = var.developer_description
  instance_arn     = local.instance
  session_duration = "PT8H"
  tags = {
    team = "platform"
  }
}

resource "aws_ssoadmin_managed_policy_attachment" "developer_read" {
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.developer.arn
  managed_policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

resource "aws_ssoadmin_permission_set_inline_policy" "developer" {
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.developer.arn
  inline_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "WriteDevBuckets"
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:DeleteObject"]
      Resource = "arn:aws:s3:::dev-*/*"
    }]
  })
}

resource "aws_ssoadmin_permissions_boundary_attachment" "developer" {
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.developer.arn
  permissions_boundary {
    managed_policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
  }
}

resource "aws_ssoadmin_permission_set" "admin" {
  name             = "Admin"
  description      = "Break-glass administration"
  instance_arn     = local.instance
  session_duration = "PT1H"
}

resource "aws_ssoadmin_managed_policy_attachment" "admin" {
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.admin.arn
  managed_policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_ssoadmin_account_assignment" "developers" {
  for_each           = { dev = var.dev_account, prod = var.prod_account }
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.developer.arn
  principal_type     = "GROUP"
  principal_id       = aws_identitystore_group.developers.group_id
  target_type        = "AWS_ACCOUNT"
  target_id          = each.value
}

resource "aws_ssoadmin_account_assignment" "admins" {
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.admin.arn
  principal_type     = "GROUP"
  principal_id       = aws_identitystore_group.admins.group_id
  target_type        = "AWS_ACCOUNT"
  target_id          = var.prod_account
}

# Scenario tf-new-oncall-set: a new set and its attachment in one plan.
resource "aws_ssoadmin_permission_set" "oncall" {
  count            = var.oncall ? 1 : 0
  name             = "OnCall"
  description      = "Incident response in prod"
  instance_arn     = local.instance
  session_duration = "PT4H"
}

resource "aws_ssoadmin_managed_policy_attachment" "oncall" {
  count              = var.oncall ? 1 : 0
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.oncall[0].arn
  managed_policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_ssoadmin_account_assignment" "oncall" {
  count              = var.oncall ? 1 : 0
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.oncall[0].arn
  principal_type     = "GROUP"
  principal_id       = aws_identitystore_group.developers.group_id
  target_type        = "AWS_ACCOUNT"
  target_id          = var.prod_account
}

# Scenario tf-contractors-for-each: for_each users, a new group, memberships.
resource "aws_identitystore_user" "contractor" {
  for_each          = var.contractors
  identity_store_id = local.store
  user_name         = "${each.key}@contractor.example.com"
  display_name      = each.value
  name {
    given_name  = split(" ", each.value)[0]
    family_name = split(" ", each.value)[1]
  }
}

resource "aws_identitystore_group" "contractors" {
  count             = length(var.contractors) > 0 ? 1 : 0
  identity_store_id = local.store
  display_name      = "acme-contractors"
}

resource "aws_identitystore_group_membership" "contractor" {
  for_each          = var.contractors
  identity_store_id = local.store
  group_id          = aws_identitystore_group.contractors[0].group_id
  member_id         = aws_identitystore_user.contractor[each.key].user_id
}

resource "aws_ssoadmin_account_assignment" "contractors" {
  count              = length(var.contractors) > 0 ? 1 : 0
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.developer.arn
  principal_type     = "GROUP"
  principal_id       = aws_identitystore_group.contractors[0].group_id
  target_type        = "AWS_ACCOUNT"
  target_id          = var.dev_account
}

# Scenario admin-for-developers-on-prod: one new assignment.
resource "aws_ssoadmin_account_assignment" "developers_admin" {
  count              = var.developers_admin_in_prod ? 1 : 0
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.admin.arn
  principal_type     = "GROUP"
  principal_id       = aws_identitystore_group.developers.group_id
  target_type        = "AWS_ACCOUNT"
  target_id          = var.prod_account
}

# Scenario new-breakglass-inline: a new set without a description, 12-hour
# sessions, an inline policy allowing * on *, assigned to a user directly.
resource "aws_ssoadmin_permission_set" "breakglass" {
  count            = var.breakglass ? 1 : 0
  name             = "BreakGlass"
  instance_arn     = local.instance
  session_duration = "PT12H"
}

resource "aws_ssoadmin_permission_set_inline_policy" "breakglass" {
  count              = var.breakglass ? 1 : 0
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.breakglass[0].arn
  inline_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_ssoadmin_account_assignment" "breakglass" {
  count              = var.breakglass ? 1 : 0
  instance_arn       = local.instance
  permission_set_arn = aws_ssoadmin_permission_set.breakglass[0].arn
  principal_type     = "USER"
  principal_id       = aws_identitystore_user.person["cy"].user_id
  target_type        = "AWS_ACCOUNT"
  target_id          = var.dev_account
}

# Scenario applications: a new SAML application assigned to the developers
# and no longer requiring assignment (every user of the directory has it).
resource "aws_ssoadmin_application" "payroll" {
  count                    = var.payroll ? 1 : 0
  name                     = "Acme Payroll"
  description              = "Payroll (SAML 2.0)"
  instance_arn             = local.instance
  application_provider_arn = "arn:aws:sso::aws:applicationProvider/custom"
  portal_options {
    visibility = "ENABLED"
    sign_in_options {
      origin          = "APPLICATION"
      application_url = "https://payroll.example.com/sso"
    }
  }
}

resource "aws_ssoadmin_application_assignment" "payroll_developers" {
  count           = var.payroll ? 1 : 0
  application_arn = aws_ssoadmin_application.payroll[0].application_arn
  principal_id    = aws_identitystore_group.developers.group_id
  principal_type  = "GROUP"
}

resource "aws_ssoadmin_application_assignment_configuration" "payroll" {
  count               = var.payroll ? 1 : 0
  application_arn     = aws_ssoadmin_application.payroll[0].application_arn
  assignment_required = false
}
