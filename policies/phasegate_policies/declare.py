"""How every rule module declares its policies: one shape for resource and stack policies alike.

A policy is its kebab-case name, a description, its enforcement level, what it validates and the config schema that
sits next to the rule (every property with a default; none for a policy with nothing to configure). A policy with an
empty schema is declared exactly as one without: pulumi_policy sends no config schema for either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidation,
    StackValidationPolicy,
)

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
Schema = Optional[Mapping[str, Mapping[str, Any]]]


def _declared(name: str, description: str, level: EnforcementLevel, schema: Schema) -> dict[str, Any]:
    return {"name": name, "description": description, "enforcement_level": level,
            "config_schema": PolicyConfigSchema(properties=dict(schema or {}))}


def resource_policy(name: str, description: str, level: EnforcementLevel, validate: ResourceValidation,
                    schema: Schema = None) -> ResourceValidationPolicy:
    """A policy judged on each resource as `Analyze` receives it: what the program declared."""
    return ResourceValidationPolicy(validate=validate, **_declared(name, description, level, schema))


def stack_policy(name: str, description: str, level: EnforcementLevel, validate: StackValidation,
                 schema: Schema = None) -> StackValidationPolicy:
    """A policy judged once on the whole stack, after every resource policy (see `stackview`)."""
    return StackValidationPolicy(validate=validate, **_declared(name, description, level, schema))
