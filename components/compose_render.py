"""Renders the phase-independent app spec into what the MVP host runs: a Compose file, a Caddyfile, a boot script.

Pure functions of config and a few resolved values (addresses, ARNs): no resources, easy to test as text.
Secrets are never rendered: the boot script fetches them from Secrets Manager with the instance role.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
import yaml

from .config.models import App

USER_DATA_LIMIT = 16 * 1024  # EC2 rejects larger user data
COMPOSE_VERSION = "v2.29.7"
CADDY_IMAGE = "caddy:2.8"
APP_DIR = "/opt/phasegate"


@dataclass(frozen=True)
class HostFacts:
    """Values known only once AWS has created the resources; the boot script receives them as text."""

    region: str
    log_group: str
    db_address: str
    db_port: int
    db_name: str
    db_secret_arn: str
    bucket: str


def render_compose(app: App, facts: HostFacts) -> str:
    def logging(stream: str) -> dict:
        return {"driver": "awslogs", "options": {
            "awslogs-region": facts.region, "awslogs-group": facts.log_group, "awslogs-stream": stream}}

    services: dict[str, dict] = {
        "proxy": {
            "image": CADDY_IMAGE, "restart": "unless-stopped",
            "ports": ["80:80", "443:443"],
            "volumes": ["./Caddyfile:/etc/caddy/Caddyfile:ro", "caddy_data:/data"],
            "depends_on": [s.name for s in app.services if s.public],
            "logging": logging("proxy"),
        }
    }
    for svc in app.services:
        services[svc.name] = {
            "image": svc.image,
            "restart": "unless-stopped",
            "expose": [str(svc.port)],
            "environment": {
                **svc.environment, "PORT": str(svc.port), "AWS_REGION": facts.region, "ASSETS_BUCKET": facts.bucket,
            },
            # Written at boot by fetch-secrets.sh (mode 0600): DATABASE_URL and the service's own secrets.
            "env_file": [f"secrets/{svc.name}.env"],
            "deploy": {"resources": {"limits": {"cpus": str(svc.cpu), "memory": f"{svc.memory_mb}M"}}},
            "logging": logging(svc.name),
        }
    return yaml.safe_dump({"services": services, "volumes": {"caddy_data": {}}}, sort_keys=False)


def render_caddyfile(app: App) -> str:
    """Caddy gets and renews a certificate by itself when a domain is set; otherwise it serves plain HTTP."""
    site = app.domain or ":80"
    blocks = []
    # Caddy orders `handle` blocks by path specificity, so "/" (no matcher) is the fallback.
    for svc in sorted((s for s in app.services if s.public), key=lambda s: -len(s.path_prefix)):
        matcher = "" if svc.path_prefix == "/" else f" {svc.path_prefix.rstrip('/')}*"
        blocks.append(
            f"\thandle{matcher} {{\n"
            f"\t\treverse_proxy {svc.name}:{svc.port} {{\n"
            f"\t\t\thealth_uri {svc.health_check_path}\n"
            f"\t\t}}\n"
            f"\t}}\n"
        )
    return f"{site} {{\n\tencode gzip\n" + "".join(blocks) + "}\n"


def cloudwatch_agent_config() -> str:
    """Memory and root-disk metrics per instance: the two alarms EC2's own metrics cannot give."""
    return json.dumps({
        "agent": {"metrics_collection_interval": 60},
        "metrics": {
            "namespace": "CWAgent",
            "append_dimensions": {"InstanceId": "${aws:InstanceId}"},
            "aggregation_dimensions": [["InstanceId"]],
            "metrics_collected": {
                "mem": {"measurement": ["mem_used_percent"]},
                "disk": {"measurement": ["used_percent"], "resources": ["/"]},
            },
        },
    }, indent=1)


def render_fetch_secrets(app: App, facts: HostFacts) -> str:
    lines = [
        "#!/bin/bash",
        "# Fetches secrets with the instance role at every start; nothing secret is in user data or Pulumi state.",
        "set -euo pipefail",
        "umask 077",
        f"cd {APP_DIR}",
        "mkdir -p secrets",
        f"db=$(aws secretsmanager get-secret-value --region {facts.region} --secret-id '{facts.db_secret_arn}'"
        " --query SecretString --output text)",
        "user=$(jq -r .username <<<\"$db\")",
        "pass=$(jq -rn --arg p \"$(jq -r .password <<<\"$db\")\" '$p|@uri')",
        f"url=\"postgresql://$user:$pass@{facts.db_address}:{facts.db_port}/{facts.db_name}?sslmode=require\"",
    ]
    for svc in app.services:
        target = f"secrets/{svc.name}.env"
        lines.append(f"echo \"DATABASE_URL=$url\" > {target}.tmp")
        for env_name, secret_name in sorted(svc.secrets.items()):
            lines.append(
                f"echo \"{env_name}=$(aws secretsmanager get-secret-value --region {facts.region} "
                f"--secret-id '{secret_name}' --query SecretString --output text)\" >> {target}.tmp"
            )
        lines.append(f"mv {target}.tmp {target}")
    return "\n".join(lines) + "\n"


def _write(path: str, content: str, mode: str = "0644") -> str:
    encoded = base64.b64encode(content.encode()).decode()
    return f"echo '{encoded}' | base64 -d > {path}\nchmod {mode} {path}\n"


def render_user_data(app: App, facts: HostFacts) -> str:
    """The first-boot script: Docker + Compose, the CloudWatch agent, the app files and a systemd unit."""
    unit = (
        "[Unit]\nDescription=phasegate app (Docker Compose)\nAfter=docker.service network-online.target\n"
        "Requires=docker.service\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
        f"WorkingDirectory={APP_DIR}\nExecStartPre={APP_DIR}/fetch-secrets.sh\n"
        "ExecStart=/usr/bin/docker compose up -d --remove-orphans\nExecStop=/usr/bin/docker compose down\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )
    script = (
        "#!/bin/bash\n"
        "# phasegate compose host bootstrap (runs once, at first boot).\n"
        "set -euxo pipefail\n"
        "dnf install -y docker jq amazon-cloudwatch-agent\n"
        "systemctl enable --now docker\n"
        "arch=$(uname -m)\n"
        "mkdir -p /usr/libexec/docker/cli-plugins\n"
        f"curl -fsSL -o /usr/libexec/docker/cli-plugins/docker-compose "
        f"https://github.com/docker/compose/releases/download/{COMPOSE_VERSION}/docker-compose-linux-$arch\n"
        "chmod 0755 /usr/libexec/docker/cli-plugins/docker-compose\n"
        f"mkdir -p {APP_DIR}\n"
        + _write("/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json", cloudwatch_agent_config())
        + "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s "
          "-c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json\n"
        + _write(f"{APP_DIR}/compose.yaml", render_compose(app, facts))
        + _write(f"{APP_DIR}/Caddyfile", render_caddyfile(app))
        + _write(f"{APP_DIR}/fetch-secrets.sh", render_fetch_secrets(app, facts), "0700")
        + _write("/etc/systemd/system/phasegate-app.service", unit)
        + "systemctl daemon-reload\nsystemctl enable --now phasegate-app.service\n"
    )
    if len(script.encode()) > USER_DATA_LIMIT:
        raise ValueError(
            f"the compose host's user data is {len(script.encode())} bytes, over EC2's {USER_DATA_LIMIT}-byte limit; "
            "reduce the number of services or their environment"
        )
    return script
