"""The runtime registry: how each compute runtime plugs into the one composition.

A runtime's config model (found by its name) declares its capabilities, such as how the load balancer (if any)
reaches it; the runtime declares its security group, the node port the load balancer forwards to and the checks
that need the render side, and builds its compute from one `RuntimeArgs`. Registering a name twice is refused,
so two runtimes can never silently shadow each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Protocol

import pulumi

from ..config.capabilities import Capabilities, Ingress
from ..config.compute import RUNTIME_MODELS, RuntimeModel
from ..config.errors import LocatedError
from ..config.models import Alerts as AlertsConfig, App, StackConfig
from ..endpoints import Bucket, CacheEndpoint, DatabaseEndpoint, IngressTargets, NetworkEndpoint
from ..parts.security_groups import AppSecurityGroupShape
from ..parts.tags import Tagger
from ..render.alarms import AlarmSpec


@dataclass(frozen=True)
class RuntimeArgs:
    """Everything a runtime receives: the app, its own compute config, and the parts built before it."""

    app: App
    compute: RuntimeModel
    region: str
    stack: str
    network: NetworkEndpoint
    security_group_id: pulumi.Input[str]
    database: DatabaseEndpoint
    bucket: Bucket
    cache: Optional[CacheEndpoint]
    ingress: Optional[IngressTargets]  # the load balancer, when the runtime serves through one
    tags: Tagger


class Compute(Protocol):
    """What a runtime built: stack outputs, the app's URL when it serves the internet itself, its alarms."""

    outputs: Mapping[str, pulumi.Input]
    url: Optional[pulumi.Input[str]]

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]: ...


@dataclass(frozen=True)
class Runtime:
    name: str  # the value of phasegate:compute.runtime, which selects its config model
    component: str  # the compute component is named <app>-<component>
    security_group: AppSecurityGroupShape
    build: Callable[[str, RuntimeArgs], Compute]
    # The port the load balancer forwards to on every node: set exactly when the model's ingress is NODE_PORT.
    ingress_port: Optional[int] = None
    # With network egress "endpoints": the AWS services the compute must reach through VPC interface endpoints.
    interface_endpoints: tuple[str, ...] = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")
    # Config checks that need the render side (they run once the config validated, before anything is built).
    checks: tuple[Callable[[StackConfig], Iterable[LocatedError]], ...] = ()

    def __post_init__(self) -> None:
        if self.name not in RUNTIME_MODELS:
            raise ValueError(f"runtime {self.name!r} has no config model: declare one in components/config/compute.py")
        if (self.ingress_port is not None) != (self.capabilities.ingress is Ingress.NODE_PORT):
            raise ValueError(f"runtime {self.name!r}: an ingress port goes with, and only with, NODE_PORT ingress")

    @property
    def capabilities(self) -> Capabilities:
        return RUNTIME_MODELS[self.name].capabilities

    @property
    def ingress_per_service(self) -> bool:
        """The load balancer forwards to each public service's own targets (by IP), not to a node port."""
        return self.capabilities.ingress is Ingress.PER_SERVICE

    @property
    def behind_load_balancer(self) -> bool:
        return self.capabilities.behind_load_balancer


class RuntimeRegistry(Mapping[str, Runtime]):
    def __init__(self) -> None:
        self._runtimes: dict[str, Runtime] = {}

    def register(self, runtime: Runtime) -> Runtime:
        if runtime.name in self._runtimes:
            raise ValueError(f"runtime {runtime.name!r} is already registered")
        self._runtimes[runtime.name] = runtime
        return runtime

    def __getitem__(self, name: str) -> Runtime:
        return self._runtimes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._runtimes)

    def __len__(self) -> int:
        return len(self._runtimes)


RUNTIMES = RuntimeRegistry()


def stand_in_endpoints(args: RuntimeArgs, n: int) -> dict[str, Any]:
    """The bucket, database and cache as made-up values shaped like the real ones (a cache exactly when there is
    one): what renders the same with two different stand-ins depends on no output."""
    return {
        "bucket": f"stand-in-bucket-{n}",
        "database": DatabaseEndpoint(address=f"db-{n}.invalid", port=5400 + n, db_name=args.database.db_name,
                                     secret_arn=f"stand-in-db-secret-{n}"),
        "cache": CacheEndpoint(address=f"cache-{n}.invalid", port=6300 + n, secret_arn=f"stand-in-cache-secret-{n}")
        if args.cache else None,
    }


def known_where_possible(first: Any, second: Any, deployed: pulumi.Output, pick: Callable[[Any], Any]) -> Any:
    """`pick` of a rendering: a plain value where it is the same in both stand-in renderings (it depends on no
    output, so a first preview shows it to the pack), else taken from the deployed rendering, an output."""
    plain = pick(first)
    return plain if plain == pick(second) else deployed.apply(pick)
