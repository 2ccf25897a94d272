"""EventBridge rules (AWS service events are free) and Step Functions state transitions."""

from __future__ import annotations

import json

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from cost_helpers import node
from phasegate_policies.cost import Usage, estimate
from runtime_pricing import named_lines, usage


def test_an_aws_service_event_rule_is_free_and_a_standard_state_machine_bills_its_transitions():
    pattern = json.dumps({"source": ["aws.secretsmanager"], "detail": {"eventName": ["RotationSucceeded"]}})
    rule = node("aws:cloudwatch/eventRule:EventRule", "on-rotation", {"eventPattern": pattern})
    target = node("aws:cloudwatch/eventTarget:EventTarget", "on-rotation", {"arn": UNKNOWN_STRING_VALUE})
    machine = node("aws:sfn/stateMachine:StateMachine", "restart", {"type": "STANDARD", "definition": "{}"})
    result = estimate([rule, target, machine], usage(stateTransitionsPerMonth=10_000), "us-east-1")
    # 10,000 transitions x $0.025 per 1,000, the first 4,000 always free.
    assert named_lines(result) == [("restart", "10000 state transitions (phasegate:usage.stateTransitionsPerMonth)", 0.25),
                             ("(stack usage)", "always-free: first 4000 state transitions", -0.1)]
    assert result.unpriced == [] and result.unknown == []
    undeclared = estimate([machine], Usage(), "us-east-1")
    assert undeclared.unknown[0][2].startswith("state transitions are priced from "
                                               "phasegate:usage.stateTransitionsPerMonth, which is not declared")
    custom = estimate([node(rule.type, "custom", {"eventPattern": json.dumps({"source": ["acme.orders"]})})],
                      Usage(), "us-east-1")
    assert custom.unpriced[0][2].startswith("matches events other than AWS services' on the default bus")
