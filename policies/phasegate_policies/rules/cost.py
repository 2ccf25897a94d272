"""Cost policies: the estimate must fit the phase's ceiling, and every resource must be priced.

The ceilings belong to the pack's config (set by the platform owner with --policy-pack-config), not to the
app's stack file, so a team cannot raise its own limit. The ceiling fails closed: a resource that costs money
but cannot be priced, a price-relevant value unknown at preview, or undeclared usage means the stack cannot be
shown to fit, which is a violation unless the platform owner accepts the type (`allowUnpriced`).
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, StackValidationArgs

from ..contract import DEFAULT_CEILINGS, PHASES
from ..cost import estimate
from ..declare import ADVISORY, MANDATORY, stack_policy
from ..engine import UNKNOWN, as_number, declared, dig
from ..props import with_config_defaults
from ..stack import current_stack, priced_view

CEILING_SCHEMA = {
    "ceilings": {
        "type": "object",
        "description": "Maximum estimated monthly USD per phase.",
        "properties": {phase: {"type": "number", "minimum": 0} for phase in PHASES},
        "additionalProperties": False,
        "default": DEFAULT_CEILINGS,
    },
    "topDrivers": {"type": "integer", "minimum": 1, "default": 3, "description": "Cost drivers named in the message."},
    "allowUnpriced": {"type": "array", "items": {"type": "string"}, "default": [],
                      "description": "Resource types the platform owner accepts without a price (priced elsewhere); "
                                     "any other resource that cannot be priced fails the ceiling."},
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
    accepted = set(config["allowUnpriced"])
    names = {r.urn: r.name for r in args.resources}
    for urn, typ, reason in result.unpriced:
        if typ not in accepted:
            report_violation(f"Cannot show that the stack fits its ${ceiling:.2f} ceiling: {names.get(urn, urn)} "
                             f"({typ}) {reason}. Use a type and size the price catalog lists, or have the platform "
                             f"owner accept it in the pack config (cost-ceiling: allowUnpriced).", urn)
    for urn, typ, what in result.unknown:
        report_violation(f"Cannot show that the stack fits its ${ceiling:.2f} ceiling: {names.get(urn, urn)} "
                         f"({typ}) cannot be priced because its {what}.", urn)
    for problem in stack.usage_problems:
        report_violation(f"Cannot show that the stack fits its ${ceiling:.2f} ceiling: {problem}; usage-based costs "
                         f"are priced only from declared assumptions.")
    for resource in args.resources:
        if resource.resource_type != "aws:budgets/budget:Budget":
            continue
        limit = as_number(dig(declared(resource), "limitAmount"))
        if limit is not None and limit is not UNKNOWN and limit > ceiling:
            report_violation(
                f"Budget {resource.name} allows ${limit:.2f}/month, above the {stack.phase} ceiling of "
                f"${ceiling:.2f}; set phasegate:billing.monthlyBudgetUsd to at most {ceiling:g}.", resource.urn)


COVERAGE_SCHEMA = {"ignoreTypes": {"type": "array", "items": {"type": "string"}, "default": [],
                                   "description": "Resource types whose missing price needs no reminder."}}


def _validate_cost_coverage(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A reminder of what is priced roughly: derived sizes, and types accepted without a price."""
    ignored = set(with_config_defaults(args.get_config(), COVERAGE_SCHEMA)["ignoreTypes"])
    stack = current_stack()
    result = estimate(priced_view(args.resources, stack.region), stack.usage, stack.region)
    for urn, typ, reason in result.unpriced:
        if typ not in ignored:
            report_violation(f"{typ} is not priced ({reason}): add it to the price catalog or declare it free, "
                             f"so the cost ceiling covers it.", urn)
    for line in result.lines:
        if line.derived:
            report_violation(f"{line.name}: {line.item}: the size is not in the price list; check the estimate "
                             f"against AWS's published price.", line.urn)


POLICIES = [
    stack_policy("cost-ceiling", "The stack's estimated monthly cost provably stays within its phase's ceiling, and so "
                 "does its Budget.", MANDATORY, _validate_cost_ceiling, CEILING_SCHEMA),
    stack_policy("cost-coverage", "Every resource that costs money is priced from a listed price, not derived or "
                 "accepted unpriced.", ADVISORY, _validate_cost_coverage, COVERAGE_SCHEMA),
]
