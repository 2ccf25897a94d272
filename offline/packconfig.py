"""What a `--pack-config` file changes from the pack's defaults, for the report's header, JSON and markdown.

A run with a pack config judges differently from one without (a CI job that sets every policy advisory passes
stacks that the default pack fails), so every report names the file and what it changes: each enforcement level
that differs from the policy's own, and each setting that differs from its schema default. The defaults are the
pack's declarations (`phasegate_policies.pack.all_policies()`, the policies the pack process serves); the
effective level is chosen as the engine chooses it (a policy's own entry beats "all", `analyzer.configure`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional

from phasegate_policies.pack import all_policies

from .analyzer import parse_pack_config


@dataclass(frozen=True)
class PackConfigSummary:
    file: str
    every: Optional[str]  # "all": the level every policy gets unless its own entry says otherwise
    levels: dict[str, str]  # policy -> effective level, where it differs from the policy's default
    settings: dict[str, Any]  # "policy.key[.key]" -> value, where it differs from the schema's default
    exceptions: dict[str, str]  # with "all": the policies whose effective level is another (their own entry)

    def changes(self) -> list[str]:
        out = []
        if self.every and self.levels:
            others = ", ".join(f"{policy} {level}" for policy, level in self.exceptions.items())
            out.append(f"all policies {self.every}" + (f" except {others}" if others else ""))
        else:
            out += [f"{policy} {level}" for policy, level in self.levels.items()]
        out += [f"{key}: {json.dumps(value)}" for key, value in self.settings.items()]
        return out

    def line(self) -> str:
        """`pack config: ci.json (all policies advisory; billing-alarms.accountLevel: true)`."""
        return f"pack config: {self.file} ({'; '.join(self.changes()) or 'the defaults'})"

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "all": self.every,
                "enforcementLevels": [{"policy": p, "enforcementLevel": level} for p, level in self.levels.items()],
                "settings": [{"key": key, "value": value} for key, value in self.settings.items()]}


def summarize(file: str, raw: Mapping[str, Any]) -> PackConfigSummary:
    overrides = parse_pack_config(raw)
    every = overrides.pop("all", {}).get("enforcementLevel")
    levels: dict[str, str] = {}
    exceptions: dict[str, str] = {}
    settings: dict[str, Any] = {}
    for policy in all_policies():
        override = overrides.get(policy.name, {})
        default = policy.enforcement_level.value
        effective = override.get("enforcementLevel") or every or default
        if effective != default:
            levels[policy.name] = effective
        if every and effective != every:
            exceptions[policy.name] = effective
        schema = policy.config_schema.properties if policy.config_schema else {}
        for key, value in override.items():
            if key != "enforcementLevel":
                settings.update(_differences(f"{policy.name}.{key}", value, (schema.get(key) or {}).get("default")))
    return PackConfigSummary(file, every, levels, settings, exceptions)


def _differences(key: str, value: Any, default: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping) and isinstance(default, Mapping):
        for part, inner in value.items():
            yield from _differences(f"{key}.{part}", inner, default.get(part))
    elif value != default:
        yield key, value
