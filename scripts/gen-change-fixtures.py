#!/usr/bin/env python3
"""Writes the fixture pull requests under fixtures/changes/: each is a
proposed state (head.json) of the acme organization (fixtures/acme/snapshot.json
is the base) with one change. Deterministic; rerun after the acme snapshot
changes: python3 scripts/gen-change-fixtures.py"""
import copy
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent.parent
base = json.loads((root / "fixtures/acme/snapshot.json").read_text())


def ps(snap, name):
    return next(p for p in snap["permission_sets"] if p["name"] == name)


def group(snap, name):
    return next(g for g in snap["groups"] if g["name"] == name)


def admin_for_dev_on_prod(s):
    """The developers group gets AdministratorAccess on acme-prod (env=prod)."""
    s["assignments"].append({
        "account_id": "210000000101",
        "permission_set_arn": ps(s, "AdministratorAccess")["arn"],
        "principal_type": "GROUP",
        "principal_id": group(s, "acme-developers")["id"],
    })


def session_12_hours(s):
    """PlatformEngineer sessions go from 8 to 12 hours."""
    ps(s, "PlatformEngineer")["session_duration"] = "PT12H"


def abac_condition_widened(s):
    """DataEngineer's tag-matching statement accepts any team tag."""
    stmt = next(x for x in ps(s, "DataEngineer")["inline_policy"]["Statement"]
                if x.get("Sid") == "TeamTaggedResources")
    stmt["Condition"] = {"StringLike": {"aws:ResourceTag/team": "*"}}


def description_only(s):
    """A harmless change: ReadOnlyAccess's description is reworded."""
    ps(s, "ReadOnlyAccess")["description"] = "Read-only access to every service (reviewed 2026-Q4)"


changes = {
    "admin-for-dev-on-prod": admin_for_dev_on_prod,
    "session-12-hours": session_12_hours,
    "abac-condition-widened": abac_condition_widened,
    "description-only": description_only,
}

for name, edit in changes.items():
    head = copy.deepcopy(base)
    edit(head)
    d = root / "fixtures/changes" / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "head.json").write_text(json.dumps(head, indent=1, ensure_ascii=False) + "\n")
    (d / "README.md").write_text(
        f"# {name}\n\n{edit.__doc__}\n\nBase: `fixtures/acme/snapshot.json`. Check it with\n\n"
        f"```sh\naccessgraph check --base fixtures/acme/snapshot.json --head fixtures/changes/{name}/head.json --format markdown\n```\n"
        "\nThe expected findings are pinned in `tests/snapshots/check__*.snap`.\n"
    )
    print("wrote", d / "head.json")
