"""The `fargate` runtime: an ECS service per app service on AWS Fargate, in the private subnets, behind the ALB.

- Tasks: the smallest valid Fargate size that fits the service, x86_64 or arm64, no public IP, private subnets
  only; the load balancer registers them by IP in the service's own target group and alone may reach them.
- Secrets: the container definition's `secrets` name Secrets Manager ARNs (or names); ECS resolves them at task
  start with the execution role, which may read exactly those secrets and nothing else. The task role gets the
  assets bucket. No secret value is in the task definition, the environment or Pulumi state.
- Rotation: RDS rotates its managed password every 7 days, and ECS injects secrets only at task start, so an
  EventBridge rule on the rotation starts a Step Functions workflow that forces a new deployment of every
  service (tasks are replaced one by one behind the load balancer; no code, no Lambda).
- Operations: FARGATE and FARGATE_SPOT in the configured mix, a deployment circuit breaker that rolls back,
  target tracking on CPU and on requests per task, log groups with a retention, Container Insights optional.
- Order: every service waits for its cluster's capacity provider association (a strategy may name only providers
  already associated with the cluster) and for its roles' policies (children of the roles, so no dependency by
  themselves); on destroy the services go first. Platform LATEST: ARM64 on FARGATE_SPOT needs 1.4.0 or later.
"""

from __future__ import annotations

import json
from typing import Mapping, Optional

import pulumi
import pulumi_aws.appautoscaling as appautoscaling
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ecs as ecs
import pulumi_aws.iam as iam

from ..config.compute import FargateCompute
from ..config.models import Alerts as AlertsConfig, Service
from ..parts.assets import read_write_policy
from ..parts.iam import assume_role_policy
from ..parts.security_groups import AppSecurityGroupShape
from ..render.alarms import ABOVE, AlarmSpec, Metric
from ..render.serverless import ServiceFacts, container_definitions, fargate_task_size
from .registry import RUNTIMES, Runtime, RuntimeArgs
from .serverless import rotation_workflow, secrets_policy, service_facts

EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
TASKS_TRUST = assume_role_policy("ecs-tasks.amazonaws.com")  # the execution role and the task role


