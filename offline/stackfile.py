"""Reads `Pulumi.<stack>.yaml` as the Pulumi CLI would, and hands its config over as the engine does.

A broken file gets one line per problem naming the file (and the line and column, or the key), never a
traceback: unparseable YAML, a document that is not a mapping, `config:` that is not a mapping, keys that are
not `namespace:name` strings, and keys given twice (the CLI's YAML parser refuses those; PyYAML would silently
keep the last).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping

import yaml

CONFIG_KEY = re.compile(r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]+$")


class StackFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping, with where it happened."""

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                continue  # an unhashable key is reported below
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"key {key!r} is given twice", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _where(mark: Any) -> str:
    return f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""


def read_stack_file(path: Path) -> dict[str, Any]:
    """The stack file's `config:` mapping, as written (values not yet turned into engine text)."""
    name = path.name
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "not valid YAML"
        raise StackFileError([f"{name}{_where(exc.problem_mark)}: not valid YAML: {problem}"]) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise StackFileError([f"{name}: not valid YAML: {exc}"]) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError([f"{name}: the file must be a mapping with a config: section, not a "
                              f"{_kind(document)}"])
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError([f"{name}: config: must be a mapping of namespace:key to value, not a {_kind(config)}"])
    problems = []
    for key in config:
        if not isinstance(key, str):
            problems.append(f"{name}: config: key {key!r} is a {_kind(key)}; keys are strings such as phasegate:app")
        elif not CONFIG_KEY.match(key):
            problems.append(f"{name}: {key}: keys must be namespace:name, e.g. phasegate:{key}")
    if problems:
        raise StackFileError(problems)
    return config


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__)


def config_as_engine_text(values: Mapping[str, Any]) -> dict[str, str]:
    """The engine hands config to programs and packs as text: strings as they are, everything else as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value, default=str) for key, value in values.items()}
