"""Boot scripts rendered before any resource exists, with the longest plausible AWS names in place of the real
ones: the config check uses them to refuse a stack whose user data could not fit EC2's limit, naming the keys
that make it large, instead of failing halfway through a deployment."""

from __future__ import annotations

from typing import Callable

from ..config.compute import ComposeCompute, K3sCompute
from ..config.models import App, StackConfig
from ..endpoints import CacheEndpoint, DatabaseEndpoint
from .compose import HostFacts, render_user_data
from .k3s import ClusterFacts, k3s_networks, render_agent_user_data, render_server_user_data

BootScripts = dict[str, Callable[[App], str]]

# Lengths of real names at their longest: RDS endpoints (63-character identifier), secret ARNs, bucket names.
_ARN = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:" + "s" * 64 + "-AbCdEf"
_HOST = "i" * 63 + ".c0123456789a.ap-southeast-1.rds.amazonaws.com"
LONGEST_DATABASE = DatabaseEndpoint(address=_HOST, port=65535, db_name="d" * 63, secret_arn=_ARN)
LONGEST_CACHE = CacheEndpoint(address="master." + "c" * 40 + ".abcdef.apse1.cache.amazonaws.com", port=65535,
                              secret_arn=_ARN)
LONGEST_BUCKET = "b" * 63
LONGEST_NAME = "/phasegate/" + "a" * 32 + "/" + "s" * 100


def boot_scripts(cfg: StackConfig) -> BootScripts:
    """What each EC2 instance of the stack's runtime would boot with, as a function of the app spec."""
    if not cfg.compute.capabilities.boots_from_user_data:
        return {}
    return RENDERERS[type(cfg.compute)](cfg, LONGEST_CACHE if cfg.cache.enabled else None)


def _compose_host(cfg: StackConfig, cache: CacheEndpoint | None) -> BootScripts:
    facts = HostFacts(region=cfg.region, log_group=LONGEST_NAME, database=LONGEST_DATABASE, bucket=LONGEST_BUCKET,
                      cache=cache)
    return {"compose host": lambda app: render_user_data(app, facts, check=False)}


def _k3s_nodes(cfg: StackConfig, cache: CacheEndpoint | None) -> BootScripts:
    facts = ClusterFacts(region=cfg.region, log_group=LONGEST_NAME, token_parameter=LONGEST_NAME + "/k3s-token",
                         database=LONGEST_DATABASE, bucket=LONGEST_BUCKET, cache=cache)
    networks = k3s_networks(cfg.network.cidr, cfg.compute.cluster_cidr, cfg.compute.service_cidr)
    version = cfg.compute.version
    return {"K3s server": lambda app: render_server_user_data(app, facts, version, networks, check=False),
            "K3s agent": lambda app: render_agent_user_data(facts, "255.255.255.255", version, check=False)}


# How to render the boot scripts of each runtime whose capabilities say it boots from EC2 user data.
RENDERERS: dict[type, Callable[[StackConfig, CacheEndpoint | None], BootScripts]] = {
    ComposeCompute: _compose_host, K3sCompute: _k3s_nodes}
