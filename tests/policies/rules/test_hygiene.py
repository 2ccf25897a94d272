"""The hygiene rules (rules/hygiene.py): backups-enabled (mandatory), imdsv2-required, cdn-tls-minimum,
backup-retention, deletion-protection, required-tags and log-retention (advisory), over gRPC at a first preview and at
an update (the `mode` fixture): the passing MVP graph (and the runtimes' graphs), then one break per test."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import DELETE, extra_resource, find, set_prop

from .helpers import NOT_COSTED, TAGS, check, config_tightens, launch_template, messages, uses_template
from .runtime_graphs import containers, fargate, serverless


def test_disabled_backups_are_mandatory_and_short_ones_advisory(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "backupRetentionPeriod", 0)
    evaluation = check(mode, graph)
    assert [(v.policy, v.level) for v in evaluation.violations] == [("backups-enabled", "mandatory")]
    assert messages(evaluation, "backups-enabled") == [
        "acme-db-postgres has automated backups disabled (backup_retention_period=0): set it to at least 1, 7 or "
        "more recommended."]
    set_prop(find(graph, "acme-db-postgres"), "backupRetentionPeriod", 3)
    evaluation = check(mode, graph)
    assert [(v.policy, v.level) for v in evaluation.violations] == [("backup-retention", "advisory")]


@pytest.mark.parametrize("name, path, value, policy, expected", [
    ("acme-app-host", "metadataOptions.httpTokens", "optional", "imdsv2-required",
     "acme-app-host allows IMDSv1: set metadata_options.http_tokens='required'."),
    ("acme-db-postgres", "backupRetentionPeriod", 3, "backup-retention",
     "acme-db-postgres keeps backups 3 day(s); keep at least 7 (backup_retention_period)."),
    ("acme-app-logs", "retentionInDays", DELETE, "log-retention",
     "Log group acme-app-logs keeps logs forever: set retention_in_days."),
    ("acme-net-vpc", "tags", {"Name": "acme-net-vpc"}, "required-tags",
     "acme-net-vpc lacks tag(s) phasegate:phase, phasegate:stack, phasegate:app: cost allocation and ownership "
     "need them."),
])
def test_advisory_policies_warn_without_failing(mode, name, path, value, policy, expected):
    graph = mode.graph()
    set_prop(find(graph, name), path, value)
    evaluation = check(mode, graph)
    assert messages(evaluation, policy) == [expected]
    assert evaluation.mandatory_failures == []


def test_production_databases_need_deletion_protection(mode):
    graph = mode.graph()
    db = find(graph, "acme-db-postgres")
    set_prop(db, "deletionProtection", False)
    db.protect = False
    config = {**mode.run.config, "phasegate:phase": "production"}
    assert messages(check(mode, graph, config), "deletion-protection") == [
        "acme-db-postgres is a production database without deletion protection: set deletion_protection=True.",
        "acme-db-postgres is not protected in Pulumi: set ResourceOptions(protect=True)."]
    assert messages(check(mode, graph), "deletion-protection") == []


def test_an_autoscaling_groups_tag_blocks_count_as_its_tags(mode):
    template = launch_template(mode, "workers", instanceType="t3.micro")
    group = extra_resource("aws:autoscaling/group:Group", "workers", {
        "minSize": 1, "maxSize": 1, "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in TAGS.items()]})
    uses_template(mode, group, template)
    evaluation = check(mode, mode.graph() + [template, group])
    assert messages(evaluation, "required-tags") == []
    set_prop(group, "tags", [{"key": "Name", "value": "workers", "propagateAtLaunch": True}])
    assert messages(check(mode, mode.graph() + [template, group]), "required-tags") == [
        "workers lacks tag(s) phasegate:phase, phasegate:stack, phasegate:app: cost allocation and ownership need them."]


def test_runtime_resources_carry_the_required_tags(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    set_prop(find(runtime, "acme-web-service"), "tags", {"Name": "web"})
    assert messages(check(mode, graph + runtime, pack_config=NOT_COSTED), "required-tags") == [
        "acme-web-service lacks tag(s) phasegate:phase, phasegate:stack, phasegate:app: cost allocation and ownership "
        "need them."]


def test_a_task_logging_to_a_group_the_stack_does_not_declare_is_warned(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph, definitions=containers(log_group="/ecs/elsewhere"))
    find(runtime, "acme-web-task").property_dependencies["containerDefinitions"] = []
    evaluation = check(mode, graph + runtime, pack_config=NOT_COSTED)
    assert messages(evaluation, "log-retention") == [
        "Task definition acme-web-task: container web logs to /ecs/elsewhere, which is not a log group of this stack, "
        "so its retention cannot be shown (awslogs-create-group makes one that keeps logs forever): declare it with "
        "retention_in_days."]
    assert evaluation.mandatory_failures == []


def test_a_function_whose_log_group_lambda_creates_is_warned(mode):
    graph = mode.graph()
    runtime = [r for r in serverless(mode, graph) if r.name != "acme-fn-logs"]
    assert messages(check(mode, graph + runtime, pack_config=NOT_COSTED), "log-retention") == [
        "Lambda function acme-fn writes to the log group Lambda creates (/aws/lambda/<function name>), which keeps logs "
        "forever: declare that log group with retention_in_days, or set logging_config log_group to one of this "
        "stack's."]


@pytest.mark.parametrize("pack_config, change, policy, expected", [
    ({"log-retention": {"maximumDays": 7}}, None, "log-retention",
     ["Log group acme-app-logs keeps logs 14 days; keep at most 7 or archive to S3."]),
    ({"imdsv2-required": {"maximumHopLimit": 1}}, None, "imdsv2-required",
     ["acme-app-host lets instance credentials travel 2 network hops; keep http_put_response_hop_limit at most 1."]),
    ({"deletion-protection": {"phases": ["mvp", "production"]}},
     ("acme-db-postgres", "deletionProtection", False), "deletion-protection",
     ["acme-db-postgres is a mvp database without deletion protection: set deletion_protection=True."]),
])
def test_policy_config_tightens_a_hygiene_policy(mode, pack_config, change, policy, expected):
    assert messages(config_tightens(mode, pack_config, change, policy), policy) == expected


def test_policy_config_can_require_more_tags_and_make_them_mandatory(mode):
    pack_config = {"required-tags": {"enforcementLevel": "mandatory", "requiredTags": ["cost-center"]}}
    evaluation = config_tightens(mode, pack_config, None, "required-tags")
    reported = messages(evaluation, "required-tags")
    # Every taggable resource lacks the new tag, and the level made it mandatory.
    assert len(reported) == 38 and all(m.endswith("lacks tag(s) cost-center: cost allocation and ownership "
                                                  "need them.") for m in reported)
    assert {v.level for v in evaluation.violations} == {"mandatory"}


# --- cdn-tls-minimum: never a TLS minimum CloudFront does not apply ----------------------------------------------
# Source: ViewerCertificate, CloudFront API reference
# (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html): on the default
# *.cloudfront.net certificate "CloudFront automatically sets the security policy to TLSv1 regardless of the value that
# you set here".

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def tls_findings(mode, viewer: dict, pack_config=None) -> list[str]:
    graph = mode.graph() + [extra_resource(DISTRIBUTION, "site-cdn", {"viewerCertificate": viewer})]
    return messages(check(mode, graph, pack_config=pack_config), "cdn-tls-minimum")


@pytest.mark.parametrize("viewer", [
    {"cloudfrontDefaultCertificate": True},
    {"cloudfrontDefaultCertificate": True, "minimumProtocolVersion": "TLSv1"},
    {"acmCertificateArn": UNKNOWN_STRING_VALUE, "sslSupportMethod": "sni-only",
     "minimumProtocolVersion": "TLSv1.2_2021"},
])
def test_what_cloudfront_applies_passes(mode, viewer):
    assert tls_findings(mode, viewer) == []


def test_a_tls_1_2_claim_on_the_default_certificate_is_reported(mode):
    assert tls_findings(mode, {"cloudfrontDefaultCertificate": True, "minimumProtocolVersion": "TLSv1.2_2021"}) == [
        "site-cdn asks for minimum_protocol_version TLSv1.2_2021 on CloudFront's default certificate, where CloudFront "
        "applies TLSv1 whatever it says: serve a custom domain with an ACM certificate from us-east-1 "
        "(ssl_support_method 'sni-only'), or remove the setting so nothing claims a minimum that is not in effect."]


def test_an_old_policy_on_a_custom_domain_is_reported_and_the_minimum_is_configurable(mode):
    viewer = {"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "sslSupportMethod": "sni-only",
              "minimumProtocolVersion": "TLSv1.1_2016"}
    assert tls_findings(mode, viewer) == [
        "site-cdn accepts TLSv1.1_2016 on its custom domain: set minimum_protocol_version to TLSv1.2_2021 or newer."]
    assert tls_findings(mode, viewer, pack_config={"cdn-tls-minimum": {"minimumProtocolVersion": "TLSv1"}}) == []
