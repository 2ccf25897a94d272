"""Cost policies: the estimate must fit the stack's ceiling, and every resource must be priced.

The ceilings belong to the pack's config (set by the platform owner with --policy-pack-config), not to the
app's stack file, so a team cannot raise its own limit. A phasegate stack gets its phase's ceiling; any other stack of
the organisation gets the first `stackCeilings` pattern matching `project/stack`, else `ceilingUsd`, and a stack
without either fails closed with the one line that says what to set. The ceiling fails closed: a resource that costs
money but cannot be priced, a price-relevant value unknown at preview, or usage a priced resource needs but no one
declared means the stack cannot be shown to fit, which is a violation unless the platform owner prices the type
(`prices`) or accepts it (`allowUnpriced`).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
from pulumi_policy import ReportViolation, StackValidationArgs

from ..contract import DEFAULT_CEILINGS, PHASES
from ..cost import USAGE_KEYS, estimate, parse_usage
from ..declare import ADVISORY, MANDATORY, stack_policy
from ..engine import UNKNOWN, as_number, declared, dig
from ..props import with_config_defaults
from ..stack import StackInfo, current_stack, priced_view

CEILING_SCHEMA = {
    "ceilings": {
        "type": "object",
        "description": "Maximum estimated monthly USD per phase.",
        "properties": {phase: {"type": "number", "minimum": 0} for phase in PHASES},
        "additionalProperties": False,
        "default": DEFAULT_CEILINGS,
    },
    "ceilingUsd": {"type": ["number", "null"], "minimum": 0, "default": None,
                   "description": "Maximum estimated monthly USD of any stack without a phasegate:phase (another "
                                  "program of the organisation) that no stackCeilings pattern matches."},
    "stackCeilings": {
        "type": "array", "default": [],
        "description": "Ceilings by stack, in order: the first entry whose pattern (a shell glob on project/stack, "
                       "e.g. 'shop-*/prod') matches applies. A phasegate stack keeps its phase's ceiling unless the "
                       "entry sets overridePhase.",
        "items": {"type": "object", "required": ["pattern", "usd"], "additionalProperties": False,
                  "properties": {"pattern": {"type": "string", "minLength": 1},
                                 "usd": {"type": "number", "minimum": 0},
                                 "overridePhase": {"type": "boolean", "default": False}}},
    },
    "usage": {"type": "object", "additionalProperties": False, "default": {},
              "description": "Usage assumed for a stack that declares no phasegate:usage (same keys).",
              "properties": {name: {"type": "number", "minimum": 0, "description": key.description}
                             for name, key in USAGE_KEYS.items()}},
    "prices": {"type": "object", "default": {}, "additionalProperties": {"type": "number", "minimum": 0},
               "description": "Monthly USD per resource type the price catalog cannot price (e.g. "
                              "{\"aws:opensearch/domain:Domain\": 120}): counted in the estimate instead of failing "
                              "it."},
    "topDrivers": {"type": "integer", "minimum": 1, "default": 3, "description": "Cost drivers named in the message."},
    "allowUnpriced": {"type": "array", "items": {"type": "string"}, "default": [],
                      "description": "Resource types the platform owner accepts without a price (priced elsewhere); "
                                     "any other resource that cannot be priced fails the ceiling."},
}


@dataclass(frozen=True)
class Ceiling:
    usd: float
    label: str  # "the mvp ceiling", "the ceiling for shop-*/prod"
    advice: str  # how to get under it
    budget_fix: str  # how to bring a Budget under it


def ceiling_for(config: dict, phase: str) -> float:
    ceilings = {**DEFAULT_CEILINGS, **(config.get("ceilings") or {})}
    return float(ceilings[phase])


def project_name() -> str:
    try:
        return pulumi.get_project()
    except Exception:  # noqa: BLE001 - outside an engine run there is no project
        return "unknown"


def stack_ceiling(config: dict, stack: StackInfo, project: str) -> Ceiling | str:
    """The ceiling that applies to `project/stack`, or the one line saying why none does."""
    target = f"{project}/{stack.name}"
    entry = next((e for e in config["stackCeilings"] if fnmatch.fnmatchcase(target, e["pattern"])), None)
    budget_fix = ("set phasegate:billing.monthlyBudgetUsd to at most {usd:g}" if stack.phase is not None else
                  "set its limitAmount to at most {usd:g}")
    if stack.phase is not None and not (entry and entry.get("overridePhase")):
        if stack.phase not in PHASES:
            return (f"phasegate:phase is {stack.phase!r}; set it to one of {', '.join(PHASES)} so the cost ceiling of "
                    f"that phase applies.")
        return Ceiling(ceiling_for(config, stack.phase), f"the {stack.phase} ceiling",
                       "Size down these resources or move the stack to the next phase.", budget_fix)
    advice = "Size down these resources, or ask the platform owner for a higher ceiling."
    if entry is not None:
        return Ceiling(float(entry["usd"]), f"the ceiling for {entry['pattern']} (cost-ceiling: stackCeilings)",
                       advice, budget_fix)
    if config.get("ceilingUsd") is not None:
        return Ceiling(float(config["ceilingUsd"]), "the organisation's ceiling (cost-ceiling: ceilingUsd)", advice,
                       budget_fix)
    return (f"No cost ceiling applies to {target}: it sets no phasegate:phase, and the pack config has neither "
            f"cost-ceiling: ceilingUsd nor a cost-ceiling: stackCeilings pattern matching it; the platform owner sets "
            f"one of them.")


def stack_usage(config: dict, stack: StackInfo) -> tuple[Any, tuple[str, ...]]:
    """The stack's declared usage, or the pack config's default when the stack declares none."""
    if stack.usage.declared or stack.usage_problems or not config.get("usage"):
        return stack.usage, stack.usage_problems
    usage, problems = parse_usage(config["usage"])
    return usage, tuple(f"cost-ceiling: usage: {p}" for p in problems)


def _validate_cost_ceiling(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = with_config_defaults(args.get_config(), CEILING_SCHEMA)
    stack = current_stack()
    ceiling = stack_ceiling(config, stack, project_name())
    if isinstance(ceiling, str):
        report_violation(ceiling)
        return
    usage, usage_problems = stack_usage(config, stack)
    result = estimate(priced_view(args.resources, stack.region), usage, stack.region, prices=config["prices"])
    cannot = f"Cannot show that the stack fits its ${ceiling.usd:.2f} ceiling"
    if result.total > ceiling.usd:
        drivers = ", ".join(f"{name} ${usd:.2f}" for name, usd in result.top_drivers(int(config["topDrivers"])))
        report_violation(
            f"Estimated ${result.total:.2f}/month exceeds {ceiling.label} of ${ceiling.usd:.2f} by "
            f"${result.total - ceiling.usd:.2f}. Top cost drivers: {drivers}. {ceiling.advice}")
    accepted = set(config["allowUnpriced"])
    names = {r.urn: r.name for r in args.resources}
    for urn, typ, reason in result.unpriced:
        if typ not in accepted:
            report_violation(f"{cannot}: {names.get(urn, urn)} ({typ}) {reason}. Use a type and size the price catalog "
                             f"lists, or have the platform owner price it (cost-ceiling: prices) or accept it in the "
                             f"pack config (cost-ceiling: allowUnpriced).", urn)
    for urn, typ, what in result.unknown:
        report_violation(f"{cannot}: {names.get(urn, urn)} ({typ}) cannot be priced because its {what}.", urn)
    for problem in usage_problems:
        report_violation(f"{cannot}: {problem}; usage-based costs are priced only from declared assumptions.")
    for resource in args.resources:
        if resource.resource_type != "aws:budgets/budget:Budget":
            continue
        limit = as_number(dig(declared(resource), "limitAmount"))
        if limit is not None and limit is not UNKNOWN and limit > ceiling.usd:
            report_violation(
                f"Budget {resource.name} allows ${limit:.2f}/month, above {ceiling.label} of ${ceiling.usd:.2f}; "
                f"{ceiling.budget_fix.format(usd=ceiling.usd)}.", resource.urn)


COVERAGE_SCHEMA = {"ignoreTypes": {"type": "array", "items": {"type": "string"}, "default": [],
                                   "description": "Resource types whose missing price needs no reminder."}}


def _outside_line(outside: list[tuple[str, str]]) -> Optional[str]:
    types = sorted({typ for _, typ in outside})
    if not types:
        return None
    return (f"{', '.join(types)} may create AWS resources outside the graph (a command, an image pushed to a "
            f"registry), which the estimate cannot see: check what they create, and price it with cost-ceiling: "
            f"prices if it bills.")


def _validate_cost_coverage(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A reminder of what is priced roughly: derived sizes, types accepted without a price, and what other providers
    may create outside the graph."""
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
    outside = _outside_line([(urn, typ) for urn, typ in result.outside if typ not in ignored])
    if outside:
        report_violation(outside)


POLICIES = [
    stack_policy("cost-ceiling", "The stack's estimated monthly cost provably stays within its ceiling (its phase's, "
                 "or the one the pack config sets for it), and so does its Budget.", MANDATORY, _validate_cost_ceiling,
                 CEILING_SCHEMA),
    stack_policy("cost-coverage", "Every resource that costs money is priced from a listed price, not derived or "
                 "accepted unpriced.", ADVISORY, _validate_cost_coverage, COVERAGE_SCHEMA),
]
