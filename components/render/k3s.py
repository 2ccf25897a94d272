"""The K3s nodes' boot scripts: install K3s, hand the agent join token over, apply the app's manifests, sync secrets.

Agents join with an agent token, never the server token: "any user with access to the server token essentially
has full administrator access to the cluster", while the agent token "can be used to join new agents to the
cluster, but not servers" (https://docs.k3s.io/cli/token). The server generates it at first boot
(K3S_AGENT_TOKEN, https://docs.k3s.io/cli/server) and publishes the secure form K3s writes to
/var/lib/rancher/k3s/server/agent-token (it carries the cluster CA's hash, so an agent checks the server before
sending credentials) to an SSM SecureString only the agents' role can read; agents pass it as K3S_TOKEN, the only
token `k3s agent` reads (https://docs.k3s.io/cli/agent). Pulumi only ever sees a placeholder. Tokens travel in
environment variables and files, never in a command line (ps) or a traced command (no xtrace).
The server node fills each service's Kubernetes Secret from Secrets Manager with its instance role, and refreshes
it (RDS rotates passwords).
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass
from typing import Optional

import yaml

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

MANIFEST_DIR = "/var/lib/rancher/k3s/server/manifests"  # K3s applies this directory itself
MANIFEST_PATH = f"{MANIFEST_DIR}/phasegate-app.yaml"
TRAEFIK_CONFIG_PATH = f"{MANIFEST_DIR}/phasegate-traefik-config.yaml"
AGENT_TOKEN_FILE = "/var/lib/rancher/k3s/server/agent-token"  # the secure form (K10<CA hash>::node:<secret>)
SYNC_SERVICE = "phasegate-sync-secrets"  # re-reads the app's secrets; the rotation rule starts it
SYNC_EVERY = "15min"  # fallback when the rotation event is late or lost
K3S = "/usr/local/bin/k3s"
INGRESS_PORT = 80  # Traefik, exposed on every node by K3s's ServiceLB
TOKEN_PLACEHOLDER = "set-at-first-boot-by-the-k3s-server"
CONTAINER_LOGS = "/var/log/containers/*.log"


@dataclass(frozen=True)
class K3sNetworks:
    """K3s's pod (--cluster-cidr) and service (--service-cidr) networks, and the VPC's range they are clear of."""

    cluster: str
    service: str
    vpc: Optional[str] = None  # Traefik trusts X-Forwarded-* from it (the load balancer) and from the pods


# K3s's own defaults, then ranges to fall back to when a VPC overlaps them.
K3S_DEFAULT_NETWORKS = K3sNetworks("10.42.0.0/16", "10.43.0.0/16")
FALLBACK_NETWORKS = (K3S_DEFAULT_NETWORKS, K3sNetworks("172.30.0.0/16", "172.31.0.0/16"),
                     K3sNetworks("192.168.0.0/17", "192.168.128.0/17"))


def k3s_networks(vpc_cidr: str, cluster: Optional[str] = None, service: Optional[str] = None) -> K3sNetworks:
    """The networks to run K3s with: those the stack file sets, else the first pair clear of the VPC."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    for candidate in FALLBACK_NETWORKS:
        pick = K3sNetworks(cluster or candidate.cluster, service or candidate.service, vpc_cidr)
        if not any(ipaddress.IPv4Network(net).overlaps(vpc) for net in (pick.cluster, pick.service)):
            return pick
    return K3sNetworks(cluster or FALLBACK_NETWORKS[-1].cluster, service or FALLBACK_NETWORKS[-1].service, vpc_cidr)


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


def render_traefik_config(networks: Optional[K3sNetworks]) -> str:
    """A HelmChartConfig for the Traefik chart K3s ships (https://docs.k3s.io/networking/networking-services,
    https://docs.k3s.io/helm#customizing-packaged-components-with-helmchartconfig): the `web` entrypoint, which the
    load balancer forwards to, keeps X-Forwarded-For/-Proto from the VPC (the ALB) and the pod network.

    Traefik drops X-Forwarded-* from any address not in forwardedHeaders.trustedIPs (https://doc.traefik.io/traefik/
    routing/entrypoints/#forwarded-headers), and ServiceLB (klipper-lb) masquerades, so Traefik sees a pod or node
    address, not the ALB's: without both ranges the app would see http and a cluster address. The chart's value is
    ports.<entrypoint>.forwardedHeaders.trustedIPs (traefik/traefik-helm-chart values.yaml, chart v27 shipped with
    K3s 1.31 and later ones alike); the ALB speaks plain HTTP with X-Forwarded-For, so no proxyProtocol."""
    networks = networks or K3S_DEFAULT_NETWORKS
    trusted = [str(ipaddress.IPv4Network(net)) for net in (networks.vpc, networks.cluster) if net]
    values = {"ports": {"web": {"forwardedHeaders": {"trustedIPs": trusted}}}}
    return yaml.safe_dump({
        "apiVersion": "helm.cattle.io/v1", "kind": "HelmChartConfig",
        "metadata": {"name": "traefik", "namespace": "kube-system"},
        "spec": {"valuesContent": yaml.safe_dump(values, sort_keys=False)},
    }, sort_keys=False)


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
        "#!/bin/bash\n"
        "# No xtrace (-x): cloud-init copies this script's output to /var/log/cloud-init-output.log and the console\n"
        "# (https://docs.cloud-init.io/en/latest/reference/user_files.html), and a trace would print the join token.\n"
        "set -euo pipefail\n"
        "dnf install -y jq amazon-cloudwatch-agent\n"
        + install_cloudwatch_agent(cloudwatch_agent_config(facts.log_group, [CONTAINER_LOGS]))
    )


