"""Kubernetes objects against the strict OpenAPI schema of a Kubernetes minor version (no unknown fields), plus the
port range the API server enforces beyond the schema (`facts`). Custom resources are not covered: no CRD schema is
vendored. Each kind's validator is compiled once per process, on first use."""

from __future__ import annotations

import functools
from typing import Any, Iterator, Optional

from jsonschema import Draft202012Validator

from ..engine import UNKNOWN
from .data import model
from .facts import KUBERNETES_PORTS, PORT_SOURCE

# The built-in kinds pre-flight validates ("apiVersion/Kind" -> OpenAPI definition); tools/refresh_preflight.py
# extracts these and every definition they reach.
KINDS = {
    "v1/Namespace": "io.k8s.api.core.v1.Namespace", "v1/Service": "io.k8s.api.core.v1.Service",
    "v1/ServiceAccount": "io.k8s.api.core.v1.ServiceAccount", "v1/ConfigMap": "io.k8s.api.core.v1.ConfigMap",
    "v1/Secret": "io.k8s.api.core.v1.Secret", "v1/Pod": "io.k8s.api.core.v1.Pod",
    "apps/v1/Deployment": "io.k8s.api.apps.v1.Deployment", "apps/v1/StatefulSet": "io.k8s.api.apps.v1.StatefulSet",
    "apps/v1/DaemonSet": "io.k8s.api.apps.v1.DaemonSet", "batch/v1/Job": "io.k8s.api.batch.v1.Job",
    "batch/v1/CronJob": "io.k8s.api.batch.v1.CronJob",
    "autoscaling/v2/HorizontalPodAutoscaler": "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    "policy/v1/PodDisruptionBudget": "io.k8s.api.policy.v1.PodDisruptionBudget",
    "networking.k8s.io/v1/Ingress": "io.k8s.api.networking.v1.Ingress",
    "networking.k8s.io/v1/NetworkPolicy": "io.k8s.api.networking.v1.NetworkPolicy",
    "rbac.authorization.k8s.io/v1/Role": "io.k8s.api.rbac.v1.Role",
    "rbac.authorization.k8s.io/v1/RoleBinding": "io.k8s.api.rbac.v1.RoleBinding",
    "rbac.authorization.k8s.io/v1/ClusterRole": "io.k8s.api.rbac.v1.ClusterRole",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "io.k8s.api.rbac.v1.ClusterRoleBinding",
}
# K3s minors a stack may pin besides EKS's (components/config/compute.py K3sCompute.version defaults to 1.31).
K3S_MINORS = ("1.31",)


def minors() -> list[str]:
    """The Kubernetes minor versions whose schemas the pack carries, oldest first."""
    return sorted(model("kubernetes.json")["versions"], key=lambda v: tuple(int(p) for p in v.split(".")))


def kind_key(api_version: str, kind: str) -> str:
    return f"{api_version}/{kind}"


def builtin_group(api_version: str) -> bool:
    """A Kubernetes API group (core, apps, ... or *.k8s.io) rather than a custom resource's."""
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


@functools.lru_cache(maxsize=None)
def _validator(minor: str, key: str) -> Draft202012Validator:
    version = model("kubernetes.json")["versions"][minor]
    return Draft202012Validator({"$ref": f"#/$defs/{version['kinds'][key]}", "$defs": version["$defs"]})


def _where(path: Any) -> str:
    return ".".join(str(part) for part in path) or "(the object)"


def _ports(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(where, value) for each value at a dotted path whose `[]` steps walk lists."""
    current: list[tuple[list[str], Any]] = [([], obj)]
    for step in path.split("."):
        listed = step.endswith("[]")
        key = step[:-2] if listed else step
        following = []
        for where, value in current:
            child = value.get(key) if isinstance(value, dict) else None
            if listed and isinstance(child, list):
                following += [(where + [key, str(index)], item) for index, item in enumerate(child)]
            elif not listed and child is not None:
                following.append((where + [key], child))
        current = following
    yield from ((".".join(where), value) for where, value in current)


def check_object(name: str, obj: Any, minor: str) -> list[str]:
    """Every way the API server of `minor` would refuse this built-in object (its kind must be in KINDS)."""
    key = kind_key(obj.get("apiVersion", ""), obj.get("kind", ""))
    found = []
    for error in _validator(minor, key).iter_errors(obj):
        if error.instance is UNKNOWN or any(item is UNKNOWN for item in _unknowns(error)):
            continue  # a value unknown at a first preview is judged when it is known
        value = error.instance if isinstance(error.instance, (str, int, float, bool)) else None
        shown = f" {value!r}" if value is not None else ""
        found.append(f"{name}: {_where(error.absolute_path)}{shown}: {error.message} "
                     f"(Kubernetes {minor} OpenAPI {KINDS[key]}, strict)")
    for path in KUBERNETES_PORTS.get(key, ()):
        for where, port in _ports(obj, path):
            if isinstance(port, (int, float)) and not isinstance(port, bool) and not 1 <= port <= 65535:
                found.append(f"{name}: {where} {int(port)} is not a port (1-65535) ({PORT_SOURCE})")
    return found


def _unknowns(error: Any) -> list[Any]:
    """The instances an error's sub-errors (oneOf/anyOf branches) judged, to drop errors about unknowns."""
    return [sub.instance for sub in error.context or ()]


def version_of(pinned: Optional[str]) -> Optional[str]:
    """The carried minor for a pinned version ("1.35", "v1.31.4+k3s1"), or None when the pack has no schema."""
    if not pinned:
        return None
    parts = pinned.lstrip("v").split("+")[0].split(".")
    minor = ".".join(parts[:2])
    return minor if minor in model("kubernetes.json")["versions"] else None
