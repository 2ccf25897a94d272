"""Usage assumptions as a stack declares them under `phasegate:usage`: the keys are defined here, once.

The program builds its config model for `phasegate:usage` from `USAGE_KEYS`, so the stack file, the
program's validation and the pack's pricing always agree. A phasegate stack must declare the required keys (its
program refuses a stack file without them); the pack demands a key only where a resource of the stack is priced from
it (`Context.usage_of`), so a stack of another program is asked only for what its resources need. A cost model that
guessed traffic would hide the biggest variable cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class UsageKey:
    required: bool
    description: str


USAGE_KEYS: dict[str, UsageKey] = {
    "gbServedPerMonth": UsageKey(True, "Data transfer out to the internet from the origin, GB a month."),
    "requestsPerMonth": UsageKey(True, "HTTP requests to the app a month."),
    "assetsStorageGb": UsageKey(True, "S3 Standard storage of the assets bucket, GB."),
    "logsGbPerMonth": UsageKey(True, "CloudWatch Logs ingestion, GB a month."),
    "cdnGbPerMonth": UsageKey(False, "Data served by CloudFront, GB a month."),
    "assetsPutRequestsPerMonth": UsageKey(False, "S3 PUT/COPY/POST/LIST requests a month."),
    "assetsGetRequestsPerMonth": UsageKey(False, "S3 GET requests a month (not via the CDN)."),
    "natGbPerMonth": UsageKey(False, "Traffic through NAT (image pulls, outbound APIs), GB a month."),
    "dbBackupGb": UsageKey(False, "RDS backup storage beyond the free 100% of provisioned storage, GB."),
    "cacheDataGb": UsageKey(False, "Data kept in the cache, GB (serverless caches bill at least the engine's minimum)"),
    "cacheRequestsPerMonth": UsageKey(False, "Cache reads and writes a month; each request of up to 1 KB is one ECPU on "
                                             "a serverless cache"),
    "endpointGbPerMonth": UsageKey(False, "Traffic through VPC interface endpoints (image pulls, logs, secrets), GB a "
                                          "month"),
    "lambdaAvgDurationMs": UsageKey(False, "Average Lambda duration per request, ms (must be declared when the stack "
                                           "has a Lambda function)"),
    "ecrStorageGb": UsageKey(False, "ECR image storage, GB (must be declared when a task or function runs an image "
                                    "from ECR)"),
    "stateTransitionsPerMonth": UsageKey(False, "Step Functions Standard state transitions a month (must be declared "
                                                "when the stack has a state machine)"),
    "transitGatewayGbPerMonth": UsageKey(False, "Data processed by Transit Gateway attachments, GB a month (must be "
                                                "declared when the stack has a Transit Gateway attachment)"),
    "firewallGbPerMonth": UsageKey(False, "Data processed by Network Firewall endpoints, GB a month (must be declared "
                                          "when the stack has a Network Firewall)"),
}


def _is_declared(self, name: str) -> bool:
    """Whether the stack declared `name` (an optional key some resources need stated, even as 0)."""
    return name in self.declared or bool(getattr(self, name))


# One attribute per usage key, each 0 unless declared (`usage.gbServedPerMonth`): the keys are listed once, above.
# `declared` names the keys the stack file stated, so "declared as 0" and "not declared" can be told apart.
Usage = make_dataclass("Usage", [(name, float, field(default=0.0)) for name in USAGE_KEYS]
                       + [("declared", frozenset, field(default=frozenset(), compare=False))],
                       frozen=True, namespace={"is_declared": _is_declared})
Usage.__module__ = __name__
Usage.__doc__ = "Declared usage, one attribute per key of USAGE_KEYS (0 when not declared), and the keys declared."


def parse_usage(raw: Mapping[str, Any] | None) -> tuple[Usage, list[str]]:
    """The usage and the problems with it (non-numeric keys, which price as zero). A key not declared is no problem
    here: the resource priced from it asks for it (`Context.usage_of`)."""
    raw = raw or {}
    problems, values = [], {}
    for name in USAGE_KEYS:
        if name not in raw:
            continue
        try:
            values[name] = max(0.0, float(raw[name]))
        except (TypeError, ValueError):
            problems.append(f"phasegate:usage.{name} is not a number: {raw[name]!r}")
    return Usage(**values, declared=frozenset(values)), problems
