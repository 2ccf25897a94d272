"""An internet-facing Application Load Balancer in front of the cluster's ingress.

With a domain: a DNS-validated ACM certificate in the domain's Route 53 zone, HTTP redirected to HTTPS, an
alias record. Without: plain HTTP on the load balancer's own name. Only the ALB may reach the nodes' ingress.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws.acm as acm
import pulumi_aws.autoscaling as autoscaling
import pulumi_aws.ec2 as ec2
import pulumi_aws.lb as lb
import pulumi_aws.route53 as route53
import pulumi_aws.vpc as vpc

from ..config.models import Alerts as AlertsConfig
from ..endpoints import NetworkEndpoint
from ..render.alarms import AlarmSpec, load_balancer_alarms
from .security_groups import web_ingress_rules
from .tags import Tagger

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class LoadBalancerArgs:
    network: NetworkEndpoint
    target_security_group_id: pulumi.Input[str]
    target_port: int
    health_check_path: str
    domain: Optional[str]
    zone_name: Optional[str]
    tags: Tagger


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
        rule_opts = pulumi.ResourceOptions(parent=group)
        web_ingress_rules(name, group.id, args.tags, group)
        vpc.SecurityGroupEgressRule(
            f"{name}-to-nodes", security_group_id=group.id, ip_protocol="tcp", from_port=args.target_port,
            to_port=args.target_port, referenced_security_group_id=args.target_security_group_id,
            description="to the cluster's ingress", tags=args.tags(f"{name}-to-nodes"), opts=rule_opts)
        # The nodes admit their ingress port from this load balancer and nothing else.
        vpc.SecurityGroupIngressRule(
            f"{name}-into-nodes", security_group_id=args.target_security_group_id, ip_protocol="tcp",
            from_port=args.target_port, to_port=args.target_port, referenced_security_group_id=group.id,
            description="ingress from the load balancer only", tags=args.tags(f"{name}-into-nodes"), opts=rule_opts)

        self.alb = lb.LoadBalancer(
            f"{name}-alb", load_balancer_type="application", internal=False, subnets=list(args.network.public_subnet_ids),
            security_groups=[group.id], drop_invalid_header_fields=True, enable_http2=True, idle_timeout=60,
            tags=args.tags(f"{name}-alb"), opts=child)
        target_group = lb.TargetGroup(
            f"{name}-nodes", port=args.target_port, protocol="HTTP", target_type="instance", vpc_id=args.network.vpc_id,
            deregistration_delay=30,
            health_check=lb.TargetGroupHealthCheckArgs(
                path=args.health_check_path, protocol="HTTP", matcher="200-399", interval=15, timeout=5,
                healthy_threshold=2, unhealthy_threshold=3),
            tags=args.tags(f"{name}-nodes"), opts=child)
        self.target_group = target_group
        forward = [lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)]

        if args.domain:
            certificate_arn = self._certificate(name, args)
            lb.Listener(f"{name}-https", load_balancer_arn=self.alb.arn, port=443, protocol="HTTPS",
                        ssl_policy=TLS_POLICY, certificate_arn=certificate_arn, default_actions=forward,
                        tags=args.tags(f"{name}-https"), opts=pulumi.ResourceOptions(parent=self.alb))
            lb.Listener(f"{name}-http", load_balancer_arn=self.alb.arn, port=80, protocol="HTTP",
                        default_actions=[lb.ListenerDefaultActionArgs(
                            type="redirect", redirect=lb.ListenerDefaultActionRedirectArgs(
                                protocol="HTTPS", port="443", status_code="HTTP_301"))],
                        tags=args.tags(f"{name}-http"), opts=pulumi.ResourceOptions(parent=self.alb))
            self.url = pulumi.Output.from_input(f"https://{args.domain}")
        else:
            lb.Listener(f"{name}-http", load_balancer_arn=self.alb.arn, port=80, protocol="HTTP",
                        default_actions=forward, tags=args.tags(f"{name}-http"),
                        opts=pulumi.ResourceOptions(parent=self.alb))
            self.url = self.alb.dns_name.apply(lambda dns: f"http://{dns}")

        self.dns_name = self.alb.dns_name
        self.arn_suffix = self.alb.arn_suffix
        self.target_group_arn_suffix = target_group.arn_suffix
        self.register_outputs({"dnsName": self.dns_name, "url": self.url})

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

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        return load_balancer_alarms(self.arn_suffix, self.target_group_arn_suffix, cfg)

    def _certificate(self, name: str, args: LoadBalancerArgs) -> pulumi.Output[str]:
        """A DNS-validated certificate in the existing zone, and the alias record for the domain."""
        zone_id = route53.get_zone_output(name=args.zone_name, private_zone=False,
                                          opts=pulumi.InvokeOutputOptions(parent=self)).zone_id
        certificate = acm.Certificate(f"{name}-cert", domain_name=args.domain, validation_method="DNS",
                                      tags=args.tags(f"{name}-cert"), opts=pulumi.ResourceOptions(parent=self))
        option = certificate.domain_validation_options[0]
        record = route53.Record(
            f"{name}-cert-validation", zone_id=zone_id, name=option.resource_record_name,
            type=option.resource_record_type, records=[option.resource_record_value], ttl=60, allow_overwrite=True,
            opts=pulumi.ResourceOptions(parent=certificate))
        validation = acm.CertificateValidation(f"{name}-cert", certificate_arn=certificate.arn,
                                               validation_record_fqdns=[record.fqdn],
                                               opts=pulumi.ResourceOptions(parent=certificate))
        # allow_overwrite: at cutover the domain may still point at the previous phase; setting
        # phasegate:app.domain in this stack is the deliberate act that moves it here.
        route53.Record(f"{name}-alias", zone_id=zone_id, name=args.domain, type="A", allow_overwrite=True,
                       aliases=[route53.RecordAliasArgs(name=self.alb.dns_name, zone_id=self.alb.zone_id,
                                                        evaluate_target_health=True)],
                       opts=pulumi.ResourceOptions(parent=self.alb))
        return validation.certificate_arn
