"""A resource's inputs against CloudFormation's schema for its type (through `mapping`), cfn-lint's RDS engine
versions and instance classes, and the few cited facts of `facts`. Unknown values are not judged."""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator, Optional

from ..engine import UNKNOWN, dig
from .data import model
from .facts import AWS_LIMITS, Limit
from .mapping import AWS_TYPES

RDS_INSTANCE = "aws:rds/instance:Instance"
_ENUM_SHOWN = 12


def _value(props: Any, path: str) -> Any:
    return dig(props, *path.split("."))


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> Optional[re.Pattern[str]]:
    """A schema pattern as a Python regex, once; None for the rare ECMA-only syntax Python cannot read."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"'{value}'" if isinstance(value, str) else str(value)


def _violations(value: Any, rule: dict[str, Any]) -> Iterator[str]:
    """What is wrong with `value` under one property's constraints, as the middle of a message."""
    if isinstance(value, str):
        if "maxLength" in rule and len(value) > rule["maxLength"]:
            yield f"is {len(value)} characters; AWS allows {rule['maxLength']}"
        if "minLength" in rule and len(value) < rule["minLength"]:
            yield f"is {len(value)} characters; AWS needs at least {rule['minLength']}"
        compiled = _compiled(rule["pattern"]) if "pattern" in rule else None
        if compiled is not None and not compiled.search(value):
            yield f"does not match the pattern {rule['pattern']}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if rule.get("type") == "integer" and not float(value).is_integer():
            yield "is not a whole number"
        if "minimum" in rule and value < rule["minimum"]:
            yield f"is below the minimum {_shown(rule['minimum'])}"
        if "maximum" in rule and value > rule["maximum"]:
            yield f"is above the maximum {_shown(rule['maximum'])}"
    enum = rule.get("enum")
    if enum and isinstance(value, (str, int, float)) and not isinstance(value, bool) and value not in enum:
        listed = ", ".join(_shown(item) for item in enum[:_ENUM_SHOWN]) + (", ..." if len(enum) > _ENUM_SHOWN else "")
        yield f"is not an allowed value ({listed})"


def _limit_violations(value: Any, limit: Limit) -> Iterator[str]:
    rule: dict[str, Any] = {}
    if limit.max_length is not None:
        rule["maxLength"] = limit.max_length
    if limit.pattern is not None:
        rule["pattern"] = limit.pattern
    if limit.minimum is not None:
        rule["minimum"] = limit.minimum
    if limit.maximum is not None:
        rule["maximum"] = limit.maximum
    return _violations(value, rule)


def _rds(name: str, props: Any) -> Iterator[str]:
    """The engine version RDS offers for the engine, and the instance classes that engine version runs on."""
    engine, version, klass = (_value(props, key) for key in ("engine", "engineVersion", "instanceClass"))
    if not isinstance(engine, str) or not isinstance(version, str):
        return
    rds = model("aws.json")["rds"]
    offered = rds["engineVersions"].get(engine)
    # A version prefix ("8.0", "17") is accepted: RDS picks that major's default minor ("If you specify only the
    # major version, Amazon RDS ... uses the default minor version", EngineVersion in CreateDBInstance, RDS API).
    if offered is not None and version not in offered and not any(v.startswith(f"{version}.") for v in offered):
        yield (f"{name}: engineVersion '{version}' is not a {engine} version RDS offers "
               f"(AWS::RDS::DBInstance EngineVersion, cfn-lint's RDS engine versions)")
        return
    if not isinstance(klass, str):
        return
    # A major version alone ("17") runs on the newest of its minors: a class no minor of it runs is refused.
    versions = [version] + [v for v in offered or () if v.startswith(f"{version}.")]
    allowed = [rds["classLists"][listed] for rule_engine, pattern, listed in rds["instanceClasses"]
               if rule_engine == engine and any(_matches(pattern, v) for v in versions)]
    if allowed and not any(klass in classes for classes in allowed):
        yield (f"{name}: instanceClass '{klass}' does not run {engine} {version} "
               f"(AWS::RDS::DBInstance DBInstanceClass, cfn-lint's RDS instance classes by engine version)")


def _matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is not None and compiled.search(value) is not None


def check_inputs(resource_type: str, name: str, props: Any) -> list[str]:
    """Every violation of the models by this resource's declared inputs (none for an unmapped type)."""
    found: list[str] = []
    if resource_type in AWS_TYPES:
        cfn_type, properties = AWS_TYPES[resource_type]
        schema = model("aws.json")["types"][cfn_type]
        for path, cfn_path in properties.items():
            value = _value(props, path)
            if value is None or value is UNKNOWN:
                continue
            found += [f"{name}: {path} {_shown(value)} {problem} ({cfn_type} {cfn_path})"
                      for problem in _violations(value, schema[cfn_path])]
    for limit in AWS_LIMITS.get(resource_type, ()):
        value = _value(props, limit.path)
        if value is not None and value is not UNKNOWN:
            found += [f"{name}: {limit.path} {_shown(value)} {problem} ({limit.source})"
                      for problem in _limit_violations(value, limit)]
    if resource_type == RDS_INSTANCE:
        found += _rds(name, props)
    return list(dict.fromkeys(found))
