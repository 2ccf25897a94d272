"""A stack file for your own app, made from a few answers: what `./dev init` writes.

The file states only what differs from its phase's preset (`components/config/presets.py`): the region, the app,
who gets the alerts, and the usage the cost check prices from (usage has no preset: it is a fact about the app).
The answers are validated with the models every stack file goes through, before anything is written, so a bad
answer gets the loader's one line naming the file and key. Pure: `offline/init.py` asks, writes and checks.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import yaml

from components.config import ConfigError, StackConfig, build_stack_config, stack_file_name
from components.config.presets import PHASE_RUNTIMES, PRESETS
from components.config.types import Phase

from .stackfile import config_as_engine_text

# "Stack names may only contain alphanumeric characters, hyphens, underscores, or periods."
# (https://www.pulumi.com/docs/iac/concepts/stacks/)
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
SCHEMA_LINE = "# yaml-language-server: $schema=./docs/schemas/stack-config.schema.json"
# A small app's month, the shipped MVP's own declaration: a starting point the file tells you to replace.
STARTER_USAGE: Mapping[str, float] = {"gbServedPerMonth": 50, "requestsPerMonth": 300000, "assetsStorageGb": 5,
                                      "logsGbPerMonth": 2}


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the shipped stack files write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


@dataclass(frozen=True)
class Service:
    name: str
    image: str
    port: Any  # an int once valid; text that is not a number is left for the model to refuse with its key
    health_check_path: str = "/health"
    path_prefix: str = "/"
    secrets: Mapping[str, str] = field(default_factory=dict)  # env var -> Secrets Manager secret name


@dataclass(frozen=True)
class NewStack:
    stack: str
    phase: str
    region: str
    app: str
    services: Sequence[Service]
    alert_emails: Sequence[str]
    domain: str | None = None
    hosted_zone: str | None = None
    billing_emails: Sequence[str] = ()
    monthly_budget_usd: Any = None
    runtime: str | None = None
    usage: Mapping[str, Any] = field(default_factory=lambda: dict(STARTER_USAGE))

    @property
    def file_name(self) -> str:
        return stack_file_name(self.stack)


def number(text: str) -> Any:
    """A number typed as text (`3000`, `45.5`); anything else stays text, so the model names the key it is for."""
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if math.isfinite(value) else text
    return text


def config_values(new: NewStack) -> dict[str, Any]:
    """The `config:` mapping: the preset's values are left out, so the file shows what this stack changes."""
    app: dict[str, Any] = {"name": new.app}
    if new.domain:
        app["domain"] = new.domain
    if new.hosted_zone:
        app["hostedZone"] = new.hosted_zone
    app["services"] = [_service(s) for s in new.services]
    values: dict[str, Any] = {"aws:region": new.region, "phasegate:phase": new.phase, "phasegate:app": app}
    default_runtime = _preset_runtime(new.phase)
    if new.runtime and new.runtime != default_runtime:
        values["phasegate:compute"] = {"runtime": new.runtime}
    values["phasegate:alerts"] = {"emails": list(new.alert_emails)}
    billing: dict[str, Any] = {}
    if new.monthly_budget_usd is not None and new.monthly_budget_usd != _preset_budget(new.phase):
        billing["monthlyBudgetUsd"] = new.monthly_budget_usd
    if new.billing_emails and list(new.billing_emails) != list(new.alert_emails):
        billing["emails"] = list(new.billing_emails)
    if billing:
        values["phasegate:billing"] = billing
    values["phasegate:usage"] = dict(new.usage)
    return values


def validate(new: NewStack) -> StackConfig:
    """The stack's config as the program will see it; `ConfigError` with one line per bad answer otherwise."""
    problems = [] if STACK_NAME.fullmatch(new.stack) else [
        f"{new.file_name}: stack name {new.stack!r}: use only letters, digits, hyphens, underscores or periods "
        f"(Pulumi's rule for stack names)"]
    try:
        config = build_stack_config(config_as_engine_text(config_values(new)), new.file_name)
    except ConfigError as exc:
        problems += exc.problems
    if problems:
        raise ConfigError(new.file_name, problems)
    return config


def render(new: NewStack) -> str:
    """The commented stack file (validate first: this writes whatever it is given)."""
    values = config_values(new)
    runtime = new.runtime or _preset_runtime(new.phase)
    lines = [SCHEMA_LINE,
             f"# {new.app}, phase {new.phase} (written by `./dev init`). Everything not stated here comes from the "
             f"{new.phase} preset",
             "# (components/config/presets.py); docs/config-reference.md lists every key with its default per "
             "phase.",
             "config:"]
    for key, value in values.items():
        if key == "phasegate:alerts" and "phasegate:compute" not in values:
            lines.append(f"  # phasegate:compute: the {new.phase} preset's runtime, {runtime}, at the preset's sizes")
        if key == "phasegate:usage":
            lines.append("  # Usage has no preset: the cost check prices traffic, storage and logs from these. "
                         "Replace the")
            lines.append("  # starting values with your app's month (docs/costs.md).")
        dumped = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=110)
        lines += ["  " + line for line in dumped.splitlines()]
    return "\n".join(lines) + "\n"


def secret_names(config: StackConfig) -> list[str]:
    """The Secrets Manager secrets the app's services read (the database password is RDS's own)."""
    return sorted({name for service in config.app.services for name in service.secrets.values()})


def create_secret_commands(config: StackConfig) -> list[str]:
    """One `aws secretsmanager create-secret` per secret, in the stack's region (the hosts read them there)."""
    return [f"aws secretsmanager create-secret --region {shlex.quote(config.region)} --name {shlex.quote(name)} "
            f"--secret-string \"$(openssl rand -hex 32)\"" for name in secret_names(config)]


def _service(service: Service) -> dict[str, Any]:
    out: dict[str, Any] = {"name": service.name, "image": service.image, "port": service.port,
                           "healthCheckPath": service.health_check_path}
    if service.path_prefix != "/":
        out["pathPrefix"] = service.path_prefix
    if service.secrets:
        out["secrets"] = dict(service.secrets)
    return out


def _preset_runtime(phase: str) -> str | None:
    return PHASE_RUNTIMES[Phase(phase)][0] if phase in {p.value for p in Phase} else None


def _preset_budget(phase: str) -> Any:
    return PRESETS[Phase(phase)]["billing"]["monthlyBudgetUsd"] if phase in {p.value for p in Phase} else None
