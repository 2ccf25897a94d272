"""Reads `Pulumi.<stack>.yaml` as the Pulumi CLI would, and hands its config over as the engine does.

A broken file gets one line per problem naming the file (and the line and column, or the key), never a
traceback: unparseable YAML, a document that is not a mapping, `config:` that is not a mapping, keys that are
not `namespace:name` strings, and keys given twice (the CLI's YAML parser refuses those; PyYAML would silently
keep the last).

A hostile file gets the same treatment before it can cost memory or stack: the file is read only up to 1 MiB
and must be UTF-8 text (or UTF-16 with a byte-order mark, which YAML allows); values may nest at most
`MAX_DEPTH` levels; an alias may not refer to the value that contains it (a cycle), and aliases may not expand
the file beyond `MAX_EXPANDED` (the "billion laughs"); only plain YAML types are read (no `!!binary`, `!!set`,
custom tags), integers fit in 64 bits, and timestamps stay text, as the CLI hands them over.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any, Mapping

import yaml

CONFIG_KEY = re.compile(r"[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]+")

MAX_BYTES = 1024 * 1024  # a stack file is a few KB; past this it is not one
MAX_DEPTH = 32  # nesting of mappings and lists; a stack file needs about 6
# What aliases may expand the file to: every value counts 1, every scalar its length besides. A file without
# aliases stays below about twice its size, so this only ever stops aliases that multiply.
MAX_EXPANDED = 2 * MAX_BYTES
MAX_INT_BITS = 64

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"


class StackFileError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that a stack file may not be: reported as it is, without "not valid YAML"."""


class _StackFileLoader(yaml.SafeLoader):
    """A safe loader with limits (depth, alias expansion, cycles), strict keys and only plain YAML types."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._expanded = 0
        self._open_anchors: set[str] = set()
        self._anchor_sizes: dict[str, int] = {}

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            anchor = event.anchor
            if anchor in self._open_anchors:
                raise _Refused(None, None, f"alias *{anchor} refers to a value that contains it (a circular "
                                           f"reference)", event.start_mark)
            self._grow(self._anchor_sizes.get(anchor, 0), event, alias=anchor)
            return super().compose_node(parent, index)  # an undefined alias is refused there
        anchor = getattr(event, "anchor", None)
        if anchor is not None and anchor in self.anchors:
            first = self.anchors[anchor].start_mark
            raise _Refused(None, None, f"anchor &{anchor} is defined twice (first at line {first.line + 1})",
                           event.start_mark)
        nests = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if nests and self._depth >= MAX_DEPTH:
            raise _Refused(None, None, f"values are nested more than {MAX_DEPTH} levels deep; a stack file needs a "
                                       f"handful", event.start_mark)
        before = self._expanded
        self._grow(1 + (len(event.value) if isinstance(event, yaml.ScalarEvent) else 0), event)
        self._depth += nests
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= nests
            self._open_anchors.discard(anchor)
        if anchor is not None:
            self._anchor_sizes[anchor] = self._expanded - before
        return node

    def _grow(self, size: int, event: Any, alias: str | None = None) -> None:
        self._expanded += size
        if self._expanded <= MAX_EXPANDED:
            return
        if alias is not None:
            raise _Refused(None, None, f"alias *{alias} expands the file past {MAX_EXPANDED:,} characters of values "
                                       f"(an alias bomb?); a stack file needs a few thousand", event.start_mark)
        raise _Refused(None, None, f"the file holds more than {MAX_EXPANDED:,} characters of values; a stack file "
                                   f"needs a few thousand", event.start_mark)

    def construct_mapping(self, node, deep=False):
        """Refuses a key given twice in one mapping (merged `<<` keys may be overridden, as YAML intends)."""
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag in (_MERGE_TAG, _VALUE_TAG):
                continue
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


def _construct_int(loader: _StackFileLoader, node: yaml.ScalarNode) -> int:
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts
        value = None
    if value is None or value.bit_length() > MAX_INT_BITS - 1:
        raise _Refused(None, None, f"{_shown(node.value)} is too large a number for a stack file (more than "
                                   f"{MAX_INT_BITS} bits)", node.start_mark)
    return value


def _construct_text(loader: _StackFileLoader, node: yaml.ScalarNode) -> str:
    """Timestamps stay text, as the Pulumi CLI (Go yaml.v3) hands them to programs."""
    return loader.construct_scalar(node)


def _refuse_tag(loader: _StackFileLoader, node: yaml.Node) -> Any:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise _Refused(None, None, f"tag {_shown(tag, quote=False)} is not a stack-file value; use text, numbers, "
                               f"true/false, lists and mappings", node.start_mark)


_StackFileLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StackFileLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)
for _tag in ("binary", "set", "omap", "pairs"):
    _StackFileLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)
_StackFileLoader.add_constructor(None, _refuse_tag)


def _shown(text: str, quote: bool = True, limit: int = 60) -> str:
    """A value as a message shows it: on one line, and not a megabyte long."""
    short = text if len(text) <= limit else text[:limit] + "…"
    return repr(short) if quote or not short.isprintable() else short


def _where(mark: Any) -> str:
    return f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""


def _line_column(text: str, position: int) -> str:
    """`:line:column` of a character position, counting line breaks as YAML does."""
    before = text[:position]
    lines = re.split(r"\r\n|[\r\n\x85\u2028\u2029]", before)
    return f":{len(lines)}:{len(lines[-1]) + 1}"


def _one_line(problem: str) -> str:
    return problem.replace("\r", "\\r").replace("\n", "\\n")


def _read_text(path: Path) -> str:
    """The file's text: at most MAX_BYTES, UTF-8 (or UTF-16 with a byte-order mark, which YAML allows)."""
    name = path.name
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise StackFileError([f"{name}: cannot be read: {exc.strerror or exc}"]) from None
    if len(data) > MAX_BYTES:
        raise StackFileError([f"{name}: the file is over {MAX_BYTES:,} bytes (1 MiB); a stack file is a few KB, so "
                              f"this is not one"])
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        readable = data[:exc.start].decode(encoding, errors="replace")
        raise StackFileError([f"{name}{_line_column(readable, len(readable))}: not {encoding.upper()} text (byte "
                              f"0x{data[exc.start]:02x}); save the stack file as UTF-8 text (is it a binary "
                              f"file?)"]) from None


