"""Turns a stack's raw config into a `StackConfig`, or into every problem at once, each naming file and key.

`build_stack_config` is pure (tests call it with a stack file's values); `load_stack_config` reads Pulumi's
config and reports problems through Pulumi's error log, ending the run without a Python traceback.
"""

from __future__ import annotations

import json
import typing
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from .models import StackConfig
from .presets import PRESETS, deep_merge
from .types import Phase

NAMESPACE = "phasegate"


class ConfigError(Exception):
    """All problems found in one stack file, each already formatted as `file: key: message`."""

    def __init__(self, stack_file: str, problems: list[str]):
        self.stack_file = stack_file
        self.problems = problems
        super().__init__("\n".join(problems))


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def parse_config_value(raw: Any) -> Any:
    """The engine hands structured config to the program as JSON text; scalars arrive as plain text."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def build_stack_config(values: Mapping[str, Any], stack_file: str) -> StackConfig:
    """Validate `values` (fully qualified keys such as `phasegate:app`, `aws:region`) into a StackConfig."""
    prefix = f"{NAMESPACE}:"
    sections = {key[len(prefix):]: parse_config_value(v) for key, v in values.items() if key.startswith(prefix)}
    region = parse_config_value(values.get("aws:region"))

    problems: list[str] = []
    phase_value = sections.get("phase")
    try:
        phase = Phase(phase_value)
    except ValueError:
        allowed = ", ".join(p.value for p in Phase)
        got = "is required" if phase_value is None else f"{phase_value!r} is not a phase"
        problems.append(f"{stack_file}: {prefix}phase: {got}; use one of {allowed}")
        phase = Phase.MVP  # go on validating everything else against the smallest preset

    if "region" in sections:
        problems.append(f"{stack_file}: {prefix}region: unknown key; the region is set by aws:region")
    data = deep_merge(PRESETS[phase], {k: v for k, v in sections.items() if k not in ("phase", "region")})
    data["phase"] = phase.value
    if region is not None:
        data["region"] = region

    try:
        config = StackConfig.model_validate(data, context={"region": region})
    except ValidationError as exc:
        problems.extend(f"{stack_file}: {_path(err['loc'])}: {_message(err)}" for err in exc.errors())
        config = None
    if problems:
        raise ConfigError(stack_file, problems)
    return config


def _path(loc: tuple) -> str:
    if loc and loc[0] == "region":
        return "aws:region"
    out = f"{NAMESPACE}:{loc[0]}" if loc else NAMESPACE
    for part in loc[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(err["loc"][:-1])
        return f"unknown key; allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return "is required" + ("; set it with `pulumi config set aws:region us-east-1`" if err["loc"] == ("region",) else "")
    msg = err["msg"].removeprefix("Value error, ")
    if kind != "value_error" and "input" in err and not isinstance(err["input"], (dict, list)):
        msg += f" (got {err['input']!r})"
    return msg


def _allowed_keys(loc: tuple) -> list[str]:
    """The camelCase keys the model at `loc` accepts, so an unknown-key error can list the right ones."""
    model: Any = StackConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((f for name, f in model.model_fields.items() if f.alias == part or name == part), None)
        if field is None:
            return []
        model = _inner_model(field.annotation)
        if model is None:
            return []
    # The region is not a phasegate key: it comes from aws:region.
    return sorted(f.alias or name for name, f in model.model_fields.items() if model is not StackConfig or name != "region")


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def load_stack_config() -> StackConfig:
    """Read this stack's config from Pulumi; on bad input log every problem and stop cleanly."""
    import pulumi
    from pulumi.runtime.config import CONFIG

    stack_file = stack_file_name(pulumi.get_stack())
    try:
        return build_stack_config(dict(CONFIG.get()), stack_file)
    except ConfigError as exc:
        for problem in exc.problems:
            pulumi.log.error(problem)
        raise pulumi.RunError(
            f"{stack_file} has {len(exc.problems)} invalid setting(s); see the errors above"
        ) from None
