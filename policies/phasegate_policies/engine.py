"""What the engine tells the pack about resources, made safe to read at a stack's very first preview.

In a preview, every value that depends on a resource not yet created arrives as one of the engine's
unknown sentinels, whatever its real type (a list can be known with an unknown element). pulumi_policy wraps
props in a proxy that raises on any access to such a value, even `key in props`; a rule that lets that
escape is reported by pulumi_policy as a mere advisory, so a mandatory rule would pass silently. Rules
therefore read `plain(props)`: the same data with every unknown replaced by `UNKNOWN`, which they must
handle explicitly (it refuses to be used as a boolean, so a forgotten case fails loudly, not open).

AnalyzeStack carries each resource's *outputs*, where the provider fills in values the program never set
(AWS reports AES256 encryption for every bucket, for example) and, in a preview, leaves optional ones
unknown. What the program *declared* is what the per-resource `Analyze` call saw: `remember_inputs` keeps
it (every resource policy records it, in the same pack process) and `declared` returns it, falling back to
the outputs when a resource was never analysed on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

SENTINELS = frozenset({UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
                       UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE})
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"


class Unknown:
    """A value the engine does not know yet. Using it as a boolean is an error, so no rule can pass on it by accident."""

    _instance = None

    def __new__(cls) -> "Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"

    def __bool__(self) -> bool:
        raise TypeError("a value unknown at preview was used as a boolean; the rule must decide what unknown means")


UNKNOWN = Unknown()


def plain(value: Any) -> Any:
    """Props (a pulumi_policy proxy, or plain data) as plain dicts and lists, with `UNKNOWN` for unknowns."""
    try:
        target = value["__target"]  # the proxy's escape hatch: the wrapped value, unknowns included
    except (KeyError, TypeError, IndexError):
        target = value
    if isinstance(target, str):
        return UNKNOWN if target in SENTINELS else target
    if isinstance(target, Mapping):
        if SECRET_SIG_KEY in target and "value" in target:
            return plain(target["value"])  # a secret still wrapped (pulumi_policy normally unwraps them)
        # The engine sends the bridge's nested "__defaults" bookkeeping keys; they are not properties.
        return {key: plain(item) for key, item in target.items() if key != "__defaults"}
    if isinstance(target, Sequence) and not isinstance(target, (bytes, bytearray)):
        return [plain(item) for item in target]
    return target


def dig(props: Any, *path: Any, default: Any = None) -> Any:
    """The value at `path` in plain props; `UNKNOWN` if anything on the way is unknown; `default` if absent."""
    current = props
    for key in path:
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(key, int) and isinstance(current, list):
            if key >= len(current):
                return default
            current = current[key]
        elif isinstance(current, dict) and key in current:
            current = current[key]
        else:
            return default
    return default if current is None else current


def items(props: Any, *path: Any) -> list[Any]:
    """The list at `path`: [] when absent, [UNKNOWN] when the whole list is unknown (something may be there)."""
    value = dig(props, *path, default=[])
    if value is UNKNOWN:
        return [UNKNOWN]
    return list(value) if isinstance(value, list) else []


def as_bool(value: Any) -> Any:
    """True/False from a bool or its string form (launch templates use "true"/"false"); UNKNOWN or None otherwise."""
    if value is UNKNOWN or isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_number(value: Any) -> Any:
    """A number (the engine sends every number as a float), UNKNOWN, or None when it is not one."""
    if value is UNKNOWN or value is None:
        return value
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_INPUTS: dict[str, Any] = {}
_INPUTS_LOCK = threading.Lock()


def remember_inputs(urn: str, props: Any) -> None:
    """Keep what `Analyze` was told the program declared for `urn`, for the stack policies that run after."""
    declared_props = plain(props)
    with _INPUTS_LOCK:
        _INPUTS[urn] = declared_props


def declared(resource: Any) -> Any:
    """The resource's declared inputs if `Analyze` saw them in this process, else its outputs (both plain)."""
    with _INPUTS_LOCK:
        remembered = _INPUTS.get(resource.urn)
    return remembered if remembered is not None else plain(resource.props)


def declared_inputs(resource: Any) -> Any:
    """The resource's declared inputs if `Analyze` saw them in this process, else None: never its outputs, where the
    provider fills in values the program did not set."""
    with _INPUTS_LOCK:
        return _INPUTS.get(resource.urn)


def outputs(resource: Any) -> Any:
    return plain(resource.props)
