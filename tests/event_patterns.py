"""EventBridge event patterns, evaluated as EventBridge does for the filters phasegate uses, so a test can show which
events a rule's pattern selects rather than compare its text.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html: every field of the pattern must
match; a field's array matches when any element does; an element is an exact value, {"prefix": ...} or
{"wildcard": ...} (`*` matches any run of characters).
"""

from __future__ import annotations

import json
import re


def _element(element, value) -> bool:
    if isinstance(element, dict):
        [(kind, operand)] = element.items()
        if kind == "prefix":
            return isinstance(value, str) and value.startswith(operand)
        if kind == "wildcard":
            return isinstance(value, str) and re.fullmatch(
                ".*".join(re.escape(part) for part in operand.split("*")), value, re.DOTALL) is not None
        raise AssertionError(f"filter {kind} is not modelled here")
    return element == value


def matches(pattern, event) -> bool:
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    for key, expected in pattern.items():
        if key not in event:
            return False
        value = event[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict) or not matches(expected, value):
                return False
        elif not any(_element(element, value) for element in expected):
            return False
    return True


def rotation_event(secret_id: str, region: str) -> dict:
    """Secrets Manager's RotationSucceeded as EventBridge receives it from CloudTrail."""
    return {"source": "aws.secretsmanager", "detail-type": "AWS Service Event via CloudTrail", "region": region,
            "detail": {"eventSource": "secretsmanager.amazonaws.com", "eventName": "RotationSucceeded",
                       "additionalEventData": {"SecretId": secret_id}}}


__all__ = ["matches", "rotation_event"]
