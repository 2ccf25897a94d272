"""Boot scripts (EC2 user data) never run with xtrace (mandatory).

cloud-init writes a user script's output to /var/log/cloud-init-output.log and to the serial console
(https://docs.cloud-init.io/en/latest/reference/user_files.html: "Output from user scripts goes here"), which anyone
with ec2:GetConsoleOutput can read. Under `set -x` bash prints every command after expansion, so a token or password
a boot script handles in a variable (a K3s join token, a database URL) lands in both. A script may still trace
single lines (`set -x` ... `set +x`) where the owner has checked nothing secret is expanded, if the platform owner
allows it in the pack config.

User data a first preview cannot see (it is computed from resources not created yet) is not judged then: it is
judged at every later preview and update, when it is known.
"""

from __future__ import annotations

import base64
import binascii
import email
import gzip
import re
import shlex
from typing import Any, Iterable, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs

from ..declare import MANDATORY, resource_policy
from ..engine import UNKNOWN, dig, plain
from ..props import with_config_defaults

# Where each type keeps its user data: (property, base64-encoded?).
USER_DATA = {
    "aws:ec2/instance:Instance": (("userData", False), ("userDataBase64", True)),
    "aws:ec2/launchTemplate:LaunchTemplate": (("userData", True),),
    "aws:ec2/launchConfiguration:LaunchConfiguration": (("userData", False), ("userDataBase64", True)),
}

XTRACE_SCHEMA = {"allowScopedTracing": {
    "type": "boolean", "default": False,
    "description": "Accept `set -x` that a later `set +x` turns off again (tracing lines checked to expand no "
                   "secret); by default any xtrace in user data is a violation."}}

_SHELLS = {"sh", "bash", "dash", "ksh", "zsh"}
# Where a command may start on a line: its beginning, or after ; & | ( { ! or a keyword that takes a command.
_COMMAND_START = re.compile(r"(?:^|[;&|(){}!]|\b(?:then|do|else|elif|time)\b)\s*")


def _text(data: bytes) -> Optional[str]:
    """User data bytes as text (gzip undone: cloud-init accepts compressed user data), or None when unreadable."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return None
    return data.decode("utf-8", errors="replace")


def _decoded(raw: str, is_base64: bool) -> Optional[str]:
    """The user data as text, or None when it is not valid base64 where base64 is expected."""
    if not is_base64:
        return _text(raw.encode())
    try:
        return _text(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError):
        return None


def _scripts(text: str) -> Iterable[str]:
    """The scripts in user data: the text itself, or each part of a MIME multi-part archive (cloud-init's format)."""
    if not text.lstrip().lower().startswith(("content-type:", "mime-version:")):
        yield text
        return
    for part in email.message_from_string(text).walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)  # undoes Content-Transfer-Encoding (base64, quoted-printable)
        if isinstance(payload, bytes):
            yield from _scripts(_text(payload) or "")


def _flags_turn(arguments: list[str]) -> Optional[bool]:
    """What `set <arguments>` does to xtrace: True (on), False (off), None (untouched)."""
    turn = None
    for index, argument in enumerate(arguments):
        if argument in ("-o", "+o") and index + 1 < len(arguments) and arguments[index + 1] == "xtrace":
            turn = argument == "-o"
        elif re.fullmatch(r"[-+][A-Za-z]+", argument) and "x" in argument[1:]:
            turn = argument[0] == "-"
        elif argument == "--":
            break
    return turn


def _words(segment: str) -> list[str]:
    """The words of the first simple command in `segment` (up to ; & | ( ) or a comment)."""
    lexer = shlex.shlex(segment, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words: list[str] = []
    try:
        for token in lexer:
            if token and all(char in ";&|()" for char in token):
                break
            words.append(token)
    except ValueError:  # an unbalanced quote (a string spanning lines): judge the plain words
        return segment.split("#", 1)[0].split()
    return words


def _xtrace_lines(script: str) -> list[tuple[int, str, bool]]:
    """(line number, line, True for on / False for off) for every place the script turns xtrace on or off."""
    found: list[tuple[int, str, bool]] = []
    lines = script.splitlines()
    if lines and lines[0].startswith("#!"):
        interpreter = _words(lines[0][2:])
        if interpreter and interpreter[0].rsplit("/", 1)[-1] == "env":
            interpreter = interpreter[1:]
        if interpreter and interpreter[0].rsplit("/", 1)[-1] in _SHELLS and _flags_turn(interpreter[1:]):
            found.append((1, lines[0], True))
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("#"):
            continue
        for match in _COMMAND_START.finditer(line):
            words = _words(line[match.end():])
            if not words:
                continue
            command = words[0].rsplit("/", 1)[-1]
            if command == "set":
                turn = _flags_turn(words[1:])
            elif command in _SHELLS:  # `bash -x script`, `sh -ec ...`: only the shell's own options
                options = [w for w in words[1:] if re.fullmatch(r"[-+][A-Za-z]+", w)]
                turn = True if _flags_turn(options) else None
            else:
                continue
            if turn is not None:
                found.append((number, line.strip(), turn))
    return found


def xtrace_violation(text: str, allow_scoped: bool) -> Optional[tuple[int, str]]:
    """The first line that leaves xtrace on where it is not allowed, or None."""
    for script in _scripts(text):
        state: Optional[tuple[int, str]] = None
        for number, line, turn in _xtrace_lines(script):
            if turn and not allow_scoped:
                return number, line
            state = (number, line) if turn else None
        if state is not None:
            return state
    return None


def _no_xtrace(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    places = USER_DATA.get(args.resource_type)
    if not places:
        return
    allow_scoped = bool(with_config_defaults(args.get_config(), XTRACE_SCHEMA)["allowScopedTracing"])
    props = plain(args.props)
    for prop, is_base64 in places:
        raw: Any = dig(props, prop)
        if raw is None or raw is UNKNOWN:
            continue  # no user data, or computed from resources a first preview has not created: judged later
        if not isinstance(raw, str):
            continue
        text = _decoded(raw, is_base64)
        if text is None:
            report_violation(f"{args.name}'s {prop} is not valid base64, so it cannot be shown to run without "
                             f"xtrace: encode it with base64.")
            continue
        found = xtrace_violation(text, allow_scoped)
        if found:
            number, line = found
            report_violation(
                f"{args.name}'s user data ({prop}) turns on xtrace (line {number}: {line[:80]!r}): cloud-init copies "
                f"every traced command, with the secrets it expands, to /var/log/cloud-init-output.log and the EC2 "
                f"console output; remove -x (`set -euo pipefail`) and trace single lines only where nothing secret "
                f"is expanded.")


POLICIES = [
    resource_policy("boot-script-no-xtrace", "EC2 instances' and launch templates' user data never runs with shell "
                    "xtrace (set -x), which copies expanded secrets to the cloud-init log and the console output.",
                    MANDATORY, _no_xtrace, XTRACE_SCHEMA),
]
