"""Pre-flight: what AWS, Kubernetes and IAM would refuse, judged from a resource's inputs before any deploy.

The models are compact files extracted by tools/refresh_preflight.py (CloudFormation schemas with cfn-lint's
extensions, the IAM definitions, Kubernetes OpenAPI schemas), read lazily, once per process. `check_resource` is
what the `aws-preflight` policy runs on each resource; `coverage` says, per type, what a check is made against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ..engine import UNKNOWN, dig
from . import kubernetes
from .aws import check_inputs
from .data import source
from .iam import broad_grants, check_document
from .mapping import AWS_TYPES, NOT_AWS_RESOURCES, POLICY_DOCUMENTS

EKS_CLUSTER = "aws:eks/cluster:Cluster"
IDENTITY_POLICIES = ("aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy",
                     "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy")


def documents(resource_type: str, props: Any) -> list[tuple[str, Any]]:
    """(input, document) for each known policy document the resource declares."""
    found = []
    for path in POLICY_DOCUMENTS.get(resource_type, ()):
        head, _, rest = path.partition("[].")
        if rest:
            values = dig(props, head)
            entries = [(f"{head}[{i}].{rest}", dig(item, rest)) for i, item in enumerate(values)] \
                if isinstance(values, list) else []
        else:
            entries = [(path, dig(props, path))]
        found += [(where, doc) for where, doc in entries if doc is not None and doc is not UNKNOWN]
    return found


def kubernetes_type(resource_type: str) -> Optional[tuple[str, str]]:
    """(apiVersion, kind) of a pulumi-kubernetes type token (kubernetes:apps/v1:Deployment), else None."""
    package, _, rest = resource_type.partition(":")
    module, _, kind = rest.partition(":")
    if package != "kubernetes" or not kind or module.startswith("helm.sh") or module.startswith("yaml"):
        return None
    return (module[len("core/"):] if module.startswith("core/") else module), kind


def check_resource(resource_type: str, name: str, props: Any, kubernetes_minor: Optional[str]) -> list[str]:
    """Every mandatory pre-flight violation of one resource's declared inputs."""
    found = check_inputs(resource_type, name, props)
    for where, document in documents(resource_type, props):
        found += check_document(f"{name}: {where}", document)
    typed = kubernetes_type(resource_type)
    if typed and kubernetes.kind_key(*typed) in kubernetes.KINDS and kubernetes_minor is not None:
        found += kubernetes.check_object(name, {"apiVersion": typed[0], "kind": typed[1], **props}, kubernetes_minor)
    return found


def least_privilege(resource_type: str, name: str, props: Any) -> list[str]:
    if resource_type not in IDENTITY_POLICIES:
        return []
    return [finding for where, document in documents(resource_type, props)
            for finding in broad_grants(f"{name}: {where}", document)]


@dataclass(frozen=True)
class Coverage:
    """What pre-flight checks a resource type against; `model` is None when the type is not covered."""

    resource_type: str
    count: int
    model: Optional[str]
    detail: str


def _covered(resource_type: str, minor: Optional[str]) -> tuple[Optional[str], str]:
    typed = kubernetes_type(resource_type)
    if resource_type.startswith("kubernetes:") and not typed:
        return None, "a Helm release or manifest file: the objects it renders are not in the graph"
    if typed:
        if kubernetes.kind_key(*typed) not in kubernetes.KINDS:
            what = "a built-in kind pre-flight carries no schema for" if kubernetes.builtin_group(typed[0]) \
                else "a custom resource: no CRD schema is vendored"
            return None, what
        if minor is None:
            return None, "no Kubernetes version pinned that the pack carries a schema for"
        return source("kubernetes.json"), f"Kubernetes {minor} OpenAPI schema, strict"
    parts = []
    if AWS_TYPES.get(resource_type, ("", {}))[1]:
        cfn_type, properties = AWS_TYPES[resource_type]
        parts.append(f"{len(properties)} input{'s' * (len(properties) != 1)} against {cfn_type}")
    if resource_type in POLICY_DOCUMENTS:
        parts.append("policy documents against the IAM definitions")
    if not parts:
        mapped = AWS_TYPES.get(resource_type, ("",))[0]
        return None, (f"mapped to {mapped}; no input checked" if mapped else "not mapped to a CloudFormation type")
    models = ["aws.json"] * bool(AWS_TYPES.get(resource_type, ("", {}))[1]) + ["iam.json"] * (
        resource_type in POLICY_DOCUMENTS)
    return "; ".join(source(name) for name in models), ", ".join(parts)


def coverage(resource_types: Iterable[str], kubernetes_minor: Optional[str]) -> list[Coverage]:
    """One line per resource type of a stack (components and providers left out), covered ones first."""
    counts: dict[str, int] = {}
    for resource_type in resource_types:
        if resource_type.startswith(NOT_AWS_RESOURCES) or (":" in resource_type and resource_type.split(":")[0]
                                                            not in ("aws", "kubernetes")):
            continue
        counts[resource_type] = counts.get(resource_type, 0) + 1
    lines = [Coverage(t, n, *_covered(t, kubernetes_minor)) for t, n in sorted(counts.items())]
    return sorted(lines, key=lambda line: line.model is None)


def kubernetes_minor(pinned: Optional[str]) -> Optional[str]:
    """The minor whose schema a stack's objects are checked against: the pinned one if the pack carries it (None if
    not), or the newest carried when nothing pins one (a program that brings its own cluster)."""
    return kubernetes.version_of(pinned) if pinned else kubernetes.minors()[-1]


def pinned_version(resources: Iterable[tuple[str, Any]]) -> Optional[str]:
    """The Kubernetes version the stack's EKS cluster pins (its `version` input), or None without a cluster."""
    for resource_type, props in resources:
        version = dig(props, "version") if resource_type == EKS_CLUSTER else None
        if isinstance(version, str):
            return version
    return None
