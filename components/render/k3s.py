"""The K3s nodes' boot scripts: install K3s, hand the join token over, apply the app's manifests, sync secrets.

The cluster join token is generated on the server at first boot and published to an SSM SecureString that
only the agents' role can read; Pulumi only ever sees a placeholder. The server node fills each service's
Kubernetes Secret from Secrets Manager with its instance role, and refreshes it (RDS rotates passwords).
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass
from typing import Optional

from ..config.models import App
from ..endpoints import CacheEndpoint, DatabaseEndpoint
from .boot_scripts import (
    cache_url_lines,
    check_size,
    cloudwatch_agent_config,
    database_url_lines,
    install_cloudwatch_agent,
    ip_address,
    secret_files_lines,
    sh_quote,
    systemd_timer,
    write_file,
)
from .kubernetes import NAMESPACE, render_manifests, secret_name

MANIFEST_PATH = "/var/lib/rancher/k3s/server/manifests/phasegate-app.yaml"  # K3s applies this directory itself
K3S = "/usr/local/bin/k3s"
INGRESS_PORT = 80  # Traefik, exposed on every node by K3s's ServiceLB
TOKEN_PLACEHOLDER = "set-at-first-boot-by-the-k3s-server"
CONTAINER_LOGS = "/var/log/containers/*.log"


@dataclass(frozen=True)
class K3sNetworks:
    """K3s's pod (--cluster-cidr) and service (--service-cidr) networks."""

    cluster: str
    service: str


# K3s's own defaults, then ranges to fall back to when a VPC overlaps them.
K3S_DEFAULT_NETWORKS = K3sNetworks("10.42.0.0/16", "10.43.0.0/16")
FALLBACK_NETWORKS = (K3S_DEFAULT_NETWORKS, K3sNetworks("172.30.0.0/16", "172.31.0.0/16"),
                     K3sNetworks("192.168.0.0/17", "192.168.128.0/17"))


def k3s_networks(vpc_cidr: str, cluster: Optional[str] = None, service: Optional[str] = None) -> K3sNetworks:
    """The networks to run K3s with: those the stack file sets, else the first pair clear of the VPC."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    for candidate in FALLBACK_NETWORKS:
        pick = K3sNetworks(cluster or candidate.cluster, service or candidate.service)
        if not any(ipaddress.IPv4Network(net).overlaps(vpc) for net in (pick.cluster, pick.service)):
            return pick
    return K3sNetworks(cluster or FALLBACK_NETWORKS[-1].cluster, service or FALLBACK_NETWORKS[-1].service)


def network_flags(networks: Optional[K3sNetworks]) -> str:
    """Flags only where they differ from K3s's defaults, so existing servers keep their exact boot script."""
    if networks is None:
        return ""
    flags = ""
    if networks.cluster != K3S_DEFAULT_NETWORKS.cluster:
        flags += f" --cluster-cidr {sh_quote(networks.cluster)}"
    if networks.service != K3S_DEFAULT_NETWORKS.service:
        flags += f" --service-cidr {sh_quote(networks.service)}"
    return flags


@dataclass(frozen=True)
class ClusterFacts:
    """Values known only once AWS has created the resources; the boot scripts receive them as text."""

    region: str
    log_group: str
    token_parameter: str
    database: DatabaseEndpoint
    bucket: str
    cache: Optional[CacheEndpoint] = None  # the stack has no cache


