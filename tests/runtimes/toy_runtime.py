"""A sixth runtime, written as a new runtime's author would: its config model with its capabilities, its builder,
its registration. Importing this module adds it; nothing else in the program changes. `test_toy_runtime.py`
imports it in a process of its own, so the shipped runtimes' tests never see it."""

from __future__ import annotations

from typing import Literal, Optional

import pulumi
import pulumi_aws as aws
from pydantic import Field

from components.config.capabilities import Capabilities, Ingress
from components.config.compute import RuntimeModel
from components.config.models import Alerts, join_runtime
from components.config.presets import COMPUTE_PRESETS, PHASE_RUNTIMES
from components.config.types import Int, LogRetentionDays, Phase
from components.parts.security_groups import AppSecurityGroupShape
from components.render.alarms import AlarmSpec
from components.runtimes import RUNTIMES, Runtime, RuntimeArgs


@join_runtime  # 1. the model joins phasegate:compute's discriminated union
class ToyCompute(RuntimeModel):
    """A toy: one log group per service, served through the load balancer, each service on its own targets."""

    runtime: Literal["toy"] = Field(description="The toy runtime.")
    log_retention_days: LogRetentionDays = Field(7, description="Log retention.")
    copies: Int = Field(1, ge=1, le=3, description="Copies of each service.")

    capabilities = Capabilities(ingress=Ingress.PER_SERVICE, egress_for="toys fetch their images",
                                public_only_behind="load balancer")


class ToyServices(pulumi.ComponentResource):
    """2. The builder: what `RuntimeArgs` asks, the composition's `Compute` protocol."""

    def __init__(self, name: str, args: RuntimeArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("phasegate:toy:ToyServices", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        groups = [aws.cloudwatch.LogGroup(f"{name}-{svc.name}", retention_in_days=args.compute.log_retention_days,
                                          tags=args.tags(f"{name}-{svc.name}"), opts=child)
                  for svc in args.app.services]
        self.url = None  # served through the load balancer
        self.outputs = {"toyLogGroups": [group.name for group in groups]}
        self.register_outputs({})

    def alarms(self, cfg: Alerts) -> list[AlarmSpec]:
        return []


# 3. The registration: its builder, security group and component name.
RUNTIMES.register(Runtime(
    name="toy", component="toy", build=ToyServices,
    security_group=AppSecurityGroupShape("toys", "Toys: the load balancer on each service's port", allow_members=False)))
# 4. The phase table (presets.py holds it as data; a real runtime adds its line there).
COMPUTE_PRESETS[Phase.MVP]["toy"] = {"copies": 2}
PHASE_RUNTIMES[Phase.MVP] += ("toy",)

