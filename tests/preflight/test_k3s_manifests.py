"""Every manifest a K3s boot script applies, validated strictly against the OpenAPI schema of the stack's pinned
K3s (Kubernetes) version, with the API server's port range; custom resources are listed as not covered."""

from __future__ import annotations

import base64
import re

import pytest
import yaml

from components.config import build_stack_config
from components.render.placeholders import boot_scripts
from conftest import stack_values
from phasegate_policies.preflight import kubernetes

EMBEDDED = re.compile(r"echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)")
K3S_STACKS = ("growth",)


def _applied(stack: str) -> tuple[str, list[tuple[str, dict]]]:
    """The stack's pinned K3s version and (file, object) for each manifest its server's boot script writes."""
    cfg = build_stack_config(stack_values(stack), f"Pulumi.{stack}.yaml")
    server = boot_scripts(cfg)["K3s server"](cfg.app)
    objects = []
    for encoded, path in EMBEDDED.findall(server):
        if path.endswith((".yaml", ".yml")):
            objects += [(path, doc) for doc in yaml.safe_load_all(base64.b64decode(encoded)) if doc]
    return cfg.compute.version, objects


@pytest.mark.parametrize("stack", K3S_STACKS)
def test_every_built_in_object_a_k3s_server_applies_is_valid_for_its_pinned_version(stack):
    version, objects = _applied(stack)
    minor = kubernetes.version_of(version)
    assert minor is not None, f"{stack} pins K3s {version}: the pack carries no schema for it"
    built_in = [(path, obj) for path, obj in objects
                if kubernetes.kind_key(obj["apiVersion"], obj["kind"]) in kubernetes.KINDS]
    assert {obj["kind"] for _, obj in built_in} >= {"Namespace", "Deployment", "Service", "Ingress"}
    problems = [p for path, obj in built_in for p in kubernetes.check_object(f"{path}:{obj['kind']}", obj, minor)]
    assert problems == []


@pytest.mark.parametrize("stack", K3S_STACKS)
def test_custom_resources_a_k3s_server_applies_are_listed_as_not_covered(stack):
    _, objects = _applied(stack)
    custom = {f"{obj['apiVersion']}/{obj['kind']}" for _, obj in objects
              if not kubernetes.builtin_group(obj["apiVersion"])}
    assert custom <= {"helm.cattle.io/v1/HelmChartConfig", "traefik.io/v1alpha1/Middleware"}
    assert "helm.cattle.io/v1/HelmChartConfig" in custom


@pytest.mark.parametrize("path, value, expected", [
    ("spec.replicas", "two", "spec.replicas 'two': 'two' is not of type 'integer', 'null'"),
    ("spec.template.spec.containers.0.ports.0.containerPort", 0, "is not a port (1-65535)"),
    ("spec.template.spec.containers.0.imagePullPolicy", 3, "3 is not of type 'string'"),
    ("spec.strategy.rollingUpdate.maxSurgeX", 1, "Additional properties are not allowed"),
])
def test_a_broken_k3s_manifest_is_refused(path, value, expected):
    version, objects = _applied("growth")
    deployment = next(obj for _, obj in objects if obj["kind"] == "Deployment")
    *parents, last = path.split(".")
    node = deployment
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[last] = value
    problems = kubernetes.check_object("web", deployment, kubernetes.version_of(version))
    assert any(expected in problem for problem in problems), problems