def render_sync_secrets(app: App, facts: ClusterFacts) -> str:
    """Creates or updates each service's Secret; restarts a Deployment only when its Secret changed.

    Each value is written to its own file and the Secret is made from that directory (--from-file), so a value
    arrives byte for byte: an env file (--from-env-file) would split a value at a newline into further keys."""
    kubectl = f"{K3S} kubectl"
    lines = [
        "#!/bin/bash",
        "set -euo pipefail",
        "umask 077",
        "work=$(mktemp -d)",
        "trap 'rm -rf \"$work\"' EXIT",
        f"until {kubectl} get namespace {NAMESPACE} >/dev/null 2>&1; do sleep 5; done",
        *database_url_lines(facts.region, facts.database),
    ]
    if facts.cache:
        lines += cache_url_lines(facts.region, facts.cache)
    urls = [("DATABASE_URL", "database_url")] + ([("REDIS_URL", "redis_url")] if facts.cache else [])
    for svc in app.services:
        lines += [
            *secret_files_lines(facts.region, urls, sorted(svc.secrets.items()), svc.name),
            f"if {kubectl} -n {NAMESPACE} create secret generic {shlex.quote(secret_name(svc))} "
            f"--from-file=\"$work\"/{shlex.quote(svc.name)} --dry-run=client -o yaml | {kubectl} apply -f - "
            f"| grep -q configured; then "
            f"{kubectl} -n {NAMESPACE} rollout restart {shlex.quote(f'deployment/{svc.name}')}; fi",
        ]
    return "\n".join(lines) + "\n"


def _node_preamble(facts: ClusterFacts) -> str:
    return (
        "#!/bin/bash\nset -euxo pipefail\n"
        "dnf install -y jq amazon-cloudwatch-agent\n"
        + install_cloudwatch_agent(cloudwatch_agent_config(facts.log_group, [CONTAINER_LOGS]))
    )


def render_server_user_data(app: App, facts: ClusterFacts, version: str,
                            networks: Optional[K3sNetworks] = None, check: bool = True) -> str:
    unit = ("[Unit]\nDescription=phasegate: sync app secrets into Kubernetes\nAfter=k3s.service\n\n"
            "[Service]\nType=oneshot\nExecStart=/usr/local/sbin/phasegate-sync-secrets\n\n"
            "[Install]\nWantedBy=multi-user.target\n")
    timer_path, timer = systemd_timer("phasegate-sync-secrets", "Refresh app secrets (RDS rotates passwords)", "15min")
    script = (
        _node_preamble(facts)
        + "token=$(openssl rand -hex 32)\n"
        + f"curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION={sh_quote(version)} K3S_TOKEN=\"$token\" sh -s - server "
          f"--write-kubeconfig-mode 600 --secrets-encryption{network_flags(networks)}\n"
        + f"aws ssm put-parameter --region {shlex.quote(facts.region)} --name {sh_quote(facts.token_parameter)} --type SecureString "
          "--overwrite --value \"$token\" >/dev/null\n"
        + "unset token\n"
        + write_file(MANIFEST_PATH, render_manifests(app, facts.region, facts.bucket), "0600")
        + write_file("/usr/local/sbin/phasegate-sync-secrets", render_sync_secrets(app, facts), "0700")
        + write_file("/etc/systemd/system/phasegate-sync-secrets.service", unit)
        + write_file(timer_path, timer)
        + "systemctl daemon-reload\nsystemctl enable --now phasegate-sync-secrets.service phasegate-sync-secrets.timer\n"
    )
    return check_size(script, "K3s server") if check else script


def render_agent_user_data(facts: ClusterFacts, server_ip: str, version: str, check: bool = True) -> str:
    server_ip = ip_address(server_ip)
    get_token = (f"aws ssm get-parameter --region {shlex.quote(facts.region)} --name {sh_quote(facts.token_parameter)} --with-decryption "
                 "--query Parameter.Value --output text")
    script = (
        _node_preamble(facts)
        + "# The server publishes the join token once K3s is up; until then, wait and retry.\n"
        + f"until token=$({get_token}) && [ \"$token\" != '{TOKEN_PLACEHOLDER}' ]; do sleep 10; done\n"
        + f"until curl -ksf --max-time 5 https://{server_ip}:6443/ping >/dev/null; do sleep 10; done\n"
        + f"curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION={sh_quote(version)} K3S_URL={sh_quote(f'https://{server_ip}:6443')} "
          "K3S_TOKEN=\"$token\" sh -s - agent\n"
        + "unset token\n"
    )
    return check_size(script, "K3s agent") if check else script
