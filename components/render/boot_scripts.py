"""Bash fragments shared by every host's first-boot script: writing files, the CloudWatch agent, secrets.

Secrets are fetched on the host with its instance role, at start and on a timer (RDS rotates its managed
password every 7 days), so no secret value is ever in user data, a manifest or Pulumi state.

Nothing is pasted into a script as it is: a value known when rendering is quoted (`shlex.quote`, which leaves
a plain word such as a service name bare, or `sh_quote`), or strictly checked where it sits inside a quoted
word (`host_name`, `identifier`); a value fetched on the host (a secret) never passes through the shell's
parser: it is written with `printf '%s'` or by jq, byte for byte, and each fetch stops the script when it fails.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import shlex
from typing import Optional, Sequence

from ..endpoints import CacheEndpoint, DatabaseEndpoint

USER_DATA_LIMIT = 16 * 1024  # EC2 rejects larger user data (measured before base64)


def sh_quote(value: str) -> str:
    """POSIX single-quoting, always (unlike shlex.quote, which leaves safe words bare): a value from a stack file
    is one word whatever it holds, and scripts of existing hosts keep their exact text (no surprise replacement)."""
    return "'" + str(value).replace("'", "'\"'\"'") + "'"


def host_name(value: str) -> str:
    """A DNS name or IPv4 address from AWS (an endpoint), checked before it is put inside a quoted word."""
    if not (re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", value) or _ipv4(value)):
        raise ValueError(f"{value!r} is not a host name or IPv4 address")
    return value


def ip_address(value: str) -> str:
    if not _ipv4(value):
        raise ValueError(f"{value!r} is not an IPv4 address")
    return value


def _ipv4(value: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(value)) == value
    except ValueError:
        return False


def identifier(value: str) -> str:
    """A database name (validated in the stack file), checked again where it sits inside a quoted word."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", value):
        raise ValueError(f"{value!r} is not a database name")
    return value


def write_file(path: str, content: str, mode: str = "0644") -> str:
    """Writes `content` (any text: it travels base64-encoded) to `path`, one of this package's own paths."""
    if not re.fullmatch(r"(/[A-Za-z0-9._-]+)+", path) or not re.fullmatch(r"[0-7]{4}", mode):
        raise ValueError(f"{path!r} (mode {mode!r}) is not a plain absolute path and file mode")
    encoded = base64.b64encode(content.encode()).decode()
    target = shlex.quote(path)
    return f"mkdir -p $(dirname {target})\necho '{encoded}' | base64 -d > {target}\nchmod {mode} {target}\n"


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


def _get_secret(region: str, secret_id: str, output: str = "text") -> str:
    return (f"aws secretsmanager get-secret-value --region {shlex.quote(region)} --secret-id {sh_quote(secret_id)} "
            f"--query SecretString --output {output}")


def database_url_lines(region: str, database: DatabaseEndpoint) -> list[str]:
    """Sets $database_url from the RDS-managed secret (username/password JSON), TLS required.

    jq stops the script when a field is missing or not text (never "null" as a password: `strings` passes text
    only, and -e fails when nothing is left), and URL-encodes both."""
    return [
        f"db=$({_get_secret(region, database.secret_arn)})",
        "user=$(jq -er '.username | strings | @uri' <<<\"$db\")",
        "pass=$(jq -er '.password | strings | @uri' <<<\"$db\")",
        f"database_url=\"postgresql://$user:$pass@{host_name(database.address)}:{int(database.port)}/"
        f"{identifier(database.db_name)}?sslmode=require\"",
    ]


def cache_url_lines(region: str, cache: CacheEndpoint) -> list[str]:
    """Sets $redis_url from the cache's AUTH token secret; rediss:// because transit encryption is on."""
    return [
        f"cache_token=$({_get_secret(region, cache.secret_arn, 'json')})",
        "cache_pass=$(jq -er 'strings | @uri' <<<\"$cache_token\")",
        f"redis_url=\"rediss://:$cache_pass@{host_name(cache.address)}:{int(cache.port)}\"",
    ]


def secret_value(region: str, secret_name: str) -> str:
    """A pipeline printing the secret's exact text (JSON from the CLI, decoded by jq: no newline added or
    trimmed); with pipefail a failed fetch, or a secret without text, stops the script."""
    return f"{_get_secret(region, secret_name, 'json')} | jq -je ."


# Compose reads env files by its dotenv rules: unquoted values lose `#...` and trailing blanks and have ${...}
# expanded. Inside double quotes it turns \\ \" \n \r back into \ " newline CR, and $$ into $ (compose-go v2,
# which Compose v2.29 uses), so a value written this way arrives byte for byte, whatever it holds. jq reads
# the value raw from stdin: it is never a shell word.
ENV_LINE_FUNCTION = (
    r'''env_line() { jq -Rrs --arg name "$1" '"\($name)=\"" + (gsub("\\\\"; "\\\\") | gsub("\""; "\\\"") | gsub("\\$"; "$$") | gsub("\n"; "\\n") | gsub("\r"; "\\r")) + "\""'; }'''
)


def _variable(name: str) -> str:
    """A shell variable this module's own fragments set (database_url, redis_url), expanded inside quotes."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"{name!r} is not a shell variable name")
    return f"\"${name}\""


def env_file_lines(region: str, values: Sequence[tuple[str, str]], secrets: Sequence[tuple[str, str]],
                   target: str) -> list[str]:
    """Writes `target` as a Compose env file: `values` are (name, shell variable) pairs, `secrets` (name, secret
    name) pairs fetched from Secrets Manager; each line is written by `env_line` (ENV_LINE_FUNCTION)."""
    lines, redirect = [], ">"
    for name, variable in values:
        lines.append(f"printf '%s' {_variable(variable)} | env_line {shlex.quote(name)} {redirect} {shlex.quote(target)}")
        redirect = ">>"
    for name, secret in secrets:
        lines.append(f"{secret_value(region, secret)} | env_line {shlex.quote(name)} {redirect} {shlex.quote(target)}")
        redirect = ">>"
    return lines


def secret_files_lines(region: str, values: Sequence[tuple[str, str]], secrets: Sequence[tuple[str, str]],
                       directory: str) -> list[str]:
    """Writes one file per variable under `directory` (a path relative to $work), named after the variable and
    holding its exact value: what `kubectl create secret --from-file=<dir>` reads, newlines and all."""
    where = f"\"$work\"/{shlex.quote(directory)}"
    lines = [f"mkdir {where}"]
    lines += [f"printf '%s' {_variable(variable)} > {where}/{shlex.quote(name)}" for name, variable in values]
    lines += [f"{secret_value(region, secret)} > {where}/{shlex.quote(name)}" for name, secret in secrets]
    return lines


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
