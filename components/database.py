"""The app's PostgreSQL: private, encrypted, TLS-only, password managed by RDS, protected from deletion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.rds as rds
import pulumi_aws.vpc as vpc

from .config.models import Database as DatabaseConfig
from .tags import Tagger

POSTGRES_PORT = 5432

# Nominal memory of the classes in the price list. PostgreSQL on RDS defaults max_connections to
# LEAST(DBInstanceClassMemory / 9531392, 5000); the connections alarm is a percentage of that.
_CLASS_MEMORY_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16}
_R_CLASS_MEMORY_GIB = {"large": 16, "xlarge": 32}


def max_connections(instance_class: str) -> int:
    """RDS's default max_connections for a class (from nominal memory; RDS reserves a little, so it is an upper bound)."""
    family, size = instance_class.split(".")[1:3]
    gib = (_R_CLASS_MEMORY_GIB if family.startswith("r") else _CLASS_MEMORY_GIB)[size]
    return min(gib * 1024 ** 3 // 9531392, 5000)


@dataclass(frozen=True)
class DatabaseArgs:
    config: DatabaseConfig
    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_id: pulumi.Input[str]
    tags: Tagger


class Database(pulumi.ComponentResource):
    address: pulumi.Output[str]
    port: pulumi.Output[int]
    identifier: pulumi.Output[str]
    secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:database:Database", name, None, opts)
        cfg = args.config
        child = pulumi.ResourceOptions(parent=self)

        subnet_group = rds.SubnetGroup(
            f"{name}-subnets", subnet_ids=list(args.private_subnet_ids),
            description="Private subnets only: the database is never reachable from the internet",
            tags=args.tags(f"{name}-subnets"), opts=child,
        )
        self.security_group = ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id, description="PostgreSQL: reachable only from the app",
            tags=args.tags(f"{name}-sg"), opts=child,
        )
        vpc.SecurityGroupIngressRule(
            f"{name}-from-app", security_group_id=self.security_group.id, ip_protocol="tcp",
            from_port=POSTGRES_PORT, to_port=POSTGRES_PORT, referenced_security_group_id=args.client_security_group_id,
            description="PostgreSQL from the app's security group", tags=args.tags(f"{name}-from-app"),
            opts=pulumi.ResourceOptions(parent=self.security_group),
        )

        major = cfg.engine_version.split(".")[0]
        parameters = rds.ParameterGroup(
            f"{name}-params", family=f"postgres{major}", description="phasegate: TLS required",
            parameters=[rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="immediate")],
            tags=args.tags(f"{name}-params"), opts=child,
        )

        self.instance = rds.Instance(
            f"{name}-postgres",
            engine="postgres", engine_version=cfg.engine_version, instance_class=cfg.instance_class,
            db_name=cfg.db_name, username=cfg.username,
            # RDS generates and rotates the password in Secrets Manager: it never enters Pulumi state.
            manage_master_user_password=True,
            allocated_storage=cfg.allocated_storage_gb, max_allocated_storage=cfg.max_allocated_storage_gb,
            storage_type="gp3", storage_encrypted=True,
            db_subnet_group_name=subnet_group.name, vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False, multi_az=cfg.multi_az, parameter_group_name=parameters.name,
            backup_retention_period=cfg.backup_retention_days, copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True, apply_immediately=False,
            deletion_protection=cfg.deletion_protection,
            skip_final_snapshot=cfg.skip_final_snapshot,
            final_snapshot_identifier=None if cfg.skip_final_snapshot else f"{name}-postgres-final",
            # Migrating from the previous phase: start from its snapshot (RDS keeps db name and user from it).
            snapshot_identifier=cfg.snapshot_identifier,
            tags=args.tags(f"{name}-postgres"),
            # Stateful: `pulumi destroy` or a replacing change stops here unless the stack opted out.
            opts=pulumi.ResourceOptions(parent=self, protect=cfg.deletion_protection),
        )
        self.address = self.instance.address
        self.port = self.instance.port
        self.identifier = self.instance.identifier
        self.secret_arn = self.instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)
        self.max_connections = max_connections(cfg.instance_class)
        self.register_outputs({"address": self.address, "identifier": self.identifier, "secretArn": self.secret_arn})
