"""Assembles a phase from its components. Sizing comes from config; the phase only decides what exists."""

from __future__ import annotations

from typing import Any, Callable

import pulumi

import re

from .alerts import (
    Alerts,
    AlertsArgs,
    cache_alarms,
    database_alarms,
    host_alarms,
    load_balancer_alarms,
    next_phase_triggers,
    node_alarms,
)
from .assets import Assets, AssetsArgs
from .billing import Billing, BillingArgs
from .cache import Cache, CacheArgs
from .cdn import Cdn, CdnArgs
from .compose_host import ComposeHost, ComposeHostArgs
from .config import Phase, StackConfig
from .database import Database, DatabaseArgs
from .k3s import K3sCluster, K3sClusterArgs
from .k3s_render import INGRESS_PORT
from .load_balancer import LoadBalancer, LoadBalancerArgs
from .network import Network, NetworkArgs
from .security_groups import AppSecurityGroup, AppSecurityGroupArgs
from .tags import Tagger


def build_mvp(cfg: StackConfig, tags: Tagger) -> dict[str, Any]:
    """Phase 1: one Docker Compose host in a public subnet, a private RDS, an encrypted bucket, alarms."""
    name = cfg.app.name
    network = Network(f"{name}-net", NetworkArgs(config=cfg.network, region=cfg.region, tags=tags))
    host_sg = AppSecurityGroup(f"{name}-web", AppSecurityGroupArgs(
        vpc_id=network.vpc_id, description="Compose host: HTTP(S) in, anything out", tags=tags,
        open_web_to_internet=True))
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


def build_growth(cfg: StackConfig, tags: Tagger) -> dict[str, Any]:
    """Phase 2: K3s (1 server + N agents) in private subnets behind an ALB, Valkey/Redis, CloudFront, alarms."""
    name = cfg.app.name
    network = Network(f"{name}-net", NetworkArgs(config=cfg.network, region=cfg.region, tags=tags))
    nodes_sg = AppSecurityGroup(f"{name}-nodes", AppSecurityGroupArgs(
        vpc_id=network.vpc_id, description="K3s nodes: each other, and the load balancer on the ingress port",
        tags=tags, allow_members=True))
    database = Database(f"{name}-db", DatabaseArgs(
        config=cfg.database, vpc_id=network.vpc_id, private_subnet_ids=network.private_subnet_ids,
        client_security_group_id=nodes_sg.id, tags=tags))
    cache = None
    if cfg.cache.enabled:
        cache = Cache(f"{name}-cache", CacheArgs(
            config=cfg.cache, replication_group_id=cache_group_id(name, pulumi.get_stack()), vpc_id=network.vpc_id,
            private_subnet_ids=network.private_subnet_ids, client_security_group_id=nodes_sg.id, tags=tags))
    assets = Assets(f"{name}-assets", AssetsArgs(config=cfg.assets, tags=tags))
    cluster = K3sCluster(f"{name}-k3s", K3sClusterArgs(
        app=cfg.app, config=cfg.k3s, database=cfg.database, region=cfg.region,
        private_subnet_ids=network.private_subnet_ids, security_group_id=nodes_sg.id,
        db_address=database.address, db_port=database.port, db_secret_arn=database.secret_arn,
        bucket_name=assets.bucket_name, bucket_arn=assets.bucket_arn, tags=tags,
        **({"cache_address": cache.address, "cache_port": cache.port, "cache_secret_arn": cache.secret_arn}
           if cache else {})))
    balancer = LoadBalancer(f"{name}-lb", LoadBalancerArgs(
        vpc_id=network.vpc_id, public_subnet_ids=network.public_subnet_ids, target_security_group_id=nodes_sg.id,
        target_ids=cluster.node_ids, target_port=INGRESS_PORT, health_check_path=cfg.app.root_service.health_check_path,
        domain=cfg.app.domain, zone_name=cfg.app.zone_name, tags=tags))
    cdn = None
    if cfg.cdn.enabled:
        cdn = Cdn(f"{name}-cdn", CdnArgs(config=cfg.cdn, bucket_name=assets.bucket_name, bucket_arn=assets.bucket_arn,
                                         bucket_domain_name=assets.bucket_domain_name, tags=tags))
    alarms = (node_alarms(cluster.node_ids, cfg.alerts)
              + database_alarms(database.identifier, database.max_connections, cfg.alerts)
              + (cache_alarms(cache.member_ids, cfg.alerts) if cache else [])
              + load_balancer_alarms(balancer.arn_suffix, balancer.target_group_arn_suffix, cfg.alerts)
              + next_phase_triggers(cluster.node_ids, balancer.arn_suffix, cfg.alerts))
    alerts = Alerts(f"{name}-alerts", AlertsArgs(config=cfg.alerts, alarms=alarms, tags=tags))
    billing = _billing(cfg, tags, alerts.topic_arn)
    outputs = {
        "phase": cfg.phase.value,
        "region": cfg.region,
        "url": balancer.url,
        "loadBalancerDnsName": balancer.dns_name,
        "k3sServerId": cluster.server.id,
        "k3sNodeIds": cluster.node_ids,
        "databaseAddress": database.address,
        "databaseSecretArn": database.secret_arn,
        "assetsBucket": assets.bucket_name,
        "alertsTopicArn": alerts.topic_arn,
        "budgetName": billing.budget_name,
    }
    if cache:
        outputs["cacheAddress"] = cache.address
    if cdn:
        outputs["cdnDomainName"] = cdn.domain_name
    return outputs


def cache_group_id(app: str, stack: str) -> str:
    """ElastiCache ids: <= 40 lower-case letters, digits and single hyphens, starting with a letter."""
    base = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", f"{app}-{stack}".lower()))[:34].strip("-")
    return f"{base}-cache"


def _billing(cfg: StackConfig, tags: Tagger, alerts_topic_arn: pulumi.Input[str]) -> Billing:
    return Billing(f"{cfg.app.name}-billing", BillingArgs(
        region=cfg.region, monthly_budget_usd=cfg.billing.monthly_budget_usd,
        actual_thresholds_percent=cfg.billing.actual_thresholds_percent,
        forecasted_thresholds_percent=cfg.billing.forecasted_thresholds_percent,
        estimated_charges_threshold_usd=cfg.estimated_charges_threshold, emails=cfg.billing_emails,
        budget_name=f"{cfg.app.name}-{pulumi.get_stack()}-monthly", tags=tags, alerts_topic_arn=alerts_topic_arn))


BUILDERS: dict[Phase, Callable[[StackConfig, Tagger], dict[str, Any]]] = {
    Phase.MVP: build_mvp, Phase.GROWTH: build_growth}


def build_phase(cfg: StackConfig) -> dict[str, Any]:
    builder = BUILDERS.get(cfg.phase)
    if builder is None:
        raise pulumi.RunError(
            f"{pulumi.get_stack()}: phase '{cfg.phase.value}' is not buildable yet in this version of phasegate; "
            f"buildable phases: {', '.join(p.value for p in BUILDERS)}"
        )
    tags = Tagger.for_stack(cfg.app.name, cfg.phase.value, pulumi.get_stack())
    return builder(cfg, tags)
