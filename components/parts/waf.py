"""AWS WAF v2 in front of the load balancer: AWS's managed rule groups plus a per-IP rate limit.

The web ACL is REGIONAL and associated with the ALB, so every request the app sees has been inspected. (A web
ACL for CloudFront would have scope CLOUDFRONT and live in us-east-1; the CDN serves only static assets from a
private bucket, so phasegate does not put one there.)

Request bodies: an ALB forwards only the first 8 KB of a body to WAF, a fixed limit ("Application Load Balancer
and AWS AppSync: 8 KB, not adjustable", https://docs.aws.amazon.com/waf/latest/developerguide/web-request-body-inspection.html),
and the core rule set's SizeRestrictions_BODY blocks every body over 8 KB
(https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html): JSON posts, forms
and uploads. That one rule is set to count; it still labels such requests
(`awswaf:managed:aws:core-rule-set:SizeRestrictions_Body`), and a rule of ours blocks labelled requests only on the
path prefixes `waf.bodySizeLimitPaths` names. Real body limits are the proxies' (each service's `maxBodyMb`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.wafv2 as wafv2

from ..config.models import Waf as WafConfig
from .tags import Tagger

# AWS managed rule groups (no subscription fee beyond WAF's per-rule price): the core rule set (OWASP top
# risks), known bad inputs (Log4j and similar exploit patterns) and the Amazon IP reputation list.
MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                       "AWSManagedRulesAmazonIpReputationList")
# Rules of a managed group set to count instead of block, and the label each still adds to the request.
COUNTED_RULES = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}
BODY_SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"


@dataclass(frozen=True)
class WafArgs:
    config: WafConfig
    load_balancer_arn: pulumi.Input[str]
    tags: Tagger


def _visibility(metric: str) -> wafv2.WebAclRuleVisibilityConfigArgs:
    return wafv2.WebAclRuleVisibilityConfigArgs(cloudwatch_metrics_enabled=True, metric_name=metric,
                                                sampled_requests_enabled=True)


def _counted(group: str) -> list[wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs]:
    return [wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
        name=rule, action_to_use=wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
            count=wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()))
        for rule in COUNTED_RULES.get(group, ())] or None


def _path_starts_with(prefix: str) -> wafv2.WebAclRuleStatementArgs:
    return wafv2.WebAclRuleStatementArgs(byte_match_statement=wafv2.WebAclRuleStatementByteMatchStatementArgs(
        search_string=prefix, positional_constraint="STARTS_WITH",
        field_to_match=wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs(
            uri_path=wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchUriPathArgs()),
        text_transformations=[wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs(
            priority=0, type="NONE")]))


def _body_size_rule(paths: list[str], priority: int) -> wafv2.WebAclRuleArgs:
    """Blocks bodies over 8 KB on the named paths only: the core rule set's label AND one of the path prefixes.

    Label matches see only labels added by rules evaluated before them, so this rule comes after the core rule set
    (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-label-match.html)."""
    where = _path_starts_with(paths[0]) if len(paths) == 1 else wafv2.WebAclRuleStatementArgs(
        or_statement=wafv2.WebAclRuleStatementOrStatementArgs(statements=[_path_starts_with(p) for p in paths]))
    label = wafv2.WebAclRuleStatementArgs(label_match_statement=wafv2.WebAclRuleStatementLabelMatchStatementArgs(
        scope="LABEL", key=BODY_SIZE_LABEL))
    return wafv2.WebAclRuleArgs(
        name="body-over-8kb-on-limited-paths", priority=priority,
        action=wafv2.WebAclRuleActionArgs(block=wafv2.WebAclRuleActionBlockArgs()),
        statement=wafv2.WebAclRuleStatementArgs(and_statement=wafv2.WebAclRuleStatementAndStatementArgs(
            statements=[label, where])),
        visibility_config=_visibility("body-over-8kb-on-limited-paths"))


def waf_rules(config: WafConfig) -> list[wafv2.WebAclRuleArgs]:
    """The managed rule groups in priority order, the body-size rule where paths ask for it, then the rate limit."""
    rules = [
        wafv2.WebAclRuleArgs(
            name=group, priority=index,
            override_action=wafv2.WebAclRuleOverrideActionArgs(none=wafv2.WebAclRuleOverrideActionNoneArgs()),
            statement=wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name=group, vendor_name="AWS", rule_action_overrides=_counted(group))),
            visibility_config=_visibility(group))
        for index, group in enumerate(MANAGED_RULE_GROUPS)
    ]
    if config.body_size_limit_paths:
        rules.append(_body_size_rule(list(config.body_size_limit_paths), len(rules)))
    rules.append(wafv2.WebAclRuleArgs(
        name="rate-limit-per-ip", priority=len(rules),
        action=wafv2.WebAclRuleActionArgs(block=wafv2.WebAclRuleActionBlockArgs()),
        statement=wafv2.WebAclRuleStatementArgs(rate_based_statement=wafv2.WebAclRuleStatementRateBasedStatementArgs(
            aggregate_key_type="IP", limit=config.rate_limit_per_5_minutes, evaluation_window_sec=300)),
        visibility_config=_visibility("rate-limit-per-ip")))
    return rules


class Waf(pulumi.ComponentResource):
    def __init__(self, name: str, args: WafArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:waf:Waf", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.acl = wafv2.WebAcl(
            f"{name}-acl", scope="REGIONAL", description=f"{name}: managed rule groups and a per-IP rate limit",
            default_action=wafv2.WebAclDefaultActionArgs(allow=wafv2.WebAclDefaultActionAllowArgs()),
            rules=waf_rules(args.config),
            visibility_config=wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=name.replace("-", ""), sampled_requests_enabled=True),
            tags=args.tags(f"{name}-acl"), opts=child)
        wafv2.WebAclAssociation(f"{name}-alb", resource_arn=args.load_balancer_arn, web_acl_arn=self.acl.arn,
                                opts=pulumi.ResourceOptions(parent=self.acl))
        self.register_outputs({"webAclArn": self.acl.arn})
