"""Renders the phase-independent app spec into what the MVP host runs: a Compose file, a Caddyfile, a boot script.

Pure functions of config and a few resolved values (addresses, ARNs): no resources, easy to test as text.
Secrets are never rendered: the boot script fetches them from Secrets Manager with the instance role.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Optional

import yaml

from ..config.models import App
from ..endpoints import CacheEndpoint, DatabaseEndpoint
from .boot_scripts import (
    ENV_LINE_FUNCTION,
    USER_DATA_LIMIT,
    cache_url_lines,
    check_size,
    cloudwatch_agent_config,
    database_url_lines,
    env_file_lines,
    install_cloudwatch_agent,
    systemd_timer,
    write_file,
)

__all__ = ["USER_DATA_LIMIT", "HostFacts", "render_caddyfile", "render_compose", "render_fetch_secrets",
           "render_user_data"]

COMPOSE_VERSION = "v2.29.7"
CADDY_IMAGE = "caddy:2.8"
APP_DIR = "/opt/phasegate"
REFRESH_SERVICE = "phasegate-secrets"  # refreshes the env files and applies them; the rotation rule starts it
REFRESH_EVERY = "15min"  # fallback when the rotation event is late or lost


@dataclass(frozen=True)
class HostFacts:
    """Values known only once AWS has created the resources; the boot script receives them as text."""

    region: str
    log_group: str
    database: DatabaseEndpoint
    bucket: str
    cache: Optional[CacheEndpoint] = None  # the stack has no cache


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
            # Compose interpolates ${...} in values; $$ is a literal $, so values reach the app as written.
            "environment": {name: value.replace("$", "$$") for name, value in {
                **svc.environment, "PORT": str(svc.port), "AWS_REGION": facts.region, "ASSETS_BUCKET": facts.bucket,
            }.items()},
            # Written at boot by fetch-secrets.sh (mode 0600): DATABASE_URL (REDIS_URL) and the service's own secrets.
            "env_file": [f"secrets/{svc.name}.env"],
            "deploy": {"resources": {"limits": {"cpus": str(svc.cpu), "memory": f"{svc.memory_mb}M"}}},
            "logging": logging(svc.name),
        }
    return yaml.safe_dump({"services": services, "volumes": {"caddy_data": {}}}, sort_keys=False)


# A Caddyfile token that needs no quoting: no blank, quote, brace, `#` or `$` (no placeholder, comment or block).
_CADDY_TOKEN = re.compile(r"[A-Za-z0-9._~%/:@+=&?*-]+")


def _caddy(token: str) -> str:
    """The stack file validates domains, names and paths to this shape; refuse anything else rather than write it."""
    if not _CADDY_TOKEN.fullmatch(token):
        raise ValueError(f"{token!r} cannot be written into a Caddyfile as one token")
    return token


def render_caddyfile(app: App) -> str:
    """Caddy gets and renews a certificate by itself when a domain is set; otherwise it serves plain HTTP."""
    site = _caddy(app.domain or ":80")
    blocks = []
    # Caddy orders `handle` blocks by path specificity, so "/" (no matcher) is the fallback.
    for svc in sorted((s for s in app.services if s.public), key=lambda s: -len(s.path_prefix)):
        matcher = "" if svc.path_prefix == "/" else f" {_caddy(svc.path_prefix.rstrip('/') + '*')}"
        # Caddy answers 413 once a body grows past max_size (go-humanize units: MiB as the config's maxBodyMb says):
        # https://caddyserver.com/docs/caddyfile/directives/request_body
        limit = (f"\t\trequest_body {{\n\t\t\tmax_size {int(svc.max_body_mb)}MiB\n\t\t}}\n"
                 if svc.max_body_mb is not None else "")
        blocks.append(
            f"\thandle{matcher} {{\n"
            f"{limit}"
            f"\t\treverse_proxy {_caddy(f'{svc.name}:{int(svc.port)}')} {{\n"
            f"\t\t\thealth_uri {_caddy(svc.health_check_path)}\n"
            f"\t\t}}\n"
            f"\t}}\n"
        )
    return f"{site} {{\n\tencode gzip\n" + "".join(blocks) + "}\n"


def render_fetch_secrets(app: App, facts: HostFacts) -> str:
    lines = [
        "#!/bin/bash",
        "# Fetches secrets with the instance role; nothing secret is in user data or Pulumi state.",
        "set -euo pipefail",
        "umask 077",
        f"cd {APP_DIR}",
        "mkdir -p secrets",
        "# env_line NAME writes NAME=\"<stdin>\", with \\ \" $ and line breaks escaped as Compose reads env files.",
        ENV_LINE_FUNCTION,
        *database_url_lines(facts.region, facts.database),
        *(cache_url_lines(facts.region, facts.cache) if facts.cache else []),
    ]
    urls = [("DATABASE_URL", "database_url")] + ([("REDIS_URL", "redis_url")] if facts.cache else [])
    for svc in app.services:
        target = f"secrets/{svc.name}.env"
        lines += env_file_lines(facts.region, urls, sorted(svc.secrets.items()), f"{target}.tmp")
        lines.append(f"mv {shlex.quote(target + '.tmp')} {shlex.quote(target)}")
    return "\n".join(lines) + "\n"


def render_user_data(app: App, facts: HostFacts, check: bool = True) -> str:
    """The first-boot script: Docker + Compose, the CloudWatch agent, the app files and systemd units."""
    unit = (
        "[Unit]\nDescription=phasegate app (Docker Compose)\nAfter=docker.service network-online.target\n"
        "Requires=docker.service\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"
        f"WorkingDirectory={APP_DIR}\nExecStartPre={APP_DIR}/fetch-secrets.sh\n"
        "ExecStart=/usr/bin/docker compose up -d --remove-orphans\nExecStop=/usr/bin/docker compose down\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )
    # RDS rotates its managed password: the rotation's EventBridge rule starts this service at once (SSM Run
    # Command, runtimes/compose.py); the timer is the fallback, as CloudTrail-derived events are best effort.
    # Compose recreates only the services whose env files changed.
    refresh = (
        "[Unit]\nDescription=phasegate: refresh secrets and apply them\nRequires=docker.service\n"
        "After=docker.service\n\n"
        f"[Service]\nType=oneshot\nWorkingDirectory={APP_DIR}\nExecStart={APP_DIR}/fetch-secrets.sh\n"
        "ExecStart=/usr/bin/docker compose up -d --remove-orphans\n"
    )
    timer_path, timer = systemd_timer(REFRESH_SERVICE, "Secret refresh (fallback to the rotation event)",
                                      REFRESH_EVERY)
    script = (
        "#!/bin/bash\n"
        "# phasegate compose host bootstrap (runs once, at first boot).\n"
        "# No xtrace (-x): cloud-init copies this script's output to /var/log/cloud-init-output.log and the console.\n"
        "set -euo pipefail\n"
        "dnf install -y docker jq amazon-cloudwatch-agent\n"
        "systemctl enable --now docker\n"
        "arch=$(uname -m)\n"
        "mkdir -p /usr/libexec/docker/cli-plugins\n"
        f"curl -fsSL -o /usr/libexec/docker/cli-plugins/docker-compose "
        f"https://github.com/docker/compose/releases/download/{COMPOSE_VERSION}/docker-compose-linux-$arch\n"
        "chmod 0755 /usr/libexec/docker/cli-plugins/docker-compose\n"
        + install_cloudwatch_agent(cloudwatch_agent_config())
        + write_file(f"{APP_DIR}/compose.yaml", render_compose(app, facts))
        + write_file(f"{APP_DIR}/Caddyfile", render_caddyfile(app))
        + write_file(f"{APP_DIR}/fetch-secrets.sh", render_fetch_secrets(app, facts), "0700")
        + write_file("/etc/systemd/system/phasegate-app.service", unit)
        + write_file(f"/etc/systemd/system/{REFRESH_SERVICE}.service", refresh)
        + write_file(timer_path, timer)
        + f"systemctl daemon-reload\nsystemctl enable --now phasegate-app.service {REFRESH_SERVICE}.timer\n"
    )
    return check_size(script, "compose host") if check else script
