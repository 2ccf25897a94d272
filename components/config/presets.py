"""Per-phase defaults, taken from the reference deployment plans; a stack file states only what differs.

A phase is data: which runtimes it may run (the first is its default) with their sizing, and the sizing of
every other part. Usage assumptions (traffic, storage, logs) have no preset: they are facts about the app
that the stack file must declare, because the policy pack prices usage from them and must never invent any.

mvp        ~ "Phase 1": one Docker Compose host, a small private RDS, an encrypted bucket (~$30-45/month).
growth     ~ "Phase 2": two-node K3s behind an ALB, managed Redis, CDN (<= $105/month).
production ~ "Phase 3": EKS across AZs, Multi-AZ RDS, NAT per AZ (<= $412/month).
"""

from __future__ import annotations

import copy
from typing import Any

from phasegate_policies.contract import DEFAULT_CEILINGS

from .types import Phase

# phase -> runtime -> that runtime's sizing in this phase; the first runtime is the phase's default.
COMPUTE_PRESETS: dict[Phase, dict[str, dict[str, Any]]] = {
    Phase.MVP: {
        "compose": {"instanceType": "t3.small", "rootVolumeGb": 30, "logRetentionDays": 14},
        # The lean alternatives (reference plans 002 and 003): no servers at all.
        "fargate": {"maxTasksPerService": 2},
        # The HTTP API's throttling is the cost guard (no reserved concurrency: new accounts cannot reserve any).
        "lambda": {"throttleRatePerSecond": 50, "throttleBurst": 100},
    },
    Phase.GROWTH: {
        "k3s": {"serverInstanceType": "t3.small", "agentInstanceType": "t3.small", "agentCount": 1},
        "fargate": {"maxTasksPerService": 4},
        "lambda": {"throttleRatePerSecond": 200, "throttleBurst": 400},
    },
    Phase.PRODUCTION: {
        "eks": {"minNodes": 3, "desiredNodes": 3, "maxNodes": 6},
        "fargate": {"maxTasksPerService": 10},
    },
}
# Disaster-recovery copies go to the nearest other region of the catalog in the same geography. A region without
# one (ap-southeast-1: no other priced region nearby) must name database.drRegion itself.
DR_PARTNER_REGIONS = {"us-east-1": "us-west-2", "us-east-2": "us-west-2", "us-west-2": "us-east-2",
                      "eu-west-1": "eu-central-1", "eu-central-1": "eu-west-1"}
PHASE_RUNTIMES: dict[Phase, tuple[str, ...]] = {phase: tuple(runtimes) for phase, runtimes in COMPUTE_PRESETS.items()}

PRESETS: dict[Phase, dict[str, Any]] = {
    Phase.MVP: {
        "network": {"azCount": 2, "egress": "none"},
        "database": {"instanceClass": "db.t4g.micro", "allocatedStorageGb": 20, "maxAllocatedStorageGb": 100,
                     "multiAz": False, "backupRetentionDays": 7},
        "cache": {"enabled": False},
        "cdn": {"enabled": False},
        "waf": {"enabled": False},
    },
    Phase.GROWTH: {
        "network": {"azCount": 2, "egress": "instance", "natInstanceType": "t4g.nano"},
        "database": {"instanceClass": "db.t4g.micro", "allocatedStorageGb": 20, "maxAllocatedStorageGb": 200,
                     "multiAz": False, "backupRetentionDays": 14},
        "cache": {"enabled": True, "engine": "valkey", "nodeType": "cache.t4g.micro"},
        "cdn": {"enabled": True},
        "waf": {"enabled": False},
    },
    Phase.PRODUCTION: {
        "network": {"azCount": 3, "egress": "gatewayPerAz"},
        # The reference plan's Phase 3 database is a micro class; Multi-AZ is what production adds.
        "database": {"instanceClass": "db.t4g.micro", "allocatedStorageGb": 20, "maxAllocatedStorageGb": 500,
                     "multiAz": True, "backupRetentionDays": 14, "performanceInsights": True, "drCopy": True},
        # Serverless Valkey is Multi-AZ by design and, at a small app's data and request volume, cheaper than a
        # primary and a replica node (README, "The production phase"; tests/stacks/test_production_stack.py).
        "cache": {"enabled": True, "engine": "valkey", "mode": "serverless"},
        "cdn": {"enabled": True},
        "waf": {"enabled": True},
    },
}
# The budget defaults to the phase's cost ceiling, which the pack defines.
for _phase, _preset in PRESETS.items():
    _preset["billing"] = {"monthlyBudgetUsd": DEFAULT_CEILINGS[_phase.value]}


def compute_preset(phase: Phase, runtime: str) -> dict[str, Any]:
    """The compute section a stack of `phase` starts from when it runs `runtime` (empty if it may not)."""
    sizing = COMPUTE_PRESETS[phase].get(runtime)
    return {"runtime": runtime, **copy.deepcopy(sizing)} if sizing is not None else {"runtime": runtime}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Override wins key by key; nested mappings merge, lists and scalars replace."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
