"""phasegate's CrossGuard policies, grouped by concern; `all_policies()` is what the pack is built from."""

from __future__ import annotations

from pulumi_policy import Policy

from . import billing, cost_rules, encryption, hygiene, network
from .guard import guarded

PACK_NAME = "phasegate"
PACK_DESCRIPTION = ("phasegate guardrails: per-phase cost ceilings, encryption at rest, private placement of data "
                    "and nodes, billing alarms, and advisory hygiene.")


def all_policies() -> list[Policy]:
    policies = [*cost_rules.POLICIES, *encryption.POLICIES, *network.POLICIES, *billing.POLICIES, *hygiene.POLICIES]
    return [guarded(policy) for policy in policies]
