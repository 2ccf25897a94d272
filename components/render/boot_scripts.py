"""Bash fragments shared by every host's first-boot script: writing files, the CloudWatch agent, secrets.

Secrets are fetched on the host with its instance role, at start and on a timer (RDS rotates its managed
password every 7 days), so no secret value is ever in user data, a manifest or Pulumi state.
"""

from __future__ import annotations

import base64
import json
from typing import Optional, Sequence

from ..endpoints import CacheEndpoint, DatabaseEndpoint

USER_DATA_LIMIT = 16 * 1024  # EC2 rejects larger user data (measured before base64)


def sh_quote(value: str) -> str:
    """POSIX single-quoting, always (unlike shlex.quote, which leaves safe words bare): a value from a stack file
    is one word whatever it holds, and scripts of existing hosts keep their exact text (no surprise replacement)."""
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


def write_file(path: str, content: str, mode: str = "0644") -> str:
    encoded = base64.b64encode(content.encode()).decode()
    return f"mkdir -p $(dirname {path})\necho '{encoded}' | base64 -d > {path}\nchmod {mode} {path}\n"


def cloudwatch_agent_config(log_group: Optional[str] = None, log_files: Sequence[str] = ()) -> str:
    """Memory and root-disk metrics per instance (EC2 has neither), and optionally log files to a group."""
    config: dict = {
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
    }
    if log_group and log_files:
        config["logs"] = {"logs_collected": {"files": {"collect_list": [
            {"file_path": path, "log_group_name": log_group, "log_stream_name": "{instance_id}"} for path in log_files
        ]}}}
    return json.dumps(config, indent=1)


def install_cloudwatch_agent(config: str) -> str:
    path = "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"
    return (write_file(path, config)
            + f"/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:{path}\n")


def _get_secret(region: str, secret_id: str) -> str:
    return (f"aws secretsmanager get-secret-value --region {region} --secret-id {sh_quote(secret_id)} "
            f"--query SecretString --output text")


def database_url_lines(region: str, database: DatabaseEndpoint) -> list[str]:
    """Sets $database_url from the RDS-managed secret (username/password JSON), TLS required."""
    return [
        f"db=$({_get_secret(region, database.secret_arn)})",
        "user=$(jq -r .username <<<\"$db\")",
        "pass=$(jq -rn --arg p \"$(jq -r .password <<<\"$db\")\" '$p|@uri')",
        f"database_url=\"postgresql://$user:$pass@{database.address}:{int(database.port)}/{database.db_name}"
        f"?sslmode=require\"",
    ]


def cache_url_lines(region: str, cache: CacheEndpoint) -> list[str]:
    """Sets $redis_url from the cache's AUTH token secret; rediss:// because transit encryption is on."""
    return [
        f"cache_token=$({_get_secret(region, cache.secret_arn)})",
        f"redis_url=\"rediss://:$(jq -rn --arg p \"$cache_token\" '$p|@uri')@{cache.address}:{int(cache.port)}\"",
    ]


def app_secret_line(region: str, env_name: str, secret_name: str, target: str) -> str:
    return f"echo \"{env_name}=$({_get_secret(region, secret_name)})\" >> {target}"


def systemd_timer(name: str, description: str, every: str) -> tuple[str, str]:
    """A timer re-running `name`.service, e.g. to pick up a rotated password."""
    timer = (f"[Unit]\nDescription={description}\n\n[Timer]\nOnBootSec={every}\nOnUnitActiveSec={every}\n\n"
             f"[Install]\nWantedBy=timers.target\n")
    return f"/etc/systemd/system/{name}.timer", timer


def check_size(script: str, what: str) -> str:
    size = len(script.encode())
    if size > USER_DATA_LIMIT:
        raise ValueError(f"the {what}'s user data is {size} bytes, over EC2's {USER_DATA_LIMIT}-byte limit; "
                         "reduce the number of services or their environment")
    return script