def render_server_user_data(app: App, facts: ClusterFacts, version: str,
                            networks: Optional[K3sNetworks] = None, check: bool = True) -> str:
    unit = ("[Unit]\nDescription=phasegate: sync app secrets into Kubernetes\nAfter=k3s.service\n\n"
            f"[Service]\nType=oneshot\nExecStart=/usr/local/sbin/{SYNC_SERVICE}\n\n"
            "[Install]\nWantedBy=multi-user.target\n")
    timer_path, timer = systemd_timer(SYNC_SERVICE, "Refresh app secrets (fallback to the rotation event)", SYNC_EVERY)
    script = (
        _node_preamble(facts)
        # Before K3s starts, so Traefik is installed with it rather than redeployed.
        + write_file(TRAEFIK_CONFIG_PATH, render_traefik_config(networks), "0600")
        # The agent token only; K3s makes the server token itself and it never leaves this host.
        + "agent_token=$(openssl rand -hex 32)\n"
        + f"curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION={sh_quote(version)} K3S_AGENT_TOKEN=\"$agent_token\" "
          f"sh -s - server --write-kubeconfig-mode 600 --secrets-encryption{network_flags(networks)}\n"
        + "unset agent_token\n"
        + f"until [ -s {AGENT_TOKEN_FILE} ]; do sleep 2; done\n"
        # file:// makes the CLI read the value from the file, so it is not in the command line
        # (https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-file.html).
        + f"aws ssm put-parameter --region {shlex.quote(facts.region)} --name {sh_quote(facts.token_parameter)} "
          f"--type SecureString --overwrite --value file://{AGENT_TOKEN_FILE} >/dev/null\n"
        + write_file(MANIFEST_PATH, render_manifests(app, facts.region, facts.bucket), "0600")
        + write_file(f"/usr/local/sbin/{SYNC_SERVICE}", render_sync_secrets(app, facts), "0700")
        + write_file(f"/etc/systemd/system/{SYNC_SERVICE}.service", unit)
        + write_file(timer_path, timer)
        + f"systemctl daemon-reload\nsystemctl enable --now {SYNC_SERVICE}.service {SYNC_SERVICE}.timer\n"
    )
    return check_size(script, "K3s server") if check else script


def render_agent_user_data(facts: ClusterFacts, server_ip: str, version: str, check: bool = True) -> str:
    """Waits for *this* server's agent token, then joins. The parameter may still hold a previous server's token (a
    rebuilt cluster) or the placeholder: the secure token names the CA it belongs to, K10<sha256 of the server's
    /cacerts>::... (https://docs.k3s.io/cli/token, "TLS Bootstrapping"), so the agent compares it with the CA its
    server serves, and joins only once they match (the server publishes its token once K3s is up)."""
    server_ip = ip_address(server_ip)
    get_token = (f"aws ssm get-parameter --region {shlex.quote(facts.region)} --name {sh_quote(facts.token_parameter)} --with-decryption "
                 "--query Parameter.Value --output text")
    script = (
        _node_preamble(facts)
        + "# The server's CA and its agent token, once both are there; until then, wait and retry.\n"
        + f"until ca_hash=$(curl -ksf --max-time 5 https://{server_ip}:6443/cacerts | sha256sum) "
          f"&& token=$({get_token}) "
          "&& [ \"${token#K10${ca_hash%% *}::}\" != \"$token\" ]; do sleep 10; done\n"
        + f"curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION={sh_quote(version)} K3S_URL={sh_quote(f'https://{server_ip}:6443')} "
          "K3S_TOKEN=\"$token\" sh -s - agent\n"  # the agent token: `k3s agent` reads it from K3S_TOKEN
        + "unset token\n"
    )
    return check_size(script, "K3s agent") if check else script
