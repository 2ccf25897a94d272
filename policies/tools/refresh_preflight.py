#!/usr/bin/env python3
"""Rebuild pre-flight's compact models from the packages that publish them, recording each source, version and date.

    .venv/bin/python policies/tools/refresh_preflight.py            # writes phasegate_policies/preflight/*.json
    .venv/bin/python policies/tools/refresh_preflight.py --check    # exit 1 when a file differs from a rebuild

- aws.json: from cfn-lint's CloudFormation resource schemas (us-east-1) the constraints (type, enum, pattern,
  lengths, range) of every property `preflight/mapping.py` maps, and from cfn-lint's RDS extensions the engine
  versions each engine offers and the instance classes each engine version runs on.
- iam.json: from policy_sentry's IAM definition (the Service Authorization Reference) every service's actions with
  their resource types and condition keys, each resource type's ARN format, and the service's condition keys.
- kubernetes.json: from kubernetes-validate's strict OpenAPI schemas, per Kubernetes minor version that a stack can
  pin (EKS versions phasegate knows, and K3s's), the built-in kinds in `preflight/kubernetes.py`'s KINDS with every
  definition they reach.

The pack reads only these files (it ships without the packages that produced them: `pulumi policy publish`
installs policies/requirements.txt alone). The packages are in requirements-dev.txt.
Exit status: 0 written (or up to date with --check), 1 out of date with --check.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import cfnlint.data.schemas.extensions.aws_rds_dbinstance as rds_extensions
import kubernetes_validate
import policy_sentry
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from phasegate_policies.contract import EKS_STANDARD_SUPPORT_ENDS
from phasegate_policies.preflight.data import DATA_DIR
from phasegate_policies.preflight.kubernetes import K3S_MINORS, KINDS
from phasegate_policies.preflight.mapping import AWS_TYPES

CONSTRAINTS = ("type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum")
REGION = "us-east-1"


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _property(schema: dict[str, Any], path: str) -> dict[str, Any]:
    node: dict[str, Any] = schema
    for part in path.split("."):
        node = _resolve(schema, node["properties"][part])
    return {key: node[key] for key in CONSTRAINTS if key in node}


def _rds() -> dict[str, Any]:
    """Engine -> versions, and [engine, version pattern, classes], from cfn-lint's RDS DBInstance extensions."""
    folder = resources.files(rds_extensions)
    versions = {rule["if"]["properties"]["Engine"]["const"]: rule["then"]["properties"]["EngineVersion"]["enum"]
                for rule in json.loads(folder.joinpath("engine_version.json").read_text())["allOf"]
                if "const" in rule["if"]["properties"]["Engine"]}
    lists: list[list[str]] = []  # each distinct class list once: many engine versions share one
    rules = []
    for rule in json.loads(folder.joinpath("db_instance_class.json").read_text())["allOf"]:
        classes = sorted(rule["then"]["properties"]["DBInstanceClass"]["enum"])
        if classes not in lists:
            lists.append(classes)
        rules.append([rule["if"]["properties"]["Engine"]["const"], rule["if"]["properties"]["EngineVersion"]["pattern"],
                      lists.index(classes)])
    return {"engineVersions": versions, "instanceClasses": rules, "classLists": lists}


def build_aws() -> dict[str, Any]:
    types: dict[str, dict[str, Any]] = {}
    for cfn_type, properties in AWS_TYPES.values():
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, cfn_type).schema
        entry = types.setdefault(cfn_type, {})
        for path in properties.values():
            entry[path] = _property(schema, path)
    return {"source": f"cfn-lint {metadata.version('cfn-lint')}: CloudFormation resource provider schemas "
                      f"({REGION}) and cfn-lint's AWS::RDS::DBInstance extensions",
            "refreshed": datetime.date.today().isoformat(), "types": types, "rds": _rds()}


def _iam_service(service: dict[str, Any]) -> dict[str, Any]:
    actions = {}
    for name, privilege in service["privileges"].items():
        kinds = [kind for kind in privilege["resource_types"] if kind]
        keys = sorted({key for kind in privilege["resource_types"].values() for key in kind["condition_keys"]})
        actions[name.lower()] = [name, [kind.rstrip("*") for kind in kinds], keys]
    return {"actions": actions, "resources": {kind: spec["arn"] for kind, spec in service["resources"].items()},
            "conditions": sorted(service["conditions"])}


def build_iam() -> dict[str, Any]:
    path = Path(policy_sentry.__file__).parent / "shared" / "data" / "iam-definition.json"
    definition = json.loads(path.read_text())
    # Each service as JSON text of its own, parsed on first use: a stack's documents name a handful of services,
    # and reading 2 MB of objects for all of them would be most of the pack's cold start.
    services = {prefix: json.dumps(_iam_service(service), sort_keys=True, separators=(",", ":"))
                for prefix, service in sorted(definition.items()) if isinstance(service, dict)}
    return {"source": f"policy_sentry {metadata.version('policy_sentry')}: iam-definition.json (the AWS Service "
                      f"Authorization Reference)", "refreshed": datetime.date.today().isoformat(),
            "services": services}


def _reachable(definitions: dict[str, Any], roots: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found[name] = definitions[name]
        pending.extend(re.findall(r'"\$ref": "[^"#]*#/\$defs/([^"]+)"', json.dumps(definitions[name])))
    text = re.sub(r'"\$ref": "[^"#]*#/\$defs/', '"$ref": "#/$defs/', json.dumps(dict(sorted(found.items()))))
    return _without_descriptions(json.loads(text))


def _without_descriptions(node: Any) -> Any:
    """The schema without its prose (most of its size); a property named "description" is kept."""
    if isinstance(node, dict):
        return {key: _without_descriptions(value) for key, value in node.items()
                if key != "description" or isinstance(value, dict)}
    if isinstance(node, list):
        return [_without_descriptions(item) for item in node]
    return node


def build_kubernetes() -> dict[str, Any]:
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    minors = sorted(set(EKS_STANDARD_SUPPORT_ENDS) | set(K3S_MINORS), key=lambda v: tuple(map(int, v.split("."))))
    versions = {}
    for minor in minors:
        folder = root / f"v{minor}.0-local-strict"
        if not folder.is_dir():
            continue
        definitions = json.loads((folder / "_definitions.json").read_text())["$defs"]
        versions[minor] = {"kinds": KINDS, "$defs": _reachable(definitions, list(KINDS.values()))}
    return {"source": f"kubernetes-validate {metadata.version('kubernetes-validate')}: the Kubernetes OpenAPI "
                      f"schemas, strict (no unknown fields)", "refreshed": datetime.date.today().isoformat(),
            "versions": versions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with a rebuild instead of writing")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the folder of the model files (the pack's)")
    args = parser.parse_args(argv)
    stale = []
    for name, build in (("aws.json", build_aws), ("iam.json", build_iam), ("kubernetes.json", build_kubernetes)):
        fresh = build()
        target = args.data / name
        if args.check:
            current = json.loads(target.read_text())
            if {**current, "refreshed": None} != {**fresh, "refreshed": None}:
                stale.append(name)
            continue
        target.write_text(json.dumps(fresh, sort_keys=True, separators=(",", ":")) + "\n")
        print(f"refresh_preflight: wrote {target} ({target.stat().st_size // 1024} KiB)")
    for name in stale:
        print(f"refresh_preflight: {name} differs from its sources: run policies/tools/refresh_preflight.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
