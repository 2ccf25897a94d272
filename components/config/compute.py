"""`phasegate:compute`: a discriminated union on `runtime`, each member with that runtime's own sizing."""

from __future__ import annotations

import ipaddress
import re
import typing
from typing import Literal, Optional, Union

from pydantic import AfterValidator, Field, Strict, field_validator, model_validator
from typing_extensions import Annotated

from .app import Section
from phasegate_policies.contract import EKS_STANDARD_SUPPORT_ENDS

from .types import Cidr, Ec2Type, Flag, Int, LogRetentionDays, PublicCidr


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


_IAM_PRINCIPAL = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$")


def _iam_principal(value: str) -> str:
    if not _IAM_PRINCIPAL.match(value) or "//" in value:
        raise ValueError(f"{value!r} is not an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admin")
    return value


IamPrincipalArn = Annotated[str, Strict(), AfterValidator(_iam_principal)]


class EksCompute(Section):
    """Managed EKS with managed node groups across the private subnets (Phase 3)."""

    runtime: Literal["eks"] = Field(description="Amazon EKS with managed node groups.")
    version: str = Field("1.35", pattern=r"^1\.\d{2}$",
                         description="Kubernetes minor version, pinned: upgrades are deliberate, one minor at a time.")
    upgrade_policy: Literal["STANDARD", "EXTENDED"] = Field(
        "STANDARD", description="STANDARD: EKS upgrades the cluster when standard support ends. EXTENDED: it stays, "
                                "billed $0.60/h instead of $0.10/h (priced when it applies).")
    architecture: Literal["x86_64", "arm64"] = Field(
        "x86_64", description="Node CPU architecture. x86_64 runs any image; arm64 (Graviton) is about 20% cheaper "
                              "but needs multi-arch or arm64 images.")
    node_instance_type: Optional[Ec2Type] = Field(
        None, description="Node instance type; default t3.medium (x86_64) or t4g.medium (arm64).")
    min_nodes: Int = Field(3, ge=1, le=50, description="Fewest nodes the node group scales down to (one per AZ).")
    desired_nodes: Int = Field(3, ge=1, le=50, description="Nodes the node group starts with.")
    max_nodes: Int = Field(6, ge=1, le=100, description="Most nodes the node group may be scaled to (by changing "
                                                        "desiredNodes, or by a cluster autoscaler you install).")
    spot_nodes: Int = Field(0, ge=0, le=50, description="Nodes of an optional Spot group for stateless work "
                                                        "(tainted: only pods that tolerate it run there).")
    root_volume_gb: Int = Field(20, ge=20, le=1024, description="Encrypted gp3 root volume per node.")
    public_access_cidrs: list[PublicCidr] = Field(
        default_factory=lambda: ["0.0.0.0/0"],
        description="Who may reach the Kubernetes API's public endpoint (IAM authentication always applies). The "
                    "private endpoint is always on; narrow this to your office or CI ranges when you can.")
    log_retention_days: LogRetentionDays = Field(30, description="Retention of the control-plane audit and "
                                                                 "authenticator logs.")
    admin_principal_arns: list[IamPrincipalArn] = Field(
        default_factory=list, description="IAM roles or users given cluster-admin through EKS access entries (the "
                                          "identity that creates the cluster is admin as well).")

    @model_validator(mode="after")
    def _ordered(self) -> "EksCompute":
        if not self.min_nodes <= self.desired_nodes <= self.max_nodes:
            raise ValueError(
                f"node counts must satisfy minNodes <= desiredNodes <= maxNodes; got "
                f"{self.min_nodes} <= {self.desired_nodes} <= {self.max_nodes}"
            )
        return self

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if value not in EKS_STANDARD_SUPPORT_ENDS:
            raise ValueError(f"{value!r} is not an EKS version phasegate knows the support dates of; use one of "
                             f"{', '.join(EKS_STANDARD_SUPPORT_ENDS)}")
        return value

    @property
    def node_type(self) -> str:
        return self.node_instance_type or ("t4g.medium" if self.architecture == "arm64" else "t3.medium")

    def node_types(self) -> list[str]:
        """The instance types a container may be scheduled on."""
        return [self.node_type]


