"""`phasegate:compute`: a discriminated union on `runtime`, each member with that runtime's own sizing."""

from __future__ import annotations

import ipaddress
import typing
from typing import Literal, Optional, Union

from pydantic import Field, field_validator, model_validator
from typing_extensions import Annotated

from .app import Section
from .types import Cidr, Ec2Type, Int, LogRetentionDays


class ComposeCompute(Section):
    """One EC2 host running the app with Docker Compose behind Caddy (the reference plans' Phase 1)."""

    runtime: Literal["compose"] = Field(description="Docker Compose on one EC2 host.")
    instance_type: Ec2Type = Field("t3.small", description="The Docker Compose host's instance type.")
    root_volume_gb: Int = Field(30, ge=8, le=1024, description="Encrypted gp3 root volume.")
    log_retention_days: LogRetentionDays = Field(14, description="CloudWatch Logs retention for container logs.")

    def node_types(self) -> list[str]:
        """The instance types a container may be scheduled on."""
        return [self.instance_type]


def _k3s_network(value: Optional[str]) -> Optional[str]:
    if value is not None and ipaddress.IPv4Network(value).prefixlen > 20:
        raise ValueError(f"{value} is too small for a K3s network; use a /20 or larger, e.g. 10.42.0.0/16")
    return value


class K3sCompute(Section):
    """A K3s server and agents on EC2 in private subnets, behind the load balancer (Phase 2)."""

    runtime: Literal["k3s"] = Field(description="K3s on EC2: one server, N agents.")
    version: str = Field("v1.31.4+k3s1", pattern=r"^v1\.\d+\.\d+\+k3s\d+$", description="Pinned K3s release.")
    server_instance_type: Ec2Type = Field("t3.small", description="K3s server (control plane) node.")
    agent_instance_type: Ec2Type = Field("t3.small", description="K3s agent (worker) nodes.")
    agent_count: Int = Field(1, ge=1, le=10, description="Number of agents.")
    root_volume_gb: Int = Field(30, ge=20, le=1024, description="Encrypted gp3 root volume per node.")
    log_retention_days: LogRetentionDays = Field(14, description="CloudWatch Logs retention for container logs.")
    cluster_cidr: Optional[Cidr] = Field(
        None, description="Pod network (K3s --cluster-cidr). Default: K3s's 10.42.0.0/16, or another range when "
                          "that overlaps the VPC. Must not overlap the VPC.")
    service_cidr: Optional[Cidr] = Field(
        None, description="Service network (K3s --service-cidr). Default: K3s's 10.43.0.0/16, or another range when "
                          "that overlaps the VPC. Must not overlap the VPC.")

    _networks_are_large_enough = field_validator("cluster_cidr", "service_cidr")(_k3s_network)

    def node_types(self) -> list[str]:
        """The instance types a container may be scheduled on."""
        return [self.server_instance_type, self.agent_instance_type]


class EksCompute(Section):
    """Managed EKS with managed node groups across three AZs (Phase 3)."""

    runtime: Literal["eks"] = Field(description="Amazon EKS with managed node groups.")
    version: str = Field("1.33", pattern=r"^1\.\d{2}$", description="Kubernetes minor version.")
    node_instance_type: Ec2Type = Field("t3.medium", description="Managed node group instance type.")
    min_nodes: Int = Field(3, ge=1, le=50, description="Fewest nodes the node group scales down to.")
    desired_nodes: Int = Field(3, ge=1, le=50, description="Nodes the node group starts with.")
    max_nodes: Int = Field(6, ge=1, le=100, description="Most nodes the node group scales up to.")

    @model_validator(mode="after")
    def _ordered(self) -> "EksCompute":
        if not self.min_nodes <= self.desired_nodes <= self.max_nodes:
            raise ValueError(
                f"node counts must satisfy minNodes <= desiredNodes <= maxNodes; got "
                f"{self.min_nodes} <= {self.desired_nodes} <= {self.max_nodes}"
            )
        return self

    def node_types(self) -> list[str]:
        """The instance types a container may be scheduled on."""
        return [self.node_instance_type]


Compute = Annotated[Union[ComposeCompute, K3sCompute, EksCompute], Field(discriminator="runtime")]
RUNTIME_MODELS: dict[str, type[Section]] = {
    typing.get_args(model.model_fields["runtime"].annotation)[0]: model
    for model in typing.get_args(typing.get_args(Compute)[0])
}
