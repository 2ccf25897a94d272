"""Config given on the command line, taken as the pulumi CLI takes `--config key=value` and `--config-path`.

A key without a namespace belongs to the project (`app.domain` is `phasegate:app.domain`); with `--config-path`
the part after the namespace is a path into an object (`phasegate:database.snapshotIdentifier`). Values are
strings, as `pulumi config set` stores them. `with_settings` lays settings over the engine's view of a stack
file (every value text, objects as JSON), so the offline check sees exactly what the engine will.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from project import PROJECT

from .errors import UsageError

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Setting:
    key: str  # fully qualified, e.g. phasegate:app.domain
    value: str
    path: bool = False


def parse_setting(text: str, *, path: bool = False) -> Setting:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError(f"--config {text!r}: expected key=value, e.g. --config app.domain=app.example.com")
    return Setting(qualified(key.strip()), value, path)


def qualified(key: str) -> str:
    return key if ":" in key else f"{PROJECT}:{key}"


def split_path(key: str) -> tuple[str, list[str | int]]:
    """`phasegate:app.services[0].image` -> ("phasegate:app", ["services", 0, "image"])."""
    namespace, _, rest = key.partition(":")
    parts: list[str | int] = [int(index) if index else name for name, index in _SEGMENT.findall(rest)]
    if not parts or not isinstance(parts[0], str):
        raise UsageError(f"config key {key!r} has no name after the namespace")
    return f"{namespace}:{parts[0]}", parts[1:]


def set_path(tree: Any, path: list[str | int], value: Any) -> Any:
    """`tree` with `value` at `path` (objects and lists created as needed); the input is not changed."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(tree) if isinstance(tree, list) else []
        items.extend([None] * (head + 1 - len(items)))
        items[head] = set_path(items[head], rest, value)
        return items
    node = dict(tree) if isinstance(tree, dict) else {}
    node[head] = set_path(node.get(head), rest, value)
    return node


def remove_path(tree: Any, path: list[str | int]) -> Any:
    if not isinstance(tree, (dict, list)) or not path:
        return tree
    head, rest = path[0], path[1:]
    copy: Any = dict(tree) if isinstance(tree, dict) else list(tree)
    if not rest:
        if isinstance(copy, dict):
            copy.pop(head, None)
        elif isinstance(head, int) and head < len(copy):
            copy.pop(head)
        return copy
    try:
        copy[head] = remove_path(copy[head], rest)
    except (KeyError, IndexError, TypeError):
        pass
    return copy


def with_settings(engine_config: Mapping[str, str], settings: Iterable[Setting]) -> dict[str, str]:
    """The engine's text config with `settings` applied, as `pulumi up --config` would apply them."""
    config = dict(engine_config)
    for setting in settings:
        if not setting.path:
            config[setting.key] = setting.value
            continue
        top, path = split_path(setting.key)
        if not path:
            config[top] = setting.value
            continue
        current = _as_tree(config.get(top))
        config[top] = json.dumps(set_path(current, path, setting.value))
    return config


def _as_tree(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
