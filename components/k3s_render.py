"""Renders the app spec for Kubernetes (Deployments, Services, one Ingress) and the K3s nodes' boot scripts.

Manifests never contain a secret: each Deployment takes its credentials from a Kubernetes Secret that the
server node creates from Secrets Manager with its instance role (and refreshes, as RDS rotates passwords).
The cluster join token is generated on the server at first boot and published to an SSM SecureString that
only the agents' role can read; Pulumi only ever sees a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from .boot_scripts import (
    app_secret_line,
    cache_url_lines,
    check_size,
    cloudwatch_agent_config,
    database_url_lines,
    install_cloudwatch_agent,
    systemd_timer,
    write_file,
)
from .config.models import App, Service

NAMESPACE = "phasegate"
MANIFEST_PATH = "/var/lib/rancher/k3s/server/manifests/phasegate-app.yaml"  # K3s applies this directory itself
INGRESS_PORT = 80  # Traefik, exposed on every node by K3s's ServiceLB
TOKEN_PLACEHOLDER = "set-at-first-boot-by-the-k3s-server"
CONTAINER_LOGS = "/var/log/containers/*.log"


def secret_name(service: Service) -> str:
    return f"{service.name}-secrets"


def _labels(app: App, service: Service) -> dict[str, str]:
    return {"app.kubernetes.io/name": service.name, "app.kubernetes.io/part-of": app.name}


def _deployment(app: App, svc: Service, region: str, bucket: str) -> dict:
    env = {**svc.environment, "PORT": str(svc.port), "AWS_REGION": region, "ASSETS_BUCKET": bucket}
    probe = {"httpGet": {"path": svc.health_check_path, "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 3,
             "failureThreshold": 3}
    memory = f"{svc.memory_mb}Mi"
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": svc.name, "namespace": NAMESPACE, "labels": _labels(app, svc)},
        "spec": {
            "replicas": svc.replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": svc.name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": _labels(app, svc)},
                "spec": {
                    "containers": [{
                        "name": svc.name, "image": svc.image,
                        "ports": [{"name": "http", "containerPort": svc.port}],
                        "env": [{"name": k, "value": v} for k, v in sorted(env.items())],
                        "envFrom": [{"secretRef": {"name": secret_name(svc)}}],
                        "resources": {"requests": {"cpu": f"{int(svc.cpu * 1000)}m", "memory": memory},
                                      "limits": {"memory": memory}},
                        "readinessProbe": probe,
                        "livenessProbe": {**probe, "initialDelaySeconds": 15, "periodSeconds": 20},
                        "securityContext": {"allowPrivilegeEscalation": False},
                    }],
                    # Spread copies across nodes so losing one node does not take a service down.
                    "topologySpreadConstraints": [{
                        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": svc.name}}}],
                },
            },
        },
    }


def _service(app: App, svc: Service) -> dict:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": svc.name, "namespace": NAMESPACE, "labels": _labels(app, svc)},
        "spec": {"selector": {"app.kubernetes.io/name": svc.name},
                 "ports": [{"name": "http", "port": svc.port, "targetPort": "http"}]},
    }


def _ingress(app: App) -> dict:
    # No host rule: the load balancer only forwards the app's own traffic, and its health checks (which
    # carry the node's address as Host) must reach the app too.
    paths = [
        {"path": svc.path_prefix, "pathType": "Prefix",
         "backend": {"service": {"name": svc.name, "port": {"number": svc.port}}}}
        for svc in sorted((s for s in app.services if s.public), key=lambda s: -len(s.path_prefix))
    ]
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": app.name, "namespace": NAMESPACE},
        "spec": {"ingressClassName": "traefik", "rules": [{"http": {"paths": paths}}]},
    }


def render_manifests(app: App, region: str, bucket: str) -> str:
    documents = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}]
    for svc in app.services:
        documents += [_deployment(app, svc, region, bucket), _service(app, svc)]
    documents.append(_ingress(app))
    return yaml.safe_dump_all(documents, sort_keys=False)


@dataclass(frozen=True)
class ClusterFacts:
    region: str
    log_group: str
    token_parameter: str
    db_address: str
    db_port: int
    db_name: str
    db_secret_arn: str
    bucket: str
    cache_address: str = ""  # empty when the stack has no cache
    cache_port: int = 0
    cache_secret_arn: str = ""


def render_sync_secrets(app: App, facts: ClusterFacts) -> str:
    """Creates or updates each service's Secret; restarts a Deployment only when its Secret changed."""
    kubectl = "/usr/local/bin/k3s kubectl"
    lines = [
        "#!/bin/bash",
        "set -euo pipefail",
        "umask 077",
        "work=$(mktemp -d)",
        "trap 'rm -rf \"$work\"' EXIT",
        f"until {kubectl} get namespace {NAMESPACE} >/dev/null 2>&1; do sleep 5; done",
        *database_url_lines(facts.region, facts.db_secret_arn, facts.db_address, facts.db_port, facts.db_name),
    ]
    if facts.cache_secret_arn:
        lines += cache_url_lines(facts.region, facts.cache_secret_arn, facts.cache_address, facts.cache_port)
    for svc in app.services:
        env_file = f"$work/{svc.name}.env"
        lines += [
            f"printf 'DATABASE_URL=%s\\n' \"$database_url\" > {env_file}",
            *([f"printf 'REDIS_URL=%s\\n' \"$redis_url\" >> {env_file}"] if facts.cache_secret_arn else []),
            *[app_secret_line(facts.region, env, secret, env_file) for env, secret in sorted(svc.secrets.items())],
            f"if {kubectl} -n {NAMESPACE} create secret generic {secret_name(svc)} --from-env-file={env_file} "
            f"--dry-run=client -o yaml | {kubectl} apply -f - | grep -q configured; then "
            f"{kubectl} -n {NAMESPACE} rollout restart deployment/{svc.name}; fi",
        ]
    return "\n".join(lines) + "\n"


