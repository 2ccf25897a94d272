"""A policy's config as the engine hands it over, with the schema's defaults filled in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def with_config_defaults(config: Mapping[str, Any] | None, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The policy's config with its schema defaults filled in (the engine does this too; offline callers may not)."""
    merged = {name: spec.get("default") for name, spec in schema.items() if "default" in spec}
    merged.update(dict(config or {}))
    return merged
