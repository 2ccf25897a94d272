"""AWS WAF v2 in front of the load balancer: AWS's managed rule groups plus a per-IP rate limit.

The web ACL is REGIONAL and associated with the ALB, so every request the app sees has been inspected. (A web
ACL for CloudFront would have scope CLOUDFRONT and live in us-east-1; the CDN serves only static assets from a
private bucket, so phasegate does not put one there.)
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


@dataclass(frozen=True)
class WafArgs:
    config: WafConfig
    load_balancer_arn: pulumi.Input[str]
    tags: Tagger


def _visibility(metric: str) -> wafv2.WebAclRuleVisibilityConfigArgs:
    return wafv2.WebAclRuleVisibilityConfigArgs(cloudwatch_metrics_enabled=True, metric_name=metric,
                                                sampled_requests_enabled=True)


def waf_rules(config: WafConfig) -> list[wafv2.WebAclRuleArgs]:
    """The managed rule groups in priority order, then the rate limit."""
    rules = [
        wafv2.WebAclRuleArgs(
            name=group, priority=index,
            override_action=wafv2.WebAclRuleOverrideActionArgs(none=wafv2.WebAclRuleOverrideActionNoneArgs()),
            statement=wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name=group, vendor_name="AWS")),
            visibility_config=_visibility(group))
        for index, group in enumerate(MANAGED_RULE_GROUPS)
    ]
    rules.append(wafv2.WebAclRuleArgs(
        name="rate-limit-per-ip", priority=len(MANAGED_RULE_GROUPS),
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
