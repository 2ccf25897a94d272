"""Event-driven glue: EventBridge rules and Step Functions state machines.

- An **EventBridge rule** on the default bus that matches AWS services' events is free; others are unpriced.
- A **Standard state machine** bills its state transitions, from `phasegate:usage.stateTransitionsPerMonth` (which must
  be declared); the always-free 4,000 a month are one allowance line for the stack (`allowance`).
"""

from __future__ import annotations

import json

from ..engine import dig
from .base import Context, Line, Resource, StackUsage, UnknownInput, need
from .catalog import Unpriceable

STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"


def _event_rule(r: Resource, ctx: Context) -> list[Line]:
    """A rule on the default bus that matches events AWS services publish costs nothing: "AWS-service events (default
    bus): includes rule evaluation and target invocation: Free" (factualminds.com/blog/amazon-eventbridge-pricing-events-
    pipes-schema-archive, us-east-1, 2026-06-13; wring.co/blog/aws-eventbridge-pricing-guide: "AWS Service Events:
    Free"). Custom, partner and cross-account events are billed per million, which phasegate has no usage key for."""
    bus = need(dig(r.props, "eventBusName", default="default"), "eventBusName")
    if need(dig(r.props, "scheduleExpression"), "scheduleExpression") is not None:
        raise Unpriceable("is a scheduled rule, whose price phasegate has no sourced rate for")
    pattern = need(dig(r.props, "eventPattern"), "eventPattern")
    try:
        sources = json.loads(pattern).get("source") if isinstance(pattern, str) else None
    except (ValueError, AttributeError):
        sources = None
    if bus in ("default", None) and isinstance(sources, list) and sources and all(
            isinstance(s, str) and s.startswith("aws.") for s in sources):
        return []
    raise Unpriceable("matches events other than AWS services' on the default bus (custom, partner or cross-account "
                      "events are billed per million, and phasegate has no usage key for them)")


def _state_machine(r: Resource, ctx: Context) -> list[Line]:
    """Standard workflows bill state transitions: phasegate:usage.stateTransitionsPerMonth, shared evenly between the
    stack's state machines; the always-free 4,000 a month are one allowance line (`allowance`)."""
    kind = need(dig(r.props, "type", default="STANDARD"), "type")
    if kind != "STANDARD":
        raise Unpriceable(f"is an {kind} workflow, billed by requests and duration the catalog does not list")
    if not ctx.usage.is_declared("stateTransitionsPerMonth"):
        raise UnknownInput("state transitions are priced from phasegate:usage.stateTransitionsPerMonth, which is not "
                           "declared: declare how many a month its executions make")
    machines = max(1, len(ctx.graph.of_type(STATE_MACHINE)))
    transitions = ctx.usage.stateTransitionsPerMonth / machines
    share = f" / {machines} state machines" if machines > 1 else ""
    return [Line(f"{transitions:g} state transitions (phasegate:usage.stateTransitionsPerMonth{share})",
                 transitions / 1000 * ctx.catalog.price("stepFunctionsThousandTransitions", r.region))]


def allowance(stack: StackUsage) -> None:
    """Step Functions' always-free 4,000 state transitions a month, account-wide: one line for the stack."""
    machines = stack.priced(STATE_MACHINE)
    usage, free = stack.ctx.usage, stack.ctx.catalog.free
    if machines and usage.stateTransitionsPerMonth:
        used = min(usage.stateTransitionsPerMonth, free["stepFunctionsTransitions"])
        stack.add(None, f"always-free: first {free['stepFunctionsTransitions']:g} state transitions",
                  -used / 1000 * stack.ctx.catalog.price("stepFunctionsThousandTransitions", machines[0].region))


PRICERS = {
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    STATE_MACHINE: _state_machine,
}
