"""Per-phase defaults, taken from the reference deployment plans; a stack file states only what differs.

Usage assumptions (traffic, storage, logs) have no preset: they are facts about the app that the stack
file must declare, because the policy pack prices usage from them and must never invent any.

mvp        ~ "Phase 1": one Docker Compose host, a small private RDS, an encrypted bucket (~$30-45/month).
growth     ~ "Phase 2": two-node K3s behind an ALB, managed Redis, CDN (<= $105/month).
production ~ "Phase 3": EKS across AZs, Multi-AZ RDS, NAT per AZ (<= $412/month).
"""

from __future__ import annotations

import copy
from typing import Any

from .types import Phase

PRESETS: dict[Phase, dict[str, Any]] = {
    Phase.MVP: {
        "network": {"azCount": 2, "egress": "none"},
        "database": {"instanceClass": "db.t4g.micro", "allocatedStorageGb": 20, "maxAllocatedStorageGb": 100,
                     "multiAz": False, "backupRetentionDays": 7},
        "composeHost": {"instanceType": "t3.small", "rootVolumeGb": 30, "logRetentionDays": 14},
        "cache": {"enabled": False},
        "cdn": {"enabled": False},
        "billing": {"monthlyBudgetUsd": 45},
    },
    Phase.GROWTH: {
        "network": {"azCount": 2, "egress": "instance", "natInstanceType": "t4g.nano"},
        "database": {"instanceClass": "db.t4g.micro", "allocatedStorageGb": 20, "maxAllocatedStorageGb": 200,
                     "multiAz": False, "backupRetentionDays": 14},
        "k3s": {"serverInstanceType": "t3.small", "agentInstanceType": "t3.small", "agentCount": 1},
        "cache": {"enabled": True, "engine": "valkey", "nodeType": "cache.t4g.micro"},
        "cdn": {"enabled": True},
        "billing": {"monthlyBudgetUsd": 105},
    },
    Phase.PRODUCTION: {
        "network": {"azCount": 3, "egress": "gatewayPerAz"},
        "database": {"instanceClass": "db.t4g.small", "allocatedStorageGb": 50, "maxAllocatedStorageGb": 500,
                     "multiAz": True, "backupRetentionDays": 14},
        "eks": {"nodeInstanceType": "t3.medium", "minNodes": 3, "desiredNodes": 3, "maxNodes": 6},
        "cache": {"enabled": True, "engine": "valkey", "nodeType": "cache.t4g.small", "replicas": 1},
        "cdn": {"enabled": True},
        "billing": {"monthlyBudgetUsd": 412},
    },
}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Override wins key by key; nested mappings merge, lists and scalars replace."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
