"""The app's PostgreSQL: private, encrypted, TLS-only, password managed by RDS, protected from deletion.

With `drCopy`, AWS Backup also snapshots it daily and copies each snapshot to a second region, so a regional
outage or a deleted account region still leaves a restorable copy (the reference plans' disaster recovery).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws.backup as backup
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
import pulumi_aws.rds as rds
import pulumi_aws.vpc as vpc

from ..config.models import Alerts as AlertsConfig, Database as DatabaseConfig
from ..endpoints import DatabaseEndpoint, NetworkEndpoint
from ..render.alarms import AlarmSpec, database_alarms
from ..render.limits import max_connections
from .iam import assume_role_policy
from .tags import Tagger

POSTGRES_PORT = 5432
BACKUP_SERVICE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
BACKUP_TRUST = assume_role_policy("backup.amazonaws.com")
# 05:00 UTC daily, outside RDS's own default backup windows' busiest hours; AWS Backup starts within the hour.
BACKUP_SCHEDULE = "cron(0 5 ? * * *)"


@dataclass(frozen=True)
class DatabaseArgs:
    config: DatabaseConfig
    network: NetworkEndpoint
    client_security_group_id: pulumi.Input[str]
    tags: Tagger
    # The Pulumi stack: part of the final snapshot's name, which must be unique in the account and region.
    stack: str
    # Where AWS Backup copies the daily snapshots; None: no copies (automated backups only).
    dr_region: Optional[str] = None


def snapshot_identifier(*parts: str) -> str:
    """A DB snapshot identifier from `parts`: 1-255 letters, digits and hyphens, starting with a letter, no two
    hyphens in a row and none at the end (CreateDBSnapshot's DBSnapshotIdentifier constraints,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html). A stack name may hold
    `_` and `.`, which become hyphens."""
    words = [w for part in parts for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    identifier = "-".join(words).lower()[:255].rstrip("-")
    if not identifier or not identifier[0].isalpha():
        raise ValueError(f"cannot make a DB snapshot identifier from {parts!r}: it must start with a letter")
    return identifier


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
            # Named per stack: growth and production share a region, and a second `acme-db-postgres-final` would
            # fail that stack's destroy with DBSnapshotAlreadyExists.
            final_snapshot_identifier=None if cfg.skip_final_snapshot else snapshot_identifier(
                name, args.stack, "postgres-final"),
            # Migrating from the previous phase: start from its snapshot (RDS keeps db name and user from it).
            snapshot_identifier=cfg.snapshot_identifier,
            # Performance Insights' 7 days of history are free; longer retention would be billed.
            **({"performance_insights_enabled": True, "performance_insights_retention_period": 7}
               if cfg.performance_insights else {}),
            tags=args.tags(f"{name}-postgres"),
            # Stateful: `pulumi destroy` or a replacing change stops here unless the stack opted out.
            opts=pulumi.ResourceOptions(parent=self, protect=cfg.deletion_protection),
        )
        if args.dr_region:
            self._disaster_recovery_copies(name, args)
        self.endpoint = DatabaseEndpoint(
            address=self.instance.address, port=self.instance.port, db_name=cfg.db_name,
            secret_arn=self.instance.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn))
        self._max_connections = max_connections(cfg.instance_class)
        self.register_outputs({"address": self.endpoint.address, "identifier": self.instance.identifier,
                               "secretArn": self.endpoint.secret_arn})

    def _disaster_recovery_copies(self, name: str, args: DatabaseArgs) -> None:
        """A daily AWS Backup snapshot, kept as long as automated backups, and its copy in `dr_region`."""
        keep_days = args.config.backup_retention_days
        role = iam.Role(f"{name}-backup-role", assume_role_policy=BACKUP_TRUST,
                        description="AWS Backup: snapshot the database and copy it to the DR region",
                        tags=args.tags(f"{name}-backup-role"), opts=pulumi.ResourceOptions(parent=self))
        iam.RolePolicyAttachment(f"{name}-backup-service", role=role.name, policy_arn=BACKUP_SERVICE_POLICY,
                                 opts=pulumi.ResourceOptions(parent=role))
        # Vaults are encrypted with AWS Backup's key; one that still holds recovery points cannot be deleted.
        vault = backup.Vault(f"{name}-backup-vault", tags=args.tags(f"{name}-backup-vault"),
                             opts=pulumi.ResourceOptions(parent=self))
        dr_vault = backup.Vault(f"{name}-dr-vault", region=args.dr_region, tags=args.tags(f"{name}-dr-vault"),
                                opts=pulumi.ResourceOptions(parent=self))
        plan = backup.Plan(f"{name}-backup-plan", rules=[backup.PlanRuleArgs(
            rule_name="daily-with-dr-copy", target_vault_name=vault.name, schedule=BACKUP_SCHEDULE,
            start_window=60, completion_window=180, lifecycle=backup.PlanRuleLifecycleArgs(delete_after=keep_days),
            copy_actions=[backup.PlanRuleCopyActionArgs(
                destination_vault_arn=dr_vault.arn,
                lifecycle=backup.PlanRuleCopyActionLifecycleArgs(delete_after=keep_days))])],
            tags=args.tags(f"{name}-backup-plan"), opts=pulumi.ResourceOptions(parent=self))
        backup.Selection(f"{name}-backup-selection", plan_id=plan.id, iam_role_arn=role.arn,
                         resources=[self.instance.arn], opts=pulumi.ResourceOptions(parent=plan))

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        return database_alarms(self.instance.identifier, self._max_connections, cfg)