def capacity_strategy(spot_percent: int) -> list[ecs.ServiceCapacityProviderStrategyArgs]:
    """FARGATE_SPOT for `spot_percent` of the tasks; below 100 the first task always runs on FARGATE."""
    if spot_percent == 0:
        return [ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE", base=1, weight=1)]
    if spot_percent == 100:
        return [ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE_SPOT", base=1, weight=1)]
    return [ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE", base=1, weight=100 - spot_percent),
            ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE_SPOT", weight=spot_percent)]


def restart_definition(cluster_arn: str, services: list[str], secret_arn: str) -> str:
    """A workflow that, for a rotation of the database's secret, forces a new deployment of each service.

    The event rule matches every rotation in the account (its pattern holds nothing unknown at a first preview);
    the workflow's first state keeps only this database's secret."""
    restarts = {"Type": "Parallel", "End": True, "Branches": [{
        "StartAt": name, "States": {name: {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ecs:updateService", "End": True,
            "Parameters": {"Cluster": cluster_arn, "Service": name, "ForceNewDeployment": True}}}}
        for name in services]}
    return json.dumps({
        "Comment": "Replace the tasks so they pick up the rotated database password",
        "StartAt": "ThisDatabase", "States": {
            "ThisDatabase": {"Type": "Choice", "Default": "OtherSecret", "Choices": [{
                "Variable": "$.detail.additionalEventData.SecretId", "StringEquals": secret_arn, "Next": "Restart"}]},
            "OtherSecret": {"Type": "Succeed"},
            "Restart": restarts}})


class FargateServices(pulumi.ComponentResource):
    outputs: Mapping[str, pulumi.Input]
    url: Optional[pulumi.Input[str]] = None  # the load balancer serves the app

    def __init__(self, name: str, args: RuntimeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:fargate:FargateServices", name, None, opts)
        cfg: FargateCompute = args.compute
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = ecs.Cluster(
            f"{name}-cluster", settings=[ecs.ClusterSettingArgs(
                name="containerInsights", value="enabled" if cfg.container_insights else "disabled")],
            tags=args.tags(f"{name}-cluster"), opts=child)
        # A service's strategy may name only providers already associated with its cluster (ECS API reference,
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html), so every
        # service waits for this association (and, on destroy, goes first).
        self.capacity = ecs.ClusterCapacityProviders(
            f"{name}-capacity", cluster_name=self.cluster.name, capacity_providers=["FARGATE", "FARGATE_SPOT"],
            opts=pulumi.ResourceOptions(parent=self.cluster))

        facts = service_facts(args, self)
        app_secrets = sorted({secret for svc in args.app.services for secret in svc.secrets.values()})
        execution = iam.Role(f"{name}-execution-role", assume_role_policy=TASKS_TRUST,
                             description="ECS: pull images, write logs, inject the services' secrets",
                             tags=args.tags(f"{name}-execution-role"), opts=child)
        # The roles' policies are children of the roles, and a child of a custom resource is no dependency: the
        # services name them (`_permissions`), so no task starts before it may pull, log and read its secrets.
        self._permissions: list[pulumi.Resource] = [
            iam.RolePolicyAttachment(f"{name}-execution", role=execution.name, policy_arn=EXECUTION_POLICY,
                                     opts=pulumi.ResourceOptions(parent=execution)),
            iam.RolePolicy(f"{name}-execution-secrets", role=execution.id,
                           policy=facts.apply(lambda f: secrets_policy(f, app_secrets)),
                           opts=pulumi.ResourceOptions(parent=execution))]
        task_role = iam.Role(f"{name}-task-role", assume_role_policy=TASKS_TRUST,
                             description="The app's tasks: the assets bucket", tags=args.tags(f"{name}-task-role"),
                             opts=child)
        self._permissions.append(iam.RolePolicy(
            f"{name}-task-assets", role=task_role.id,
            policy=pulumi.Output.from_input(args.bucket.arn).apply(read_write_policy),
            opts=pulumi.ResourceOptions(parent=task_role)))

        self.services = {svc.name: self._service(name, svc, args, cfg, facts, execution, task_role)
                         for svc in args.app.services}
        self._restart_on_rotation(name, args)
        self.outputs = {"ecsClusterName": self.cluster.name}
        self.register_outputs({"clusterName": self.cluster.name})

    def _service(self, name: str, svc: Service, args: RuntimeArgs, cfg: FargateCompute,
                 facts: pulumi.Output[ServiceFacts], execution: iam.Role, task_role: iam.Role) -> ecs.Service:
        key = f"{name}-svc-{svc.name}"
        cpu, memory = fargate_task_size(svc.cpu, svc.memory_mb)  # the config refused sizes that have none
        logs = cloudwatch.LogGroup(f"{key}-logs", name=f"/phasegate/{args.app.name}/{args.stack}/{svc.name}",
                                   retention_in_days=cfg.log_retention_days, tags=args.tags(f"{key}-logs"),
                                   opts=pulumi.ResourceOptions(parent=self))
        task = ecs.TaskDefinition(
            f"{key}-task", family=f"{args.app.name}-{args.stack}-{svc.name}", cpu=str(cpu), memory=str(memory),
            network_mode="awsvpc", requires_compatibilities=["FARGATE"],
            runtime_platform=ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture="ARM64" if cfg.architecture == "arm64" else "X86_64",
                operating_system_family="LINUX"),
            execution_role_arn=execution.arn, task_role_arn=task_role.arn,
            container_definitions=pulumi.Output.all(facts=facts, log_group=logs.name).apply(
                lambda v: container_definitions(svc, v["facts"], v["log_group"])),
            tags=args.tags(f"{key}-task"), opts=pulumi.ResourceOptions(parent=self))
        target = args.ingress.service_target_group(svc.name)
        service = ecs.Service(
            f"{key}-service", cluster=self.cluster.arn, task_definition=task.arn, desired_count=svc.replicas,
            capacity_provider_strategies=capacity_strategy(cfg.spot_percent), platform_version="LATEST",
            network_configuration=ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.network.private_subnet_ids), security_groups=[args.security_group_id],
                assign_public_ip=False),
            load_balancers=[ecs.ServiceLoadBalancerArgs(target_group_arn=target.arn, container_name=svc.name,
                                                        container_port=svc.port)],
            health_check_grace_period_seconds=60,
            # A deployment whose tasks never turn healthy is stopped and the previous task definition restored.
            deployment_circuit_breaker=ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_minimum_healthy_percent=100, deployment_maximum_percent=200,
            propagate_tags="SERVICE", enable_ecs_managed_tags=True,
            # Autoscaling owns the running count once the service exists.
            tags=args.tags(f"{key}-service"),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desiredCount"],
                                        depends_on=[self.capacity, *self._permissions, *target.forwarded_by]))
        self._autoscaling(key, svc, cfg, service, target.arn_suffix, args)
        return service

    def _autoscaling(self, key: str, svc: Service, cfg: FargateCompute, service: ecs.Service,
                     target_group_suffix: pulumi.Input[str], args: RuntimeArgs) -> None:
        resource_id = pulumi.Output.all(cluster=self.cluster.name, service=service.name).apply(
            lambda v: f"service/{v['cluster']}/{v['service']}")
        scalable = appautoscaling.Target(
            f"{key}-scaling", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=resource_id, min_capacity=svc.replicas,
            max_capacity=max(svc.replicas, cfg.max_tasks_per_service), tags=args.tags(f"{key}-scaling"),
            opts=pulumi.ResourceOptions(parent=service))
        label = pulumi.Output.all(lb=args.ingress.arn_suffix, tg=target_group_suffix).apply(
            lambda v: f"{v['lb']}/{v['tg']}")
        for metric, value, extra in (("ECSServiceAverageCPUUtilization", cfg.cpu_target_percent, {}),
                                     ("ALBRequestCountPerTarget", cfg.requests_per_task_per_minute,
                                      {"resource_label": label})):
            appautoscaling.Policy(
                f"{key}-{'cpu' if metric.startswith('ECS') else 'requests'}-tracking", policy_type="TargetTrackingScaling",
                service_namespace=scalable.service_namespace, scalable_dimension=scalable.scalable_dimension,
                resource_id=scalable.resource_id,
                target_tracking_scaling_policy_configuration=(
                    appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                        target_value=value, scale_in_cooldown=300, scale_out_cooldown=60,
                        predefined_metric_specification=(
                            appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                                predefined_metric_type=metric, **extra)))),
                opts=pulumi.ResourceOptions(parent=scalable))

    def _restart_on_rotation(self, name: str, args: RuntimeArgs) -> None:
        services = list(self.services.values())
        rotation_workflow(
            name, "restart", description="Step Functions: force new ECS deployments after a password rotation",
            grant="ecs", actions="ecs:UpdateService", resources=[s.id for s in services],
            definition=pulumi.Output.all(cluster=self.cluster.arn, names=[s.name for s in services],
                                         secret=args.database.secret_arn).apply(
                lambda v: restart_definition(v["cluster"], v["names"], v["secret"])),
            what="replace the tasks", which="the restart workflow", args=args, parent=self)

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        """Per service: CPU and memory of its tasks (ECS publishes both per service without Container Insights)."""
        specs = []
        for svc_name, service in self.services.items():
            dims = {"ClusterName": self.cluster.name, "ServiceName": service.name}
            specs += [
                AlarmSpec(f"svc-{svc_name}-cpu", f"Service {svc_name}: CPU above {cfg.host_cpu_percent}% for 15 minutes",
                          ABOVE, cfg.host_cpu_percent, Metric("AWS/ECS", "CPUUtilization", dims), evaluation_periods=3),
                AlarmSpec(f"svc-{svc_name}-memory", f"Service {svc_name}: memory above {cfg.host_memory_percent}%", ABOVE,
                          cfg.host_memory_percent, Metric("AWS/ECS", "MemoryUtilization", dims), evaluation_periods=3),
            ]
        return specs


RUNTIMES.register(Runtime(
    name="fargate", component="ecs", build=FargateServices,
    security_group=AppSecurityGroupShape(
        "tasks", "Fargate tasks: the load balancer on each service port, anything out", allow_members=False),
))
