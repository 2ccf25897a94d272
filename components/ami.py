"""Amazon Linux 2023 image lookup through AWS's public SSM parameters: never a hard-coded AMI id."""

from __future__ import annotations

import pulumi
import pulumi_aws.ssm as ssm


def is_graviton(instance_type: str) -> bool:
    """t4g, m6g, c7g...: the family name ends in 'g' (optionally followed by d/n/e variants)."""
    family = instance_type.split(".")[0]
    return family.rstrip("dne").endswith("g")


def al2023_parameter(instance_type: str) -> str:
    arch = "arm64" if is_graviton(instance_type) else "x86_64"
    return f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"


def al2023_ami(instance_type: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    return ssm.get_parameter_output(
        name=al2023_parameter(instance_type), opts=pulumi.InvokeOutputOptions(parent=parent)
    ).value
