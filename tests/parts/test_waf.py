"""The WAF part: managed rules that do not break the app, and a body-size rule only where a stack asks for it.

Sources: an ALB forwards only the first 8 KB of a body to WAF, a fixed limit
(https://docs.aws.amazon.com/waf/latest/developerguide/web-request-body-inspection.html); the core rule set's
SizeRestrictions_BODY blocks bodies over 8 KB and labels them `awswaf:managed:aws:core-rule-set:SizeRestrictions_Body`
(https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html).
"""

from __future__ import annotations

import pytest

from conftest import run_with, stack_values
from offline.program import ProgramError


def rules_with(waf: dict | None = None) -> list[dict]:
    values = stack_values("production")
    if waf is not None:
        values["phasegate:waf"] = {**values.get("phasegate:waf", {}), **waf}
    run = run_with("production", values)
    return run.one("aws:wafv2/webAcl:WebAcl").inputs["rules"]


def test_the_core_rule_set_counts_bodies_over_8_kb_instead_of_blocking_every_upload():
    rules = rules_with()
    core = next(r for r in rules if r["name"] == "AWSManagedRulesCommonRuleSet")
    assert core["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"] == [
        {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
    others = [r for r in rules if r["name"] in ("AWSManagedRulesKnownBadInputsRuleSet",
                                                "AWSManagedRulesAmazonIpReputationList")]
    assert all("ruleActionOverrides" not in r["statement"]["managedRuleGroupStatement"] for r in others)
    # Without paths there is no body rule at all: nothing blocks a body for its size alone.
    assert [r["name"] for r in rules] == ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                                          "AWSManagedRulesAmazonIpReputationList", "rate-limit-per-ip"]


def test_a_body_limit_applies_only_on_the_named_paths_after_the_rule_that_labels_it():
    rules = rules_with({"bodySizeLimitPaths": ["/login", "/api/auth"]})
    assert [(r["name"], r["priority"]) for r in rules] == [
        ("AWSManagedRulesCommonRuleSet", 0), ("AWSManagedRulesKnownBadInputsRuleSet", 1),
        ("AWSManagedRulesAmazonIpReputationList", 2), ("body-over-8kb-on-limited-paths", 3),
        ("rate-limit-per-ip", 4)]
    body = rules[3]
    assert body["action"] == {"block": {}}
    label, where = body["statement"]["andStatement"]["statements"]
    assert label == {"labelMatchStatement": {"scope": "LABEL",
                                             "key": "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"}}
    matches = [s["byteMatchStatement"] for s in where["orStatement"]["statements"]]
    assert [(m["searchString"], m["positionalConstraint"], m["fieldToMatch"]) for m in matches] == [
        ("/login", "STARTS_WITH", {"uriPath": {}}), ("/api/auth", "STARTS_WITH", {"uriPath": {}})]


def test_one_path_needs_no_or_statement():
    body = rules_with({"bodySizeLimitPaths": ["/login"]})[3]
    label, where = body["statement"]["andStatement"]["statements"]
    assert where["byteMatchStatement"]["searchString"] == "/login"


def test_a_body_limit_path_must_be_a_url_path():
    values = stack_values("production")
    values["phasegate:waf"] = {**values.get("phasegate:waf", {}), "bodySizeLimitPaths": ["login"]}
    with pytest.raises(ProgramError) as error:
        run_with("production", values)
    assert error.value.messages == [
        "Pulumi.production.yaml: phasegate:waf.bodySizeLimitPaths[0]: 'login' is not a URL path prefix: start with / "
        "and use only letters, digits and / - . _ ~ % (no spaces, quotes or braces)"]
