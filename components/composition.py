"""The one composition every stack is built by: the shared base, the runtime the config names, the optional parts.

A phase is data (presets), not a code path: nothing here branches on the phase. The order is the order of
dependencies: the network; the app's security group, which the database and cache admit; the database,
cache and bucket the compute needs; the load balancer, when the runtime serves through one; the compute;
the CDN and the WAF; and last the alarms every part asked for, and the billing guardrails. Parts are top-level
components, never children of a "phase" component, so their URNs and the cost-by-component report stay flat.
"""

from __future__ import annotations

from typing import Any

import pulumi

from .config import StackConfig
from .config.errors import LocatedError
from .parts.alerts import Alerts, AlertsArgs
from .parts.assets import Assets, AssetsArgs
from .parts.billing import Billing, BillingArgs
from .parts.cache import Cache, CacheArgs, cache_group_id
from .parts.cdn import Cdn, CdnArgs
from .parts.database import Database, DatabaseArgs
from .parts.load_balancer import LoadBalancer, LoadBalancerArgs, ServiceTarget
from .parts.network import Network, NetworkArgs
from .parts.security_groups import AppSecurityGroup, AppSecurityGroupArgs
from .parts.tags import Tagger
from .parts.waf import Waf, WafArgs
from .render.checks import boot_script_sizes
from .runtimes import RUNTIMES, RuntimeArgs


class NotBuildable(Exception):
    """The config is valid but this version of phasegate has no runtime to build it with."""


def render_problems(cfg: StackConfig) -> list[LocatedError]:
    """The config checks that need the render side, for the loader to run once the config validated: every
    boot script's size, and the checks of the stack's runtime."""
    runtime = RUNTIMES.get(cfg.compute.runtime)
    return [*boot_script_sizes(cfg), *(problem for check in (runtime.checks if runtime else ()) for problem in check(cfg))]


def build_stack(cfg: StackConfig, stack: str) -> dict[str, Any]:
    """Declare every resource of the stack; returns the stack outputs."""
    runtime = RUNTIMES.get(cfg.compute.runtime)
    if runtime is None:
        raise NotBuildable(f"runtime '{cfg.compute.runtime}' is not buildable yet in this version of phasegate; "
                           f"buildable runtimes: {', '.join(RUNTIMES)}")
    name, tags = cfg.app.name, Tagger.for_stack(cfg.app.name, cfg.phase.value, stack)

    network = Network(f"{name}-net", NetworkArgs(config=cfg.network, region=cfg.region, tags=tags,
                                                 interface_endpoints=runtime.interface_endpoints))
    app_group = AppSecurityGroup(f"{name}-{runtime.security_group.name}", AppSecurityGroupArgs(
        vpc_id=network.endpoint.vpc_id, shape=runtime.security_group, tags=tags))
    database = Database(f"{name}-db", DatabaseArgs(
        config=cfg.database, network=network.endpoint, client_security_group_id=app_group.id, tags=tags,
        dr_region=cfg.dr_region, stack=stack))
    cache = Cache(f"{name}-cache", CacheArgs(
        config=cfg.cache, replication_group_id=cache_group_id(name, stack), network=network.endpoint,
        client_security_group_id=app_group.id, tags=tags)) if cfg.cache.enabled else None
    assets = Assets(f"{name}-assets", AssetsArgs(config=cfg.assets, tags=tags))
    balancer = LoadBalancer(f"{name}-lb", LoadBalancerArgs(
        network=network.endpoint, target_security_group_id=app_group.id, target_port=runtime.ingress_port,
        services=[ServiceTarget(s.name, s.port, s.health_check_path, s.path_prefix)
                  for s in cfg.app.services if s.public] if runtime.ingress_per_service else (),
        health_check_path=cfg.app.root_service.health_check_path, domain=cfg.app.domain,
        zone_name=cfg.app.zone_name, tags=tags)) if runtime.behind_load_balancer else None
    compute = runtime.build(f"{name}-{runtime.component}", RuntimeArgs(
        app=cfg.app, compute=cfg.compute, region=cfg.region, stack=stack, network=network.endpoint,
        security_group_id=app_group.id, database=database.endpoint, bucket=assets.endpoint,
        cache=cache.endpoint if cache else None, ingress=balancer, tags=tags))
    cdn = Cdn(f"{name}-cdn", CdnArgs(config=cfg.cdn, bucket=assets.endpoint, tags=tags, region=cfg.region)) if cfg.cdn.enabled else None
    if cfg.waf.enabled and balancer:  # the config refuses a WAF without a load balancer to put it on
        Waf(f"{name}-waf", WafArgs(config=cfg.waf, load_balancer_arn=balancer.alb.arn, tags=tags))

    alarms = [*network.alarms(cfg.alerts), *compute.alarms(cfg.alerts), *database.alarms(cfg.alerts)]
    alarms += [*(cache.alarms(cfg.alerts) if cache else []), *(balancer.alarms(cfg.alerts) if balancer else [])]
    alerts = Alerts(f"{name}-alerts", AlertsArgs(config=cfg.alerts, alarms=alarms, tags=tags))
    billing = Billing(f"{name}-billing", BillingArgs(
        region=cfg.region, monthly_budget_usd=cfg.billing.monthly_budget_usd,
        actual_thresholds_percent=cfg.billing.actual_thresholds_percent,
        forecasted_thresholds_percent=cfg.billing.forecasted_thresholds_percent,
        estimated_charges_threshold_usd=cfg.estimated_charges_threshold, emails=cfg.billing_emails,
        budget_name=f"{name}-{stack}-monthly", tags=tags, alerts_topic_arn=alerts.topic_arn))

    outputs: dict[str, Any] = {
        "phase": cfg.phase.value,
        "region": cfg.region,
        "url": compute.url if compute.url is not None else balancer.url,
        **({"loadBalancerDnsName": balancer.dns_name} if balancer else {}),
        **compute.outputs,
        "databaseAddress": database.endpoint.address,
        "databaseSecretArn": database.endpoint.secret_arn,
        "assetsBucket": assets.endpoint.name,
        "alertsTopicArn": alerts.topic_arn,
        "budgetName": billing.budget_name,
    }
    if cache:
        outputs["cacheAddress"] = cache.endpoint.address
    if cdn:
        outputs["cdnDomainName"] = cdn.domain_name
    return outputs


def build_phase(cfg: StackConfig) -> dict[str, Any]:
    """`build_stack` for the running Pulumi stack; an unbuildable runtime ends the run with one clear error."""
    try:
        return build_stack(cfg, pulumi.get_stack())
    except NotBuildable as exc:
        raise pulumi.RunError(f"{pulumi.get_stack()}: {exc}") from None
