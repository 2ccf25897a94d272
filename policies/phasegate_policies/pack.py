"""Assembles the pack: every rule module registers its policies here, each wrapped so a crash is reported."""

from __future__ import annotations

from pulumi_policy import Policy

from .guard import guarded
from .rules import (billing, boot, cost, ecs, eks, encryption, hygiene, preflight, private_subnets, production,
                    public_ingress, workloads)

PACK_NAME = "phasegate"
PACK_DESCRIPTION = ("phasegate guardrails: per-phase cost ceilings, encryption at rest, private placement of data "
                    "and nodes, billing alarms, and advisory hygiene.")
RULE_MODULES = (cost, encryption, public_ingress, private_subnets, billing, production, eks, ecs, workloads, boot,
                hygiene, preflight)


def all_policies() -> list[Policy]:
    """Every policy once; a name registered twice is a packaging error, refused here rather than by the engine."""
    policies: dict[str, Policy] = {}
    for module in RULE_MODULES:
        for policy in module.POLICIES:
            if policy.name in policies:
                raise ValueError(f"policy {policy.name!r} is registered twice (again in {module.__name__})")
            policies[policy.name] = policy
    return [guarded(policy) for policy in policies.values()]