class FargateCompute(Section):
    """ECS on Fargate: one service per app service in the private subnets, behind the load balancer."""

    runtime: Literal["fargate"] = Field(description="Amazon ECS on AWS Fargate: no servers to manage.")
    architecture: Literal["x86_64", "arm64"] = Field(
        "x86_64", description="Task CPU architecture. x86_64 runs any image; arm64 (Graviton) is about 20% cheaper "
                              "but needs multi-arch or arm64 images.")
    spot_percent: Int = Field(0, ge=0, le=100, description=(
        "Share of each service's tasks on FARGATE_SPOT (about 70% cheaper, interrupted with two minutes' notice); "
        "below 100, the first task always runs on FARGATE."))
    max_tasks_per_service: Int = Field(4, ge=1, le=100, description="Most tasks autoscaling may run per service.")
    cpu_target_percent: Int = Field(60, ge=10, le=90, description="Autoscaling keeps average CPU near this.")
    requests_per_task_per_minute: Int = Field(
        1000, ge=10, le=1000000, description="Autoscaling adds a task when each serves more requests a minute.")
    container_insights: Flag = Field(False, description="ECS Container Insights metrics (billed as CloudWatch "
                                                        "metrics and logs; priced when on).")
    log_retention_days: LogRetentionDays = Field(14, description="CloudWatch Logs retention for task logs.")

    def node_types(self) -> list[str]:
        """Fargate has no nodes: a task's size is the smallest valid Fargate size that fits the service."""
        return []


class LambdaCompute(Section):
    """Each app service as a container-image Lambda function behind an API Gateway HTTP API."""

    runtime: Literal["lambda"] = Field(description="AWS Lambda functions behind an API Gateway HTTP API.")
    architecture: Literal["x86_64", "arm64"] = Field(
        "x86_64", description="Function architecture; arm64 is 20% cheaper per GB-second but needs arm64 images.")
    memory_mb: Optional[Int] = Field(None, ge=128, le=10240, description=(
        "Function memory (and with it CPU); default: each service's memoryMb."))
    timeout_seconds: Int = Field(20, ge=1, le=29, description=(
        "Function timeout; an HTTP API waits at most 30 s for its integration, so at most 29."))
    # The cost guard is the HTTP API stage's throttling, which works in every account ("Throttle requests to your HTTP
    # APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html; the bounds are the
    # account's default Regional quota, https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
    # A reservation is refused where the account's concurrency quota is small: Lambda keeps at least 100 concurrent
    # executions unreserved (https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html), and new
    # accounts often start at 10.
    reserved_concurrency: Optional[Int] = Field(None, ge=1, le=1000, description=(
        "Opt-in: the most copies of each function that may run at once (reserved concurrency). Lambda refuses a "
        "reservation that leaves fewer than 100 concurrent executions unreserved in the account's Region, and new "
        "accounts often have a quota of only 10, so raise the quota (Service Quotas) before setting this. Default: "
        "none; API Gateway's throttling is the cost guard."))
    throttle_rate_per_second: Int = Field(50, ge=1, le=10000, description=(
        "The cost guard: API Gateway's steady request rate limit for every route (requests a second; the account's "
        "default Regional limit is 10,000). Requests above it get 429 Too Many Requests."))
    throttle_burst: Int = Field(100, ge=1, le=5000, description=(
        "API Gateway's burst limit for every route: requests served at once before throttling (the account's default "
        "Regional burst is 5,000)."))
    log_retention_days: LogRetentionDays = Field(14, description="CloudWatch Logs retention for function and API "
                                                                 "access logs.")

    def node_types(self) -> list[str]:
        return []


Compute = Annotated[Union[ComposeCompute, K3sCompute, EksCompute, FargateCompute, LambdaCompute],
                    Field(discriminator="runtime")]
RUNTIME_MODELS: dict[str, type[Section]] = {
    typing.get_args(model.model_fields["runtime"].annotation)[0]: model
    for model in typing.get_args(typing.get_args(Compute)[0])
}
