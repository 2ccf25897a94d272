"""`phasegate:compute`: a discriminated union on `runtime`, each member with that runtime's own sizing.

Each member declares its `Capabilities` (what it needs and offers) and its own cross-section rules
(`stack_problems`); the stack's rules call them without knowing which runtime it is. A model joins the union
by registering (`@runtime_model` here, or `models.join_runtime` for a model defined elsewhere).
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import typing
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Optional, TypeVar, Union

from pydantic import AfterValidator, Field, Strict, field_validator, model_validator
from typing_extensions import Annotated

from phasegate_policies.contract import EKS_STANDARD_SUPPORT_ENDS, is_graviton

from .app import Section
from .capabilities import Capabilities, Ingress
from .errors import LocatedError
from .types import Cidr, Ec2Type, Flag, Int, LogRetentionDays, PublicCidr

if TYPE_CHECKING:
    from .models import StackConfig


class RuntimeModel(Section):
    """A member of the compute union: a `runtime` literal, its capabilities, its own rules."""

    capabilities: ClassVar[Capabilities]
    # The top-level section its keys lived in before `phasegate:compute` (a stack file still using it is told where
    # they went); None: it never had one.
    legacy_section: ClassVar[Optional[str]] = None

    @classmethod
    def runtime_name(cls) -> str:
        """The value of `phasegate:compute.runtime` that selects this model."""
        return typing.get_args(cls.model_fields["runtime"].annotation)[0]

    def node_types(self) -> list[str]:
        """The instance types a container may be scheduled on (none: the runtime sizes each container itself)."""
        return []

    def stack_problems(self, cfg: "StackConfig") -> list[LocatedError]:
        """This runtime's own rules against the rest of the stack."""
        return []


RUNTIME_MODELS: dict[str, type[RuntimeModel]] = {}
Model = TypeVar("Model", bound=type[RuntimeModel])


def runtime_model(model: Model) -> Model:
    """Adds `model` to the compute union; a runtime name registered twice is refused."""
    name = model.runtime_name()
    if name in RUNTIME_MODELS:
        raise ValueError(f"runtime {name!r} already has a config model")
    RUNTIME_MODELS[name] = model
    return model


def compute_members() -> Any:
    """The union of the registered models (`Compute` tells them apart by `runtime`)."""
    return Union[tuple(RUNTIME_MODELS.values())]


# Docker's own networks on the compose host: the default bridge and the pools Compose networks are cut from.
# A VPC overlapping them would make the database (or anything in the VPC) unreachable from the containers.
DOCKER_NETWORKS = ("172.17.0.0/16", "172.18.0.0/15", "172.20.0.0/14", "172.24.0.0/13", "192.168.0.0/16")


@runtime_model
class ComposeCompute(RuntimeModel):
    """One EC2 host running the app with Docker Compose behind Caddy (the reference plans' Phase 1)."""

    runtime: Literal["compose"] = Field(description="Docker Compose on one EC2 host.")
    instance_type: Ec2Type = Field("t3.small", description="The Docker Compose host's instance type.")
    root_volume_gb: Int = Field(30, ge=8, le=1024, description="Encrypted gp3 root volume.")
    log_retention_days: LogRetentionDays = Field(14, description="CloudWatch Logs retention for container logs.")

    # AWS WAF protects ALBs, API Gateway REST APIs, CloudFront, AppSync, Cognito, App Runner and Verified Access, not
    # an EC2 instance (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html).
    legacy_section = "composeHost"
    capabilities = Capabilities(
        ingress=Ingress.ITSELF, boots_from_user_data=True,
        waf_refusal="the compose host serves the internet itself (Caddy on its Elastic IP); there is no load balancer "
                    "to put AWS WAF on: set enabled: false, or use a runtime behind the load balancer (k3s, fargate, "
                    "eks)")

    def node_types(self) -> list[str]:
        return [self.instance_type]

    def stack_problems(self, cfg: "StackConfig") -> list[LocatedError]:
        vpc = ipaddress.IPv4Network(cfg.network.cidr)
        clash = [net for net in DOCKER_NETWORKS if vpc.overlaps(ipaddress.IPv4Network(net))]
        if not clash:
            return []
        return [LocatedError(("network", "cidr"), (
            f"{cfg.network.cidr} overlaps Docker's networks on the compose host ({', '.join(clash)}): containers "
            f"could not reach the database; use a range in 10.0.0.0/8, e.g. 10.0.0.0/16"))]


def _k3s_network(value: Optional[str]) -> Optional[str]:
    if value is not None and ipaddress.IPv4Network(value).prefixlen > 20:
        raise ValueError(f"{value} is too small for a K3s network; use a /20 or larger, e.g. 10.42.0.0/16")
    return value


