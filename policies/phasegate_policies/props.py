"""Small helpers for reading resource properties (camelCase, possibly unknown at preview)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def dig(props: Any, *path: Any, default: Any = None) -> Any:
    current = props
    for key in path:
        if isinstance(key, int) and isinstance(current, Sequence) and not isinstance(current, str):
            if key >= len(current):
                return default
            current = current[key]
        elif isinstance(current, Mapping) and key in current:
            current = current[key]
        else:
            return default
    return default if current is None else current


def items(props: Any, key: str) -> list[Any]:
    value = dig(props, key, default=[])
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else []


def with_config_defaults(config: Mapping[str, Any] | None, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The policy's config with its schema defaults filled in (the engine does this too; offline callers may not)."""
    merged = {name: spec.get("default") for name, spec in schema.items() if "default" in spec}
    merged.update(dict(config or {}))
    return merged
