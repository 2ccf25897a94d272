"""Turns a stack's raw config into a `StackConfig`, or into every problem at once, each naming file and key.

`build_stack_config` is pure (tests call it with a stack file's values); `load_stack_config` reads Pulumi's
config and reports problems through Pulumi's error log, ending the run without a Python traceback. Both take
`checks` that run on a valid config, so the program can add checks that need rendering (a boot script's size),
which this package must not import, and have their problems reported like every other.
"""

from __future__ import annotations

import json
import typing
from typing import Any, Callable, Iterable, Mapping

from pydantic import BaseModel, ValidationError

from .errors import CrossSectionErrors, LocatedError
from .models import RUNTIME_MODELS, StackConfig
from .presets import PHASE_RUNTIMES, PRESETS, compute_preset, deep_merge
from .types import Phase, shown

NAMESPACE = "phasegate"
# Sections that earlier versions had, and where their keys live now.
def moved_sections() -> dict[str, str]:
    """Sections that moved under `phasegate:compute`: the old section's name -> the runtime now holding its keys."""
    return {model.legacy_section: name for name, model in RUNTIME_MODELS.items() if model.legacy_section}


Check = Callable[[StackConfig], Iterable[LocatedError]]


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


def build_stack_config(values: Mapping[str, Any], stack_file: str, checks: Iterable[Check] = ()) -> StackConfig:
    """Validate `values` (fully qualified keys such as `phasegate:app`, `aws:region`) into a StackConfig, then run
    `checks` on it."""
    prefix = f"{NAMESPACE}:"
    sections = {key[len(prefix):]: parse_config_value(v) for key, v in values.items() if key.startswith(prefix)}
    region = parse_config_value(values.get("aws:region"))

    problems: list[str] = []
    phase_value = sections.get("phase")
    try:
        phase = Phase(phase_value)
    except ValueError:
        allowed = ", ".join(p.value for p in Phase)
        got = "is required" if phase_value is None else f"{shown(phase_value)} is not a phase"
        problems.append(f"{stack_file}: {prefix}phase: {got}; use one of {allowed}")
        phase = Phase.MVP  # go on validating everything else against the smallest preset

    if "region" in sections:
        problems.append(f"{stack_file}: {prefix}region: unknown key; the region is set by aws:region")
    for key in sorted(k for k in sections if "ceiling" in k.lower()):
        problems.append(f"{stack_file}: {prefix}{key}: unknown key; cost ceilings belong to the policy pack's config, "
                        f"not the stack file: set cost-ceiling.ceilings.<phase> in a JSON file passed with "
                        f"--policy-pack-config (./dev check --pack-config, pulumi preview --policy-pack-config)")
    moved = moved_sections()
    for old, runtime in moved.items():
        if old in sections:
            problems.append(f"{stack_file}: {prefix}{old}: this section moved; put its keys under {prefix}compute "
                            f"with runtime: {runtime}")
    ignored = {"phase", "region", "compute", *moved, *(k for k in sections if "ceiling" in k.lower())}
    data = deep_merge(PRESETS[phase], {k: v for k, v in sections.items() if k not in ignored})
    data["phase"] = phase.value
    data["compute"] = _compute_section(sections.get("compute"), phase, f"{stack_file}: {prefix}compute", problems)
    if region is not None:
        data["region"] = region

    try:
        config = StackConfig.model_validate(data, context={"region": region})
    except ValidationError as exc:
        for err in exc.errors():
            problems.extend(f"{stack_file}: {_path(loc)}: {message}" for loc, message in _located(err))
        config = None
    if config is not None and not problems:
        problems.extend(f"{stack_file}: {_path(p.loc)}: {p}" for check in checks for p in check(config))
    if problems:
        raise ConfigError(stack_file, problems)
    return config


def _compute_section(raw: Any, phase: Phase, where: str, problems: list[str]) -> Any:
    """The stack's compute section over its runtime's preset for the phase (the phase's default runtime if unset)."""
    if raw is not None and not isinstance(raw, dict):
        return raw  # validation reports the wrong type
    raw = raw or {}
    runtime = raw.get("runtime", PHASE_RUNTIMES[phase][0])
    if not isinstance(runtime, str) or runtime not in RUNTIME_MODELS:
        problems.append(f"{where}.runtime: {shown(runtime)} is not a runtime; use one of {', '.join(RUNTIME_MODELS)}")
        return compute_preset(phase, PHASE_RUNTIMES[phase][0])  # go on validating the rest of the file
    return deep_merge(compute_preset(phase, runtime), raw)


def _path(loc: tuple) -> str:
    if loc and loc[0] == "region":
        return "aws:region"
    if len(loc) > 1 and loc[0] == "compute" and loc[1] in RUNTIME_MODELS:
        loc = loc[:1] + loc[2:]  # pydantic names the union member; the stack file does not
    out = f"{NAMESPACE}:{loc[0]}" if loc else NAMESPACE
    for part in loc[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _located(err: Mapping[str, Any]) -> list[tuple[tuple, str]]:
    """Where an error belongs and what it says; a cross-section rule's errors each name their own key."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, CrossSectionErrors):
        return [(tuple(err["loc"]) + problem.loc, str(problem)) for problem in cause.problems]
    if isinstance(cause, LocatedError):
        return [(tuple(err["loc"]) + cause.loc, str(cause))]
    return [(tuple(err["loc"]), _message(err))]


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(err["loc"][:-1])
        return f"unknown key; allowed keys here: {', '.join(allowed)}"
    if kind == "missing":
        return "is required" + ("; set it with `pulumi config set aws:region us-east-1`" if err["loc"] == ("region",) else "")
    msg = err["msg"].removeprefix("Value error, ")
    if kind != "value_error" and "input" in err and not isinstance(err["input"], (dict, list)):
        msg += f" (got {shown(err['input'])})"
    return msg


def _allowed_keys(loc: tuple) -> list[str]:
    """The camelCase keys the model at `loc` accepts, so an unknown-key error can list the right ones."""
    model: Any = StackConfig
    parts = [part for part in loc if not isinstance(part, int)]
    if parts[:1] == ["compute"] and len(parts) > 1 and parts[1] in RUNTIME_MODELS:
        model, parts = RUNTIME_MODELS[parts[1]], parts[2:]  # pydantic names the compute union's member
    for part in parts:
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


def load_stack_config(checks: Iterable[Check] = ()) -> StackConfig:
    """Read this stack's config from Pulumi; on bad input log every problem and stop cleanly."""
    import pulumi  # only the running program needs Pulumi: validating a stack file does not
    from pulumi.runtime.config import CONFIG

    stack_file = stack_file_name(pulumi.get_stack())
    try:
        return build_stack_config(dict(CONFIG.get()), stack_file, checks)
    except ConfigError as exc:
        for problem in exc.problems:
            pulumi.log.error(problem)
        raise pulumi.RunError(
            f"{stack_file} has {len(exc.problems)} invalid setting(s); see the errors above"
        ) from None
