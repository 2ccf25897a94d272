"""Cost policies: the estimate must fit the phase's ceiling, and every resource must be priced.

The ceilings belong to the pack's config (set by the platform owner with --policy-pack-config), not to the
app's stack file, so a team cannot raise its own limit.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from ..cost import estimate
from ..props import with_config_defaults
from ..contract import DEFAULT_CEILINGS, PHASES
from ..stack import current_stack, priced_view

CEILING_SCHEMA = {
    "ceilings": {
        "type": "object",
        "description": "Maximum estimated monthly USD per phase.",
        "properties": {phase: {"type": "number", "minimum": 0} for phase in PHASES},
        "default": DEFAULT_CEILINGS,
    },
    "topDrivers": {"type": "integer", "minimum": 1, "default": 3, "description": "Cost drivers named in the message."},
}


def ceiling_for(config: dict, phase: str) -> float:
    ceilings = {**DEFAULT_CEILINGS, **(config.get("ceilings") or {})}
    return float(ceilings[phase])


def _validate_cost_ceiling(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = with_config_defaults(args.get_config(), CEILING_SCHEMA)
    stack = current_stack()
    if stack.phase not in PHASES:
        report_violation(f"phasegate:phase is {stack.phase!r}; set it to one of {', '.join(PHASES)} so the "
                         f"cost ceiling of that phase applies.")
        return
    ceiling = ceiling_for(config, stack.phase)
    result = estimate(priced_view(args.resources, stack.region), stack.usage, stack.region)
    if result.total > ceiling:
        drivers = ", ".join(f"{name} ${usd:.2f}" for name, usd in result.top_drivers(int(config["topDrivers"])))
        report_violation(
            f"Estimated ${result.total:.2f}/month exceeds the {stack.phase} ceiling of ${ceiling:.2f} by "
            f"${result.total - ceiling:.2f}. Top cost drivers: {drivers}. Size down these resources or "
            f"move the stack to the next phase.")
    for resource in args.resources:
        if resource.resource_type != "aws:budgets/budget:Budget":
            continue
        try:
            limit = float(resource.props.get("limitAmount"))
        except (TypeError, ValueError, UnknownValueError):
            continue
        if limit > ceiling:
            report_violation(
                f"Budget {resource.name} allows ${limit:.2f}/month, above the {stack.phase} ceiling of "
                f"${ceiling:.2f}; set phasegate:billing.monthlyBudgetUsd to at most {ceiling:g}.", resource.urn)


COVERAGE_SCHEMA = {"ignoreTypes": {"type": "array", "items": {"type": "string"}, "default": [],
                                   "description": "Resource types whose missing price is accepted (priced elsewhere)."}}


def _validate_cost_coverage(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    ignored = set(with_config_defaults(args.get_config(), COVERAGE_SCHEMA)["ignoreTypes"])
    stack = current_stack()
    result = estimate(priced_view(args.resources, stack.region), stack.usage, stack.region)
    for urn, typ, reason in result.unpriced:
        if typ in ignored:
            continue
        report_violation(f"{typ} is not priced ({reason}): add it to the price catalog or declare it free, "
                         f"so the cost ceiling covers it.", urn)
    for urn, typ, what in result.unknown:
        report_violation(f"{typ} cannot be priced yet: {what}. The estimate leaves it out until it is known.", urn)
    for problem in stack.usage_problems:
        report_violation(f"{problem}: declare it in the stack file; usage-based costs are priced only from "
                         f"declared assumptions.")


cost_ceiling = StackValidationPolicy(
    name="cost-ceiling",
    description="The stack's estimated monthly cost stays within its phase's ceiling, and so does its Budget.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_cost_ceiling,
    config_schema=PolicyConfigSchema(properties=CEILING_SCHEMA),
)

cost_coverage = StackValidationPolicy(
    name="cost-coverage",
    description="Every resource that costs money is priced, and the usage the prices depend on is declared.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_validate_cost_coverage,
    config_schema=PolicyConfigSchema(properties=COVERAGE_SCHEMA),
)

POLICIES = [cost_ceiling, cost_coverage]
