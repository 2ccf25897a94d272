"""Assembles a phase from its components. Sizing comes from config; the phase only decides what exists."""

from __future__ import annotations

from typing import Any, Callable

import pulumi

from .alerts import Alerts, AlertsArgs, database_alarms, host_alarms
from .assets import Assets, AssetsArgs
from .billing import Billing, BillingArgs
from .compose_host import ComposeHost, ComposeHostArgs, HostSecurityGroup, HostSecurityGroupArgs
from .config import Phase, StackConfig
from .database import Database, DatabaseArgs
from .network import Network, NetworkArgs
from .tags import Tagger


def build_mvp(cfg: StackConfig, tags: Tagger) -> dict[str, Any]:
    """Phase 1: one Docker Compose host in a public subnet, a private RDS, an encrypted bucket, alarms."""
    name = cfg.app.name
    network = Network(f"{name}-net", NetworkArgs(config=cfg.network, region=cfg.region, tags=tags))
    host_sg = HostSecurityGroup(f"{name}-web", HostSecurityGroupArgs(vpc_id=network.vpc_id, tags=tags))
    database = Database(f"{name}-db", DatabaseArgs(
        config=cfg.database, vpc_id=network.vpc_id, private_subnet_ids=network.private_subnet_ids,
        client_security_group_id=host_sg.id, tags=tags))
    assets = Assets(f"{name}-assets", AssetsArgs(config=cfg.assets, tags=tags))
    host = ComposeHost(f"{name}-app", ComposeHostArgs(
        app=cfg.app, config=cfg.compose_host, database=cfg.database, region=cfg.region,
        subnet_id=network.public_subnet_ids[0], security_group_id=host_sg.id,
        db_address=database.address, db_port=database.port, db_secret_arn=database.secret_arn,
        bucket_name=assets.bucket_name, bucket_arn=assets.bucket_arn, tags=tags))
    alerts = Alerts(f"{name}-alerts", AlertsArgs(
        config=cfg.alerts,
        alarms=host_alarms(host.instance_id, cfg.alerts)
        + database_alarms(database.identifier, database.max_connections, cfg.alerts),
        tags=tags))
    billing = _billing(cfg, tags, alerts.topic_arn)
    return {
        "phase": cfg.phase.value,
        "region": cfg.region,
        "url": f"https://{cfg.app.domain}" if cfg.app.domain else host.public_ip.apply(lambda ip: f"http://{ip}"),
        "publicIp": host.public_ip,
        "instanceId": host.instance_id,
        "databaseAddress": database.address,
        "databaseSecretArn": database.secret_arn,
        "assetsBucket": assets.bucket_name,
        "alertsTopicArn": alerts.topic_arn,
        "budgetName": billing.budget_name,
    }


def _billing(cfg: StackConfig, tags: Tagger, alerts_topic_arn: pulumi.Input[str]) -> Billing:
    return Billing(f"{cfg.app.name}-billing", BillingArgs(
        region=cfg.region, monthly_budget_usd=cfg.billing.monthly_budget_usd,
        actual_thresholds_percent=cfg.billing.actual_thresholds_percent,
        forecasted_thresholds_percent=cfg.billing.forecasted_thresholds_percent,
        estimated_charges_threshold_usd=cfg.estimated_charges_threshold, emails=cfg.billing_emails,
        budget_name=f"{cfg.app.name}-{pulumi.get_stack()}-monthly", tags=tags, alerts_topic_arn=alerts_topic_arn))


BUILDERS: dict[Phase, Callable[[StackConfig, Tagger], dict[str, Any]]] = {Phase.MVP: build_mvp}


def build_phase(cfg: StackConfig) -> dict[str, Any]:
    builder = BUILDERS.get(cfg.phase)
    if builder is None:
        raise pulumi.RunError(
            f"{pulumi.get_stack()}: phase '{cfg.phase.value}' is not buildable yet in this version of phasegate; "
            f"buildable phases: {', '.join(p.value for p in BUILDERS)}"
        )
    tags = Tagger.for_stack(cfg.app.name, cfg.phase.value, pulumi.get_stack())
    return builder(cfg, tags)
