"""The app's PostgreSQL: private, encrypted, TLS-only, password managed by RDS, protected from deletion."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.rds as rds
import pulumi_aws.vpc as vpc

from ..config.models import Alerts as AlertsConfig, Database as DatabaseConfig
from ..endpoints import DatabaseEndpoint, NetworkEndpoint
from ..render.alarms import AlarmSpec, database_alarms
from ..render.limits import max_connections
from .tags import Tagger

POSTGRES_PORT = 5432


@dataclass(frozen=True)
class DatabaseArgs:
    config: DatabaseConfig
    network: NetworkEndpoint
    client_security_group_id: pulumi.Input[str]
    tags: Tagger


class Database(pulumi.ComponentResource):
    endpoint: DatabaseEndpoint

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:database:Database", name, None, opts)
        cfg = args.config
        child = pulumi.ResourceOptions(parent=self)

        subnet_group = rds.SubnetGroup(
            f"{name}-subnets", subnet_ids=list(args.network.private_subnet_ids),
            description="Private subnets only: the database is never reachable from the internet",
            tags=args.tags(f"{name}-subnets"), opts=child,
        )
        self.security_group = ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.network.vpc_id, description="PostgreSQL: reachable only from the app",
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
            # Performance Insights' 7 days of history are free; longer retention would be billed.
            **({"performance_insights_enabled": True, "performance_insights_retention_period": 7}
               if cfg.performance_insights else {}),
            tags=args.tags(f"{name}-postgres"),
            # Stateful: `pulumi destroy` or a replacing change stops here unless the stack opted out.
            opts=pulumi.ResourceOptions(parent=self, protect=cfg.deletion_protection),
        )
        self.endpoint = DatabaseEndpoint(
            address=self.instance.address, port=self.instance.port, db_name=cfg.db_name,
            secret_arn=self.instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn))
        self._max_connections = max_connections(cfg.instance_class)
        self.register_outputs({"address": self.endpoint.address, "identifier": self.instance.identifier,
                               "secretArn": self.endpoint.secret_arn})

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        return database_alarms(self.instance.identifier, self._max_connections, cfg)
