"""An internet-facing Application Load Balancer in front of the app.

Two ways to reach the app: a cluster's ingress on one port of every node (`target_port`: instance targets, the
cluster routes by path), or each service's tasks by IP (`services`: one target group per service, the load
balancer routes by path prefix; Fargate). With a domain: a DNS-validated ACM certificate in the domain's Route 53
zone, HTTP redirected to HTTPS, an alias record. Without: plain HTTP on the load balancer's own name. Only the
ALB may reach the targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws.autoscaling as autoscaling
import pulumi_aws.ec2 as ec2
import pulumi_aws.lb as lb
import pulumi_aws.vpc as vpc

from ..config.models import Alerts as AlertsConfig
from ..endpoints import NetworkEndpoint, TargetGroupEndpoint
from ..render.alarms import AlarmSpec, load_balancer_alarms
from .certificates import alias_record, validated_certificate
from .security_groups import web_ingress_rules
from .tags import Tagger

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class ServiceTarget:
    """One service the load balancer forwards to by path prefix (its tasks register by IP)."""

    name: str
    port: int
    health_check_path: str
    path_prefix: str


@dataclass(frozen=True)
class LoadBalancerArgs:
    network: NetworkEndpoint
    target_security_group_id: pulumi.Input[str]
    health_check_path: str
    domain: Optional[str]
    zone_name: Optional[str]
    tags: Tagger
    # Exactly one of: the cluster ingress port on every node, or the services reached by IP.
    target_port: Optional[int] = None
    services: Sequence[ServiceTarget] = ()

    def __post_init__(self) -> None:
        if (self.target_port is None) == (not self.services):
            raise ValueError("a load balancer forwards either to a node port or to services, exactly one")


class LoadBalancer(pulumi.ComponentResource):
    """Created before the compute it fronts; the runtime then registers its targets (`attach_instances`)."""

    dns_name: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    target_group_arn_suffix: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:loadbalancer:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._name, self._port = name, args.target_port
        group = ec2.SecurityGroup(f"{name}-sg", vpc_id=args.network.vpc_id, description="ALB: HTTP(S) from anywhere",
                                  tags=args.tags(f"{name}-sg"), opts=child)
        web_ingress_rules(name, group.id, args.tags, group)
        if args.target_port is not None:
            self._admit(name, "", args.target_port, group, args, "the cluster's ingress")
        else:
            for port in sorted({svc.port for svc in args.services}):
                self._admit(name, f"-{port}", port, group, args, f"the services on port {port}")

        self.alb = lb.LoadBalancer(
            f"{name}-alb", load_balancer_type="application", internal=False, subnets=list(args.network.public_subnet_ids),
            security_groups=[group.id], drop_invalid_header_fields=True, enable_http2=True, idle_timeout=60,
            tags=args.tags(f"{name}-alb"), opts=child)
        if args.target_port is not None:
            self.target_group = self._target_group(f"{name}-nodes", args.target_port, "instance",
                                                   args.health_check_path, args)
            self.service_target_groups: dict[str, lb.TargetGroup] = {}
            default = self.target_group
        else:
            self.service_target_groups = {
                svc.name: self._target_group(f"{name}-svc-{svc.name}", svc.port, "ip", svc.health_check_path, args)
                for svc in args.services}
            # The default action serves the shortest prefix (the app's root service); rules route the others.
            root = min(args.services, key=lambda svc: len(svc.path_prefix))
            default = self.target_group = self.service_target_groups[root.name]
        forward = [lb.ListenerDefaultActionArgs(type="forward", target_group_arn=default.arn)]

        if args.domain:
            certificate_arn = self._certificate(name, args)
            serving = lb.Listener(f"{name}-https", load_balancer_arn=self.alb.arn, port=443, protocol="HTTPS",
                                  ssl_policy=TLS_POLICY, certificate_arn=certificate_arn, default_actions=forward,
                                  tags=args.tags(f"{name}-https"), opts=pulumi.ResourceOptions(parent=self.alb))
            lb.Listener(f"{name}-http", load_balancer_arn=self.alb.arn, port=80, protocol="HTTP",
                        default_actions=[lb.ListenerDefaultActionArgs(
                            type="redirect", redirect=lb.ListenerDefaultActionRedirectArgs(
                                protocol="HTTPS", port="443", status_code="HTTP_301"))],
                        tags=args.tags(f"{name}-http"), opts=pulumi.ResourceOptions(parent=self.alb))
            self.url = pulumi.Output.from_input(f"https://{args.domain}")
        else:
            serving = lb.Listener(f"{name}-http", load_balancer_arn=self.alb.arn, port=80, protocol="HTTP",
                                  default_actions=forward, tags=args.tags(f"{name}-http"),
                                  opts=pulumi.ResourceOptions(parent=self.alb))
            self.url = self.alb.dns_name.apply(lambda dns: f"http://{dns}")
        self._forwarded_by = {svc: serving for svc, group in self.service_target_groups.items() if group is default}
        self._path_rules(name, args, serving)

        self.dns_name = self.alb.dns_name
        self.arn_suffix = self.alb.arn_suffix
        self.target_group_arn_suffix = self.target_group.arn_suffix
        self.register_outputs({"dnsName": self.dns_name, "url": self.url})

    def _admit(self, name: str, suffix: str, port: int, group: ec2.SecurityGroup, args: LoadBalancerArgs,
               what: str) -> None:
        """The load balancer may reach `port` of the targets, and the targets admit it from the load balancer only."""
        rule_opts = pulumi.ResourceOptions(parent=group)
        vpc.SecurityGroupEgressRule(
            f"{name}-to-nodes{suffix}", security_group_id=group.id, ip_protocol="tcp", from_port=port, to_port=port,
            referenced_security_group_id=args.target_security_group_id, description=f"to {what}",
            tags=args.tags(f"{name}-to-nodes{suffix}"), opts=rule_opts)
        vpc.SecurityGroupIngressRule(
            f"{name}-into-nodes{suffix}", security_group_id=args.target_security_group_id, ip_protocol="tcp",
            from_port=port, to_port=port, referenced_security_group_id=group.id,
            description="ingress from the load balancer only", tags=args.tags(f"{name}-into-nodes{suffix}"),
            opts=rule_opts)

    def _target_group(self, name: str, port: int, target_type: str, health_check_path: str,
                      args: LoadBalancerArgs) -> lb.TargetGroup:
        return lb.TargetGroup(
            name, port=port, protocol="HTTP", target_type=target_type, vpc_id=args.network.vpc_id,
            deregistration_delay=30,
            health_check=lb.TargetGroupHealthCheckArgs(
                path=health_check_path, protocol="HTTP", matcher="200-399", interval=15, timeout=5,
                healthy_threshold=2, unhealthy_threshold=3),
            tags=args.tags(name), opts=pulumi.ResourceOptions(parent=self))

    def _path_rules(self, name: str, args: LoadBalancerArgs, listener: lb.Listener) -> None:
        """Each service but the default one, by path prefix; longer prefixes first, so /api/v2 wins over /api."""
        routed = [svc for svc in args.services if self.service_target_groups[svc.name] is not self.target_group]
        for priority, svc in enumerate(sorted(routed, key=lambda s: -len(s.path_prefix)), start=10):
            prefix = svc.path_prefix.rstrip("/")
            self._forwarded_by[svc.name] = lb.ListenerRule(
                f"{name}-route-{svc.name}", listener_arn=listener.arn, priority=priority,
                conditions=[lb.ListenerRuleConditionArgs(path_pattern=lb.ListenerRuleConditionPathPatternArgs(
                    values=[prefix, f"{prefix}/*"]))],
                actions=[lb.ListenerRuleActionArgs(type="forward",
                                                   target_group_arn=self.service_target_groups[svc.name].arn)],
                tags=args.tags(f"{name}-route-{svc.name}"), opts=pulumi.ResourceOptions(parent=listener))

    def attach_instances(self, instance_ids: Sequence[pulumi.Input[str]]) -> None:
        """Register instances as targets on the ingress port (children of the target group, as they always were)."""
        for index, target in enumerate(instance_ids):
            lb.TargetGroupAttachment(f"{self._name}-node-{index}", target_group_arn=self.target_group.arn,
                                     target_id=target, port=self._port,
                                     opts=pulumi.ResourceOptions(parent=self.target_group))

    def attach_autoscaling_groups(self, group_names: Sequence[pulumi.Input[str]]) -> None:
        """Make every instance of these autoscaling groups (EKS node groups) a target on the ingress port."""
        for index, group in enumerate(group_names):
            autoscaling.Attachment(f"{self._name}-nodegroup-{index}", autoscaling_group_name=group,
                                   lb_target_group_arn=self.target_group.arn,
                                   opts=pulumi.ResourceOptions(parent=self.target_group))

    def service_target_group(self, service: str) -> TargetGroupEndpoint:
        """Where a service's tasks register (load balancers built for `services` only)."""
        group = self.service_target_groups[service]
        return TargetGroupEndpoint(arn=group.arn, arn_suffix=group.arn_suffix,
                                   forwarded_by=(self._forwarded_by[service],))

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        """The 5xx rate, and unhealthy targets: of the nodes, or of each service's target group."""
        groups = ({"": self.target_group_arn_suffix} if not self.service_target_groups else
                  {f"-{svc}": group.arn_suffix for svc, group in self.service_target_groups.items()})
        return load_balancer_alarms(self.arn_suffix, groups, cfg)

    def _certificate(self, name: str, args: LoadBalancerArgs) -> pulumi.Output[str]:
        """A DNS-validated certificate in the existing zone, and the alias record for the domain."""
        served = validated_certificate(name, args.domain, args.zone_name, args.tags, self)
        alias_record(name, args.domain, served.zone_id, self.alb.dns_name, self.alb.zone_id, self.alb)
        return served.certificate_arn