@runtime_model
class K3sCompute(RuntimeModel):
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

    capabilities = Capabilities(ingress=Ingress.NODE_PORT, boots_from_user_data=True,
                                state_on_nodes="the K3s cluster's state")
    legacy_section = "k3s"

    def node_types(self) -> list[str]:
        return [self.server_instance_type, self.agent_instance_type]

    def stack_problems(self, cfg: "StackConfig") -> list[LocatedError]:
        """The pod and service networks must not overlap the VPC (or each other)."""
        vpc = ipaddress.IPv4Network(cfg.network.cidr)
        problems = []
        chosen = {}
        for key, value in (("clusterCidr", self.cluster_cidr), ("serviceCidr", self.service_cidr)):
            if value is None:
                continue
            network = ipaddress.IPv4Network(value)
            chosen[key] = network
            if network.overlaps(vpc):
                problems.append(LocatedError(("compute", key), (
                    f"{value} overlaps the VPC {cfg.network.cidr} (phasegate:network.cidr): pods or services would "
                    f"shadow real hosts; choose a range outside it")))
        if len(chosen) == 2 and chosen["clusterCidr"].overlaps(chosen["serviceCidr"]):
            problems.append(LocatedError(("compute", "serviceCidr"), (
                f"{chosen['serviceCidr']} overlaps clusterCidr {chosen['clusterCidr']}: K3s needs two separate "
                f"ranges")))
        return problems


_IAM_PRINCIPAL = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$")


def _iam_principal(value: str) -> str:
    if not _IAM_PRINCIPAL.match(value) or "//" in value:
        raise ValueError(f"{value!r} is not an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admin")
    return value


IamPrincipalArn = Annotated[str, Strict(), AfterValidator(_iam_principal)]


def eks_support_ended(version: str, today: Optional[datetime.date] = None) -> bool:
    """True when `version` is past EKS standard support (so it is upgraded, or billed extended support)."""
    ends = datetime.date.fromisoformat(EKS_STANDARD_SUPPORT_ENDS[version])
    return (today or datetime.date.today()) >= ends


@runtime_model
class EksCompute(RuntimeModel):
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
    cluster_creator_arn: Optional[IamPrincipalArn] = Field(None, description=(
        "The IAM role or user that created the cluster, which EKS already made an admin: its entry in "
        "adminPrincipalArns is left out. Default: whoever runs `pulumi up`, right only while the creator runs every "
        "update; set it once another principal may run one (a second entry for the creator fails with "
        "ResourceInUseException)."))

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

    capabilities = Capabilities(ingress=Ingress.NODE_PORT)
    legacy_section = "eks"

    @property
    def node_type(self) -> str:
        return self.node_instance_type or ("t4g.medium" if self.architecture == "arm64" else "t3.medium")

    def node_types(self) -> list[str]:
        return [self.node_type]

    def stack_problems(self, cfg: "StackConfig") -> list[LocatedError]:
        """Nodes of the declared architecture, and a version EKS will not upgrade behind the stack's back."""
        problems = []
        if self.node_instance_type and is_graviton(self.node_instance_type) != (self.architecture == "arm64"):
            problems.append(LocatedError(("compute", "nodeInstanceType"), (
                f"{self.node_instance_type!r} does not match architecture {self.architecture}; use a "
                f"{'Graviton (…g) ' if self.architecture == 'arm64' else 'non-Graviton '}type or change "
                f"architecture")))
        if self.upgrade_policy == "STANDARD" and eks_support_ended(self.version):
            problems.append(LocatedError(("compute", "version"), (
                f"EKS {self.version} left standard support on {EKS_STANDARD_SUPPORT_ENDS[self.version]}: with "
                f"upgradePolicy STANDARD, EKS upgrades it on its own; pin a supported version, or set upgradePolicy "
                f"EXTENDED and pay $0.60/h instead of $0.10/h")))
        return problems


@runtime_model
class FargateCompute(RuntimeModel):
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

    # Fargate has no nodes: a task's size is the smallest valid Fargate size that fits the service.
    capabilities = Capabilities(
        ingress=Ingress.PER_SERVICE, egress_for="tasks pull their images and read Secrets Manager",
        public_only_behind="load balancer")


@runtime_model
class LambdaCompute(RuntimeModel):
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

    # AWS WAF cannot protect an HTTP API (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-
    # resources.html), and Lambda pulls container images only from ECR in the function's region
    # (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html).
    capabilities = Capabilities(
        ingress=Ingress.ITSELF, egress_for="functions read Secrets Manager and whatever else the app calls",
        public_only_behind="API", ecr_in_region_only="Lambda runs images only from ECR in the function's region",
        waf_refusal="AWS WAF cannot protect an API Gateway HTTP API; the lambda runtime has no load balancer to put "
                    "it on: set enabled: false, or use the fargate runtime")

    def stack_problems(self, cfg: "StackConfig") -> list[LocatedError]:
        if self.memory_mb is not None:
            return []
        return [LocatedError(("app", "services", index, "memoryMb"), (
            f"{svc.memory_mb} MiB is more than a Lambda function can have (10,240 MiB)"))
            for index, svc in enumerate(cfg.app.services) if svc.memory_mb > 10240]


Compute = Annotated[compute_members(), Field(discriminator="runtime")]