def _node_preamble(facts: ClusterFacts) -> str:
    return (
        "#!/bin/bash\nset -euxo pipefail\n"
        "dnf install -y jq amazon-cloudwatch-agent\n"
        + install_cloudwatch_agent(cloudwatch_agent_config(facts.log_group, [CONTAINER_LOGS]))
    )


def render_server_user_data(app: App, facts: ClusterFacts, version: str) -> str:
    unit = ("[Unit]\nDescription=phasegate: sync app secrets into Kubernetes\nAfter=k3s.service\n\n"
            "[Service]\nType=oneshot\nExecStart=/usr/local/sbin/phasegate-sync-secrets\n\n"
            "[Install]\nWantedBy=multi-user.target\n")
    timer_path, timer = systemd_timer("phasegate-sync-secrets", "Refresh app secrets (RDS rotates passwords)", "15min")
    script = (
        _node_preamble(facts)
        + "token=$(openssl rand -hex 32)\n"
        + f"curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION='{version}' K3S_TOKEN=\"$token\" sh -s - server "
          "--write-kubeconfig-mode 600 --secrets-encryption\n"
        + f"aws ssm put-parameter --region {facts.region} --name '{facts.token_parameter}' --type SecureString "
          "--overwrite --value \"$token\" >/dev/null\n"
        + "unset token\n"
        + write_file(MANIFEST_PATH, render_manifests(app, facts.region, facts.bucket), "0600")
        + write_file("/usr/local/sbin/phasegate-sync-secrets", render_sync_secrets(app, facts), "0700")
        + write_file("/etc/systemd/system/phasegate-sync-secrets.service", unit)
        + write_file(timer_path, timer)
        + "systemctl daemon-reload\nsystemctl enable --now phasegate-sync-secrets.service phasegate-sync-secrets.timer\n"
    )
    return check_size(script, "K3s server")


def render_agent_user_data(facts: ClusterFacts, server_ip: str, version: str) -> str:
    get_token = (f"aws ssm get-parameter --region {facts.region} --name '{facts.token_parameter}' --with-decryption "
                 "--query Parameter.Value --output text")
    script = (
        _node_preamble(facts)
        + "# The server publishes the join token once K3s is up; until then, wait and retry.\n"
        + f"until token=$({get_token}) && [ \"$token\" != '{TOKEN_PLACEHOLDER}' ]; do sleep 10; done\n"
        + f"until curl -ksf --max-time 5 https://{server_ip}:6443/ping >/dev/null; do sleep 10; done\n"
        + f"curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION='{version}' K3S_URL='https://{server_ip}:6443' "
          "K3S_TOKEN=\"$token\" sh -s - agent\n"
        + "unset token\n"
    )
    return check_size(script, "K3s agent")
