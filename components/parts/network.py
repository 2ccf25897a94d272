"""The VPC: public and private subnets across AZs, internet gateway, route tables, egress and the S3 endpoint."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws.ec2 as ec2

from ..config.models import Alerts as AlertsConfig, Network as NetworkConfig
from ..config.types import Egress
from ..endpoints import NetworkEndpoint
from ..render.alarms import AlarmSpec, nat_gateway_alarms, status_check_alarm
from ..render.cidr import plan_subnets
from .ec2 import HardenedInstanceArgs, hardened_instance
from .tags import Tagger

# Turns an AL2023 instance into a NAT: forward packets and masquerade them behind its public address.
NAT_USER_DATA = """#!/bin/bash
set -euo pipefail
dnf install -y iptables-services
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf
sysctl --system
iface=$(ip -o -4 route show to default | awk '{print $5}' | head -n1)
iptables -t nat -A POSTROUTING -o "$iface" -j MASQUERADE
iptables -F FORWARD
service iptables save
systemctl enable --now iptables
"""


@dataclass(frozen=True)
class NetworkArgs:
    config: NetworkConfig
    region: str
    tags: Tagger
    # With egress "endpoints": the AWS services the compute reaches through interface endpoints (its runtime's).
    interface_endpoints: tuple[str, ...] = ()


class Network(pulumi.ComponentResource):
    endpoint: NetworkEndpoint

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:network:Network", name, None, opts)
        cfg = args.config
        child = pulumi.ResourceOptions(parent=self)
        plan = plan_subnets(cfg.cidr, cfg.az_count)
        zones = aws.get_availability_zones_output(
            state="available", opts=pulumi.InvokeOutputOptions(parent=self)
        ).names

        self.vpc = ec2.Vpc(
            f"{name}-vpc", cidr_block=cfg.cidr, enable_dns_hostnames=True, enable_dns_support=True,
            tags=args.tags(f"{name}-vpc"), opts=child,
        )
        vpc_child = pulumi.ResourceOptions(parent=self.vpc)

        # The IGW is free; it exists in every egress mode because public subnets always need it.
        igw = ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=args.tags(f"{name}-igw"), opts=vpc_child)
        public_rt = ec2.RouteTable(
            f"{name}-public-rt", vpc_id=self.vpc.id,
            routes=[ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags=args.tags(f"{name}-public-rt"), opts=vpc_child,
        )

        self._nat_gateways: list[ec2.NatGateway] = []
        self._nat_instance: ec2.Instance | None = None
        public_subnets, private_subnets = [], []
        for index, (public_cidr, private_cidr) in enumerate(zip(plan.public, plan.private)):
            zone = zones.apply(lambda names, i=index: names[i])
            # Public subnets do not auto-assign public IPs: each public address costs money and is
            # given on purpose (an Elastic IP, a NAT, a load balancer).
            public = ec2.Subnet(
                f"{name}-public-{index}", vpc_id=self.vpc.id, cidr_block=public_cidr, availability_zone=zone,
                map_public_ip_on_launch=False, tags=args.tags(f"{name}-public-{index}", tier="public"),
                opts=vpc_child,
            )
            ec2.RouteTableAssociation(
                f"{name}-public-{index}", subnet_id=public.id, route_table_id=public_rt.id,
                opts=pulumi.ResourceOptions(parent=public),
            )
            private = ec2.Subnet(
                f"{name}-private-{index}", vpc_id=self.vpc.id, cidr_block=private_cidr, availability_zone=zone,
                map_public_ip_on_launch=False, tags=args.tags(f"{name}-private-{index}", tier="private"),
                opts=vpc_child,
            )
            public_subnets.append(public)
            private_subnets.append(private)

        private_rts = self._private_route_tables(name, args, public_subnets, private_subnets)
        if cfg.egress == Egress.ENDPOINTS:
            self._interface_endpoints(name, args, private_subnets)
        route_table_ids = [public_rt.id] + [rt.id for rt in private_rts]
        # S3 gateway endpoints cost nothing and keep image/asset traffic off the NAT's per-GB charge.
        ec2.VpcEndpoint(
            f"{name}-s3", vpc_id=self.vpc.id, service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway", route_table_ids=route_table_ids, tags=args.tags(f"{name}-s3"),
            opts=vpc_child,
        )

        self.endpoint = NetworkEndpoint(
            vpc_id=self.vpc.id, cidr=cfg.cidr, public_subnet_ids=[s.id for s in public_subnets],
            private_subnet_ids=[s.id for s in private_subnets])
        self.register_outputs({
            "vpcId": self.endpoint.vpc_id,
            "publicSubnetIds": self.endpoint.public_subnet_ids,
            "privateSubnetIds": self.endpoint.private_subnet_ids,
        })

    def _private_route_tables(self, name, args: NetworkArgs, public_subnets, private_subnets) -> list[ec2.RouteTable]:
        """One private route table per AZ with per-AZ NAT gateways, otherwise one shared table."""
        egress = args.config.egress
        per_az = egress == Egress.GATEWAY_PER_AZ
        vpc_child = pulumi.ResourceOptions(parent=self.vpc)
        tables = []
        for index in range(len(private_subnets) if per_az else 1):
            tables.append(ec2.RouteTable(
                f"{name}-private-rt-{index}", vpc_id=self.vpc.id, tags=args.tags(f"{name}-private-rt-{index}"),
                opts=vpc_child,
            ))
        for index, subnet in enumerate(private_subnets):
            ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=tables[index if per_az else 0].id,
                opts=pulumi.ResourceOptions(parent=subnet),
            )

        if egress in (Egress.GATEWAY, Egress.GATEWAY_PER_AZ):
            for index, table in enumerate(tables):
                eip = ec2.Eip(f"{name}-nat-{index}", domain="vpc", tags=args.tags(f"{name}-nat-{index}"),
                              opts=vpc_child)
                nat = ec2.NatGateway(
                    f"{name}-nat-{index}", allocation_id=eip.id, subnet_id=public_subnets[index].id,
                    connectivity_type="public", tags=args.tags(f"{name}-nat-{index}"), opts=vpc_child,
                )
                ec2.Route(f"{name}-private-default-{index}", route_table_id=table.id,
                          destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id,
                          opts=pulumi.ResourceOptions(parent=table))
                self._nat_gateways.append(nat)
        elif egress == Egress.INSTANCE:
            nat = self._nat_instance = self._nat_host(name, args, public_subnets[0])
            ec2.Route(f"{name}-private-default-0", route_table_id=tables[0].id,
                      destination_cidr_block="0.0.0.0/0", network_interface_id=nat.primary_network_interface_id,
                      opts=pulumi.ResourceOptions(parent=tables[0]))
        return tables

    def _interface_endpoints(self, name: str, args: NetworkArgs, private_subnets: list[ec2.Subnet]) -> None:
        """What the compute calls without internet (Fargate: ECR's API and registry, whose layers come from S3
        through the gateway endpoint, CloudWatch Logs and Secrets Manager; Lambda: Secrets Manager), each answering
        on its usual DNS name."""
        vpc_child = pulumi.ResourceOptions(parent=self.vpc)
        group = ec2.SecurityGroup(
            f"{name}-endpoints", vpc_id=self.vpc.id, description="VPC interface endpoints: HTTPS from the VPC",
            ingress=[ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443,
                                                  cidr_blocks=[args.config.cidr], description="from the VPC")],
            tags=args.tags(f"{name}-endpoints"), opts=vpc_child)
        for service in args.interface_endpoints:
            ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}", vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}", vpc_endpoint_type="Interface",
                subnet_ids=[s.id for s in private_subnets], security_group_ids=[group.id], private_dns_enabled=True,
                tags=args.tags(f"{name}-{service.replace('.', '-')}"), opts=vpc_child)

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        """Egress failing is an outage of everything private (image pulls, AWS APIs): alarm on the NAT itself."""
        specs = [spec for index, nat in enumerate(self._nat_gateways) for spec in nat_gateway_alarms(index, nat.id)]
        if self._nat_instance is not None:
            specs.append(status_check_alarm("nat", "The NAT instance failed its EC2 status checks",
                                            {"InstanceId": self._nat_instance.id}))
        return specs

    def _nat_host(self, name, args: NetworkArgs, subnet: ec2.Subnet) -> ec2.Instance:
        """A tiny Graviton NAT: a few dollars a month instead of ~$33 for a NAT gateway, at the price of HA."""
        vpc_child = pulumi.ResourceOptions(parent=self.vpc)
        sg = ec2.SecurityGroup(
            f"{name}-nat", vpc_id=self.vpc.id, description="NAT instance: forwards traffic from inside the VPC",
            ingress=[ec2.SecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0,
                                                  cidr_blocks=[args.config.cidr], description="from the VPC")],
            egress=[ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"],
                                                description="to the internet")],
            tags=args.tags(f"{name}-nat"), opts=vpc_child,
        )
        return hardened_instance(f"{name}-nat", HardenedInstanceArgs(
            instance_type=args.config.nat_instance_type, subnet_id=subnet.id, security_group_ids=[sg.id],
            user_data=NAT_USER_DATA, root_volume_gb=8, associate_public_ip=True, source_dest_check=False,
            tags=args.tags(f"{name}-nat", role="nat"), volume_tags=args.tags(f"{name}-nat"),
        ), parent=self.vpc)
