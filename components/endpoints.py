"""Typed hand-offs: the small records one part gives another, instead of loose outputs passed field by field.

Each record holds `pulumi.Input`s while resources are being declared; `resolved()` turns it into the same
record holding plain values, which is what the pure rendering code (boot scripts, manifests) receives.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol, Sequence, TypeVar

import pulumi

T = TypeVar("T")


@dataclass(frozen=True)
class NetworkEndpoint:
    vpc_id: pulumi.Input[str]
    cidr: str
    public_subnet_ids: Sequence[pulumi.Input[str]]
    private_subnet_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class DatabaseEndpoint:
    """Where the app's PostgreSQL is; credentials stay in the RDS-managed secret (username/password JSON)."""

    address: pulumi.Input[str]
    port: pulumi.Input[int]
    db_name: str
    secret_arn: pulumi.Input[str]


@dataclass(frozen=True)
class CacheEndpoint:
    """Where the Redis-compatible cache is; its AUTH token stays in Secrets Manager."""

    address: pulumi.Input[str]
    port: pulumi.Input[int]
    secret_arn: pulumi.Input[str]


@dataclass(frozen=True)
class Bucket:
    name: pulumi.Input[str]
    arn: pulumi.Input[str]
    regional_domain: pulumi.Input[str]


@dataclass(frozen=True)
class TargetGroupEndpoint:
    """A service's target group: ECS registers the tasks in it, autoscaling counts its requests.

    `forwarded_by`: the listener or listener rule that sends it traffic. ECS refuses a service whose target group
    is not yet associated with a load balancer ("The target group ... does not have an associated load balancer",
    CreateService, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html: "the target
    group ... must be associated with a load balancer"), so a service waits for it."""

    arn: pulumi.Input[str]
    arn_suffix: pulumi.Input[str]
    forwarded_by: tuple[pulumi.Resource, ...]


class IngressTargets(Protocol):
    """What a runtime behind the load balancer may do with it: register its targets, and name it in alarms."""

    arn_suffix: pulumi.Output[str]

    def attach_instances(self, instance_ids: Sequence[pulumi.Input[str]]) -> None: ...

    def attach_autoscaling_groups(self, group_names: Sequence[pulumi.Input[str]]) -> None: ...

    def service_target_group(self, service: str) -> TargetGroupEndpoint: ...


def resolved(record: T) -> pulumi.Output[T]:
    """The same record once every value in it is known (named, never positional)."""
    values = {field.name: getattr(record, field.name) for field in dataclasses.fields(record)}
    return pulumi.Output.all(**values).apply(lambda plain: dataclasses.replace(record, **plain))
