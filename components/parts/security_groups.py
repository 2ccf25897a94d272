"""Security groups that other components reference, created up front so dependencies point at groups, not hosts."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.vpc as vpc

from .tags import Tagger

WEB_PORTS = (80, 443)


def web_ingress_rules(name: str, group_id: pulumi.Input[str], tags: Tagger, parent: pulumi.Resource) -> None:
    """HTTP and HTTPS from anywhere, IPv4 and IPv6: the only ports phasegate ever opens to the internet."""
    for port in WEB_PORTS:
        for family, cidr in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0")):
            vpc.SecurityGroupIngressRule(
                f"{name}-{port}-{family}", security_group_id=group_id, ip_protocol="tcp", from_port=port,
                to_port=port, description=f"HTTP{'S' if port == 443 else ''} from anywhere",
                tags=tags(f"{name}-{port}-{family}"), opts=pulumi.ResourceOptions(parent=parent),
                **({"cidr_ipv4": cidr} if family == "ipv4" else {"cidr_ipv6": cidr}))


@dataclass(frozen=True)
class AppSecurityGroupShape:
    """How a runtime's compute faces the network; declared by the runtime, created before the database admits it."""

    name: str  # the component is named <app>-<name>
    description: str
    open_web_to_internet: bool = False  # a host that terminates HTTP(S) itself
    allow_members: bool = False  # cluster nodes talk to each other (API, kubelet, flannel VXLAN)


@dataclass(frozen=True)
class AppSecurityGroupArgs:
    vpc_id: pulumi.Input[str]
    shape: AppSecurityGroupShape
    tags: Tagger


class AppSecurityGroup(pulumi.ComponentResource):
    """The group of whatever runs the app (a host or cluster nodes); databases and caches admit this group."""

    id: pulumi.Output[str]

    def __init__(self, name: str, args: AppSecurityGroupArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:network:AppSecurityGroup", name, None, opts)
        shape = args.shape
        group = ec2.SecurityGroup(f"{name}-sg", vpc_id=args.vpc_id, description=shape.description,
                                  tags=args.tags(f"{name}-sg"), opts=pulumi.ResourceOptions(parent=self))
        rule_opts = pulumi.ResourceOptions(parent=group)
        if shape.open_web_to_internet:
            web_ingress_rules(name, group.id, args.tags, group)
        if shape.allow_members:
            vpc.SecurityGroupIngressRule(
                f"{name}-intra-cluster", security_group_id=group.id, ip_protocol="-1",
                referenced_security_group_id=group.id, description="Member to member",
                tags=args.tags(f"{name}-intra-cluster"), opts=rule_opts)
        vpc.SecurityGroupEgressRule(
            f"{name}-egress", security_group_id=group.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0",
            description="Image pulls, AWS APIs, certificates", tags=args.tags(f"{name}-egress"), opts=rule_opts)
        self.id = group.id
        self.register_outputs({"id": self.id})
