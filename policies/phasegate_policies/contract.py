"""The contract between the program and the pack: the one place these names and numbers are defined.

The pack must stay self-contained when published (`pulumi policy publish`), so the contract lives here and
the program imports it; the pack never imports the program. Pure data: importing this module pulls in
nothing but the standard library.
"""

from __future__ import annotations

import re

# Phases in the order a stack grows through them.
PHASES = ("mvp", "growth", "production")

# Monthly cost ceilings per phase, from the reference plans' decision matrix ($45, $105, $412). The platform
# owner overrides them in the pack config; a stack file cannot.
DEFAULT_CEILINGS = {"mvp": 45, "growth": 105, "production": 412}

# Tags every taggable resource carries, so cost allocation and policies can tell stacks apart.
PHASE_TAG = "phasegate:phase"
STACK_TAG = "phasegate:stack"
APP_TAG = "phasegate:app"
REQUIRED_TAGS = (PHASE_TAG, STACK_TAG, APP_TAG)

# An instance's role tag says what it is; Kubernetes nodes must never be reachable from the internet.
ROLE_TAG = "phasegate:role"
K3S_SERVER_ROLE = "k3s-server"
K3S_AGENT_ROLE = "k3s-agent"
EKS_NODE_ROLE = "eks-node"
NODE_ROLES = (K3S_SERVER_ROLE, K3S_AGENT_ROLE, EKS_NODE_ROLE)

# AWS publishes billing metrics (EstimatedCharges) only in this region.
BILLING_REGION = "us-east-1"

# Amazon EKS standard support ends 14 months after a version's EKS release; after that a cluster whose upgrade
# policy is EXTENDED (EKS's default) is billed extended support, and one whose policy is STANDARD is upgraded
# automatically. Source: the EKS version lifecycle page (docs.aws.amazon.com/eks/latest/userguide/
# kubernetes-versions.html) as tabulated by endoflife.date/amazon-eks, read 2026-02 (1.35 released 2026-01-28).
EKS_STANDARD_SUPPORT_ENDS = {
    "1.29": "2025-03-23", "1.30": "2025-07-23", "1.31": "2025-11-26", "1.32": "2026-03-23",
    "1.33": "2026-07-29", "1.34": "2026-12-02", "1.35": "2027-03-27",
}

# The root device of the images phasegate runs: /dev/xvda on Amazon Linux 2023 (and the EKS AL2023 AMIs), /dev/sda1 on
# Ubuntu. A launch template that maps neither leaves instances the image's own root volume, unencrypted unless the
# account encrypts EBS by default, and sized as the image says.
ROOT_DEVICE_NAMES = ("/dev/xvda", "/dev/sda1")

# Resources that answer the internet, so a stack with one pays data transfer out for what it serves (the pack prices it
# from phasegate:usage.gbServedPerMonth): Elastic IPs, load balancers, API Gateway APIs (HTTP and REST), Lambda function
# URLs and S3 website endpoints, whose responses are billed as data transfer out. By resource type, so it holds for any
# program's graph.
PUBLIC_FACING = frozenset({
    "aws:ec2/eip:Eip", "aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer",
    "aws:apigatewayv2/api:Api", "aws:apigateway/restApi:RestApi", "aws:lambda/functionUrl:FunctionUrl",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
})


# Graviton (arm64) instance families: the first generation a1, and every family whose generation digit is followed by
# "g" (t4g, m6gd, c6gn, x2gd, im4gn, is4gen, g5g, hpc7g...), as the EC2 instance type naming conventions page states
# (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html: "g: AWS Graviton processors").
_GRAVITON_FAMILY = re.compile(r"a1|[a-z]+[0-9]+g[a-z-]*")


def is_graviton(instance_type: str) -> bool:
    """True for an EC2 instance type on Graviton: it runs arm64 images only (AMIs, node groups, NAT instances)."""
    family = instance_type.split(".")[0]
    return _GRAVITON_FAMILY.fullmatch(family) is not None
