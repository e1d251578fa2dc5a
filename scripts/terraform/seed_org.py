"""seed_org.py ENDPOINT OUT_TFVARS_JSON: resets moto, seeds its random
generator (so ids repeat from run to run as far as Terraform's order allows)
and creates the organization the Terraform configuration assigns into:
the management account and two member accounts, acme-dev and acme-prod
(tagged env=dev, env=prod).
Writes their ids as Terraform variables."""
import json
import sys
import time
import urllib.request

import boto3


def main(endpoint, out):
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST")).read()
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/seed?a=17", method="POST")).read()
    org = boto3.client(
        "organizations", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    org.create_organization(FeatureSet="ALL")
    ids = {}
    for var, name in (("dev_account", "acme-dev"), ("prod_account", "acme-prod")):
        status = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        for _ in range(50):
            if status["State"] != "IN_PROGRESS":
                break
            time.sleep(0.1)
            status = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            raise SystemExit(f"CreateAccount {name}: {status}")
        ids[var] = status["AccountId"]
        env = name.split("-")[1]
        org.tag_resource(ResourceId=status["AccountId"], Tags=[{"Key": "env", "Value": env}])
    ids["endpoint"] = endpoint
    with open(out, "w") as f:
        json.dump(ids, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
