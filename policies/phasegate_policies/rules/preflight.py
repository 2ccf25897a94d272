"""Pre-flight: inputs that AWS, Kubernetes or IAM would refuse, caught before `pulumi up` (mandatory), and IAM grants
broader than a workload needs (advisory). What each type is checked against is in `preflight.coverage`.

A stack policy, so one rule sees the whole graph: the Kubernetes version an object is judged by is the one the
stack's EKS cluster pins (or the pack config's `kubernetesVersion`). Inputs unknown at a first preview are not
judged until they are known; a policy document unknown then is judged at the next preview.
"""

from __future__ import annotations

from typing import Any, Iterable

from pulumi_policy import ReportViolation, StackValidationArgs

from ..declare import ADVISORY, MANDATORY, stack_policy
from ..preflight import (IDENTITY_POLICIES, check_resource, kubernetes_minor, kubernetes_type, least_privilege,
                         pinned_version)
from ..engine import declared
from ..props import with_config_defaults
from ..stackview import Finding, each

PREFLIGHT_SCHEMA = {"kubernetesVersion": {
    "type": "string", "default": "",
    "description": "Kubernetes version to validate pulumi-kubernetes objects against (e.g. 1.35); by default the "
                   "version the stack's EKS cluster pins, else the newest the pack carries."}}


def _declared(args: StackValidationArgs) -> dict[str, Any]:
    """URN -> declared inputs: all a pre-flight check reads (no StackView: links and outputs are not needed)."""
    return {r.urn: declared(r) for r in args.resources}


def _preflight(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    props = _declared(args)
    configured = with_config_defaults(args.get_config(), PREFLIGHT_SCHEMA)["kubernetesVersion"]
    pinned = configured or pinned_version((r.resource_type, props[r.urn]) for r in args.resources)
    minor = kubernetes_minor(pinned)

    def check(resource: Any) -> Iterable[Finding]:
        if kubernetes_type(resource.resource_type) and minor is None:
            yield (f"{resource.name}: the stack pins Kubernetes {pinned}, which the pack carries no schema for, so "
                   f"the object cannot be shown valid: run policies/tools/refresh_preflight.py", resource.urn)
        for message in check_resource(resource.resource_type, resource.name, props[resource.urn], minor):
            yield message, resource.urn

    each(args.resources, check, report_violation, "aws-preflight")


def _least_privilege(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    def check(resource: Any) -> Iterable[Finding]:
        if resource.resource_type in IDENTITY_POLICIES:
            for message in least_privilege(resource.resource_type, resource.name, declared(resource)):
                yield message, resource.urn

    each(args.resources, check, report_violation, "iam-least-privilege")


POLICIES = [
    stack_policy("aws-preflight", "Inputs AWS, Kubernetes or IAM would refuse at deploy: CloudFormation schema "
                 "constraints, RDS engine versions and classes, IAM actions, resource ARNs and condition keys, and "
                 "Kubernetes objects against the pinned version's OpenAPI schema.", MANDATORY, _preflight,
                 PREFLIGHT_SCHEMA),
    stack_policy("iam-least-privilege", "IAM identity policies name the actions and resources a workload needs: "
                 "no Allow of every action, or of a whole service, on every resource.", ADVISORY, _least_privilege),
]