def read_stack_file(path: Path) -> dict[str, Any]:
    """The stack file's `config:` mapping, as written (values not yet turned into engine text)."""
    name = path.name
    text = _read_text(path)
    try:
        loader = _StackFileLoader(text)  # refuses control characters before anything else
        try:
            document = loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as exc:
        raise StackFileError([f"{name}{_where(exc.problem_mark)}: {_one_line(exc.problem)}"]) from None
    except yaml.MarkedYAMLError as exc:
        if _tab_indented(text, exc.problem_mark):
            raise StackFileError([f"{name}{_where(exc.problem_mark)}: a tab indents this line: indent with spaces "
                                  f"(YAML does not allow tabs for indentation)"]) from None
        problem = _one_line(exc.problem or exc.context or "not valid YAML")
        raise StackFileError([f"{name}{_where(exc.problem_mark)}: not valid YAML: {problem}"]) from None
    except yaml.reader.ReaderError as exc:
        raise StackFileError([f"{name}{_line_column(text, exc.position)}: not valid YAML: control character "
                              f"#x{exc.character:04x} is not allowed (is it a binary file?)"]) from None
    except yaml.YAMLError as exc:
        raise StackFileError([f"{name}: not valid YAML: {_one_line(str(exc))}"]) from None
    except RecursionError:  # the limits above stop this first; never a traceback if they do not
        raise StackFileError([f"{name}: values are nested too deeply to read"]) from None
    if not isinstance(document, (dict, type(None))):
        raise StackFileError([f"{name}: the file must be a mapping with a config: section, not a "
                              f"{_kind(document)}"])
    if not document or "config" not in document:  # one line, not a "is required" for every key it would hold
        raise StackFileError([f"{name}: config: is missing; a stack file holds its settings under a top-level "
                              f"config: mapping (config:, then aws:region, phasegate:phase, ... indented below it)"])
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError([f"{name}: config: must be a mapping of namespace:key to value, not a {_kind(config)}"])
    problems = []
    for key in config:
        if not isinstance(key, str):
            problems.append(f"{name}: config: key {key!r} is a {_kind(key)}; keys are strings such as phasegate:app")
        elif not CONFIG_KEY.fullmatch(key):
            shown = _shown(key, quote=False)
            example = shown if shown == key else "app"
            problems.append(f"{name}: {shown}: keys must be namespace:name, e.g. phasegate:{example}")
    if problems:
        raise StackFileError(problems)
    return config


def _tab_indented(text: str, mark: Any) -> bool:
    """Whether the line a YAML error points at starts with a tab among its indentation."""
    if mark is None:
        return False
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    return "\t" in line[:len(line) - len(line.lstrip(" \t"))]


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), type(value).__name__)


def config_as_engine_text(values: Mapping[str, Any]) -> dict[str, str]:
    """The engine hands config to programs and packs as text: strings as they are, everything else as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value, default=str) for key, value in values.items()}
