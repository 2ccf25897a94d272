"""The policy pack, driven over gRPC exactly as the engine drives it: a passing MVP graph, then one break per test."""

from __future__ import annotations

import json

import pytest

from conftest import DELETE, ROOT, extra_resource, find, set_prop
from offline.analyzer import PackError, evaluate


def check(resources, config, pack_config=None, stack="mvp"):
    return evaluate(resources, stack=stack, project="phasegate", config=config, pack_config=pack_config)


def messages(evaluation, policy):
    return [v.message.split("\n", 1)[1] for v in evaluation.violations if v.policy == policy]


def test_the_mvp_graph_passes_every_policy(mvp):
    evaluation = check(mvp.resources, mvp.config)
    assert evaluation.pack == "phasegate"
    assert evaluation.violations == []
    assert evaluation.policies == {
        "cost-ceiling": "mandatory", "cost-coverage": "advisory", "encryption-at-rest": "mandatory",
        "encryption-at-rest-s3": "mandatory", "public-ingress": "mandatory", "private-subnets": "mandatory",
        "billing-alarms": "mandatory", "imdsv2-required": "advisory", "backup-retention": "advisory",
        "deletion-protection": "advisory", "required-tags": "advisory", "log-retention": "advisory"}


# --- cost-ceiling -------------------------------------------------------------------------------------------

def test_an_instance_too_big_for_the_phase_breaks_the_ceiling(mvp, mvp_graph):
    graph = mvp_graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "m6i.large")
    evaluation = check(graph, mvp.config)
    [message] = messages(evaluation, "cost-ceiling")
    assert message.startswith("Estimated $90.80/month exceeds the mvp ceiling of $45.00 by $45.80. "
                              "Top cost drivers: acme-app-host $72.48, acme-db-postgres $14.38, acme-app-ip $3.65.")
    assert [v.level for v in evaluation.violations] == ["mandatory"]


def test_the_platform_owner_sets_the_ceilings_in_the_pack_config(mvp, mvp_graph):
    tight = check(mvp.resources, mvp.config, pack_config={"cost-ceiling": {"ceilings": {"mvp": 30}}})
    assert messages(tight, "cost-ceiling")[0].startswith("Estimated $35.91/month exceeds the mvp ceiling of $30.00")
    graph = mvp_graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "m6i.large")
    generous = check(graph, mvp.config, pack_config={"cost-ceiling": {"ceilings": {"mvp": 100}}})
    assert messages(generous, "cost-ceiling") == []


def test_a_budget_above_the_ceiling_is_a_violation(mvp, mvp_graph):
    graph = mvp_graph()
    budget = find(graph, "acme-billing-budget")
    set_prop(budget, "limitAmount", "60.00")
    evaluation = check(graph, mvp.config)
    assert messages(evaluation, "cost-ceiling") == [
        "Budget acme-billing-budget allows $60.00/month, above the mvp ceiling of $45.00; set "
        "phasegate:billing.monthlyBudgetUsd to at most 45."]
    assert evaluation.violations[0].urn == budget.urn


def test_a_stack_without_a_known_phase_cannot_pass_the_ceiling(mvp):
    config = {**mvp.config, "phasegate:phase": "staging"}
    assert messages(check(mvp.resources, config), "cost-ceiling") == [
        "phasegate:phase is 'staging'; set it to one of mvp, growth, production so the cost ceiling of that "
        "phase applies."]


# --- cost-coverage ------------------------------------------------------------------------------------------

def test_an_unpriced_resource_type_is_reported_never_zero(mvp, mvp_graph):
    graph = mvp_graph() + [extra_resource("aws:opensearch/domain:Domain", "search", {"engineVersion": "2.13"})]
    assert messages(check(graph, mvp.config), "cost-coverage") == [
        "aws:opensearch/domain:Domain is not priced (no price for this resource type): add it to the price catalog "
        "or declare it free, so the cost ceiling covers it."]


def test_undeclared_usage_is_reported(mvp):
    config = {k: v for k, v in mvp.config.items() if k != "phasegate:usage"}
    reported = messages(check(mvp.resources, config), "cost-coverage")
    assert reported[0] == ("phasegate:usage.gbServedPerMonth is not declared: declare it in the stack file; "
                           "usage-based costs are priced only from declared assumptions.")
    assert len(reported) == 4


# --- encryption-at-rest -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, path, value, expected", [
    ("acme-db-postgres", "storageEncrypted", False,
     "acme-db-postgres: storageEncrypted is not true: set storage_encrypted=True (it cannot be turned on later "
     "without a restore)."),
    ("acme-app-host", "rootBlockDevice.encrypted", False,
     "acme-app-host: the root volume is not encrypted: set root_block_device.encrypted=True."),
    ("acme-app-host", "ebsBlockDevices", [{"deviceName": "/dev/sdf", "volumeSize": 10}],
     "acme-app-host: ebsBlockDevices[0] is not encrypted: set encrypted=True."),
])
def test_unencrypted_storage_is_a_violation(mvp, mvp_graph, name, path, value, expected):
    graph = mvp_graph()
    set_prop(find(graph, name), path, value)
    evaluation = check(graph, mvp.config)
    assert messages(evaluation, "encryption-at-rest") == [expected]
    assert evaluation.violations[0].urn == find(graph, name).urn


def test_cache_and_kubernetes_secrets_must_be_encrypted(mvp, mvp_graph):
    tags = {"phasegate:phase": "mvp", "phasegate:stack": "mvp", "phasegate:app": "acme"}
    cache = extra_resource("aws:elasticache/replicationGroup:ReplicationGroup", "c", {
        "nodeType": "cache.t4g.micro", "atRestEncryptionEnabled": "false", "transitEncryptionEnabled": False,
        "tags": tags})
    eks = extra_resource("aws:eks/cluster:Cluster", "k", {"roleArn": "arn", "tags": tags})
    evaluation = check(mvp_graph() + [cache, eks], mvp.config)
    # Nothing else is reported: the extra $11.68 + $73 breaks the ceiling, and no policy crashed.
    assert sorted({v.policy for v in evaluation.violations}) == ["cost-ceiling", "encryption-at-rest"]
    assert messages(evaluation, "encryption-at-rest") == [
        "c: atRestEncryptionEnabled is not true: set at_rest_encryption_enabled=True.",
        "c: transitEncryptionEnabled is not true: set transit_encryption_enabled=True (and use TLS clients).",
        "k: Kubernetes secrets are not envelope-encrypted: set encryption_config with a KMS key for 'secrets'."]


def test_a_bucket_without_an_explicit_encryption_configuration_is_a_violation(mvp, mvp_graph):
    graph = [r for r in mvp_graph() if r.name != "acme-assets-sse"]
    bucket = find(graph, "acme-assets-bucket")
    evaluation = check(graph, mvp.config)
    assert messages(evaluation, "encryption-at-rest-s3") == [
        "Bucket acme-assets-bucket has no server-side encryption configuration with an allowed algorithm (AES256, "
        "aws:kms, aws:kms:dsse): add an aws.s3.BucketServerSideEncryptionConfiguration for it."]
    assert evaluation.violations[0].urn == bucket.urn


# --- public-ingress / private-subnets -----------------------------------------------------------------------

@pytest.mark.parametrize("port, protocol, expected", [
    (22, "tcp", "acme-web-80-ipv4 opens port 22, including SSH (22) to 0.0.0.0/0. Only TCP [80, 443] may face the "
                "internet: put other services behind the load balancer or admit a security group instead."),
    (5432, "tcp", "acme-web-80-ipv4 opens port 5432, including PostgreSQL (5432) to 0.0.0.0/0. Only TCP [80, 443] "
                  "may face the internet: put other services behind the load balancer or admit a security group "
                  "instead."),
    (8080, "tcp", "acme-web-80-ipv4 opens port 8080 to 0.0.0.0/0. Only TCP [80, 443] may face the internet: put "
                  "other services behind the load balancer or admit a security group instead."),
])
def test_only_web_ports_may_face_the_internet(mvp, mvp_graph, port, protocol, expected):
    graph = mvp_graph()
    rule = find(graph, "acme-web-80-ipv4")
    set_prop(rule, "fromPort", port)
    set_prop(rule, "toPort", port)
    assert messages(check(graph, mvp.config), "public-ingress") == [expected]


def test_an_all_traffic_rule_from_anywhere_names_every_sensitive_port(mvp, mvp_graph):
    graph = mvp_graph()
    rule = find(graph, "acme-web-443-ipv6")
    set_prop(rule, "ipProtocol", "-1")
    [message] = messages(check(graph, mvp.config), "public-ingress")
    assert message.startswith("acme-web-443-ipv6 opens all ports, including SSH (22), RDP (3389), PostgreSQL (5432)")
    assert "to ::/0" in message


def test_inline_security_group_rules_are_checked_too(mvp, mvp_graph):
    graph = mvp_graph()
    set_prop(find(graph, "acme-db-sg"), "ingress",
             [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["0.0.0.0/0"]}])
    assert messages(check(graph, mvp.config), "public-ingress") == [
        "acme-db-sg opens port 5432, including PostgreSQL (5432) to 0.0.0.0/0. Only TCP [80, 443] may face the "
        "internet: put other services behind the load balancer or admit a security group instead."]


def test_a_publicly_accessible_database_is_a_violation(mvp, mvp_graph):
    graph = mvp_graph()
    set_prop(find(graph, "acme-db-postgres"), "publiclyAccessible", True)
    assert messages(check(graph, mvp.config), "private-subnets") == [
        "Database acme-db-postgres is publicly accessible: set publicly_accessible=False."]


def test_a_database_subnet_group_on_a_public_subnet_is_a_violation(mvp, mvp_graph):
    graph = mvp_graph()
    group, public = find(graph, "acme-db-subnets"), find(graph, "acme-net-public-0")
    set_prop(group, "subnetIds", [public.id, find(graph, "acme-net-private-1").id])
    group.property_dependencies["subnetIds"] = [public.urn, find(graph, "acme-net-private-1").urn]
    assert messages(check(graph, mvp.config), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-public-0: use private subnets "
        "only (no route to an internet gateway)."]


def test_a_subnet_that_maps_public_ips_is_public(mvp, mvp_graph):
    graph = mvp_graph()
    set_prop(find(graph, "acme-net-private-0"), "mapPublicIpOnLaunch", True)
    assert messages(check(graph, mvp.config), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-private-0: use private subnets "
        "only (no route to an internet gateway)."]


# --- billing-alarms -----------------------------------------------------------------------------------------

def test_a_stack_without_a_budget_or_charges_alarm_fails(mvp, mvp_graph):
    graph = [r for r in mvp_graph() if r.name not in ("acme-billing-budget", "acme-billing-estimated-charges")]
    assert messages(check(graph, mvp.config), "billing-alarms") == [
        "No AWS Budget: add an aws.budgets.Budget (COST, MONTHLY) with e-mail notifications.",
        "No EstimatedCharges alarm: add a CloudWatch alarm on AWS/Billing EstimatedCharges in us-east-1 with an SNS "
        "action."]


def test_a_budget_that_notifies_nobody_fails(mvp, mvp_graph):
    graph = mvp_graph()
    budget = find(graph, "acme-billing-budget")
    for index in range(len(budget.inputs["notifications"])):
        set_prop(budget, f"notifications.{index}.subscriberEmailAddresses", [])
    assert messages(check(graph, mvp.config), "billing-alarms") == [
        "No Budget notifies anyone: give a notification subscriber_email_addresses or subscriber_sns_topic_arns."]


@pytest.mark.parametrize("path, value", [("region", "eu-west-1"), ("alarmActions", [])])
def test_a_charges_alarm_outside_us_east_1_or_without_action_fails(mvp, mvp_graph, path, value):
    graph = mvp_graph()
    set_prop(find(graph, "acme-billing-estimated-charges"), path, value)
    region = value if path == "region" else "us-east-1"
    assert messages(check(graph, mvp.config), "billing-alarms") == [
        f"EstimatedCharges alarms acme-billing-estimated-charges ({region}) cannot fire or notify: billing metrics "
        f"exist only in us-east-1 (use a us-east-1 provider) and the alarm needs an alarm action."]


def test_the_charges_alarm_region_comes_from_its_provider_at_preview(mvp, mvp_graph):
    """At preview a v7 resource may not report its region yet; the engine still sends its provider."""
    graph = mvp_graph()
    set_prop(find(graph, "acme-billing-estimated-charges"), "region", DELETE)
    config = {**mvp.config, "aws:region": "eu-west-1"}
    assert len(messages(check(graph, config), "billing-alarms")) == 1  # default provider: the stack's eu-west-1


# --- advisory hygiene ---------------------------------------------------------------------------------------

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
def test_advisory_policies_warn_without_failing(mvp, mvp_graph, name, path, value, policy, expected):
    graph = mvp_graph()
    set_prop(find(graph, name), path, value)
    evaluation = check(graph, mvp.config)
    assert messages(evaluation, policy) == [expected]
    assert evaluation.mandatory_failures == []


def test_production_databases_need_deletion_protection(mvp, mvp_graph):
    graph = mvp_graph()
    db = find(graph, "acme-db-postgres")
    set_prop(db, "deletionProtection", False)
    db.protect = False
    config = {**mvp.config, "phasegate:phase": "production"}
    assert messages(check(graph, config), "deletion-protection") == [
        "acme-db-postgres is a production database without deletion protection: set deletion_protection=True.",
        "acme-db-postgres is not protected in Pulumi: set ResourceOptions(protect=True)."]
    assert messages(check(graph, mvp.config), "deletion-protection") == []


def test_enforcement_levels_can_be_changed_and_policies_disabled(mvp, mvp_graph):
    graph = mvp_graph()
    set_prop(find(graph, "acme-app-host"), "metadataOptions.httpTokens", "optional")
    evaluation = check(graph, mvp.config, pack_config={"imdsv2-required": "mandatory", "log-retention": "disabled"})
    assert [(v.policy, v.level) for v in evaluation.violations] == [("imdsv2-required", "mandatory")]
    assert evaluation.policies["log-retention"] == "disabled"


def test_a_pack_config_naming_an_unknown_policy_is_refused(mvp):
    with pytest.raises(PackError, match="unknown policies: no-such-policy"):
        check(mvp.resources, mvp.config, pack_config={"no-such-policy": "mandatory"})


def test_policies_declare_their_config_schemas_over_grpc(mvp):
    from offline.analyzer import PolicyPackProcess
    from google.protobuf import json_format

    with PolicyPackProcess(stack="mvp", project="phasegate", config=mvp.config) as pack:
        schemas = {p.name: json_format.MessageToDict(p.configSchema.properties) for p in pack.info.policies}
    assert schemas["cost-ceiling"]["ceilings"]["default"] == {"mvp": 45, "growth": 105, "production": 412}
    assert schemas["public-ingress"]["allowedPorts"]["default"] == [80, 443]
    assert json.loads(json.dumps(schemas["backup-retention"]))["minimumDays"]["default"] == 7
    # Every policy declares what can be configured, with defaults.
    assert all(schemas[name] and all("default" in spec for spec in schemas[name].values()) for name in schemas)


@pytest.mark.parametrize("pack_config, change, policy, expected", [
    ({"encryption-at-rest": {"requireCustomerManagedKey": True}}, None, "encryption-at-rest",
     ["acme-db-postgres: encrypted with an AWS-managed key; set kmsKeyId to a customer-managed KMS key.",
      "acme-app-host: encrypted with an AWS-managed key; set rootBlockDevice.kmsKeyId to a customer-managed KMS key."]),
    ({"encryption-at-rest-s3": {"allowedAlgorithms": ["aws:kms"]}}, None, "encryption-at-rest-s3",
     ["Bucket acme-assets-bucket has no server-side encryption configuration with an allowed algorithm (aws:kms): "
      "add an aws.s3.BucketServerSideEncryptionConfiguration for it."]),
    ({"billing-alarms": {"requireForecastedNotification": True}},
     ("acme-billing-budget", "notifications", [{"notificationType": "ACTUAL", "threshold": 80,
                                                "comparisonOperator": "GREATER_THAN", "thresholdType": "PERCENTAGE",
                                                "subscriberEmailAddresses": ["ops@acme.example"]}]),
     "billing-alarms", ["No Budget warns on the forecast: add a FORECASTED notification (e.g. at 100%)."]),
    ({"required-tags": {"enforcementLevel": "mandatory", "requiredTags": ["cost-center"]}}, None, "required-tags",
     None),
    ({"log-retention": {"maximumDays": 7}}, None, "log-retention",
     ["Log group acme-app-logs keeps logs 14 days; keep at most 7 or archive to S3."]),
    ({"imdsv2-required": {"maximumHopLimit": 1}}, None, "imdsv2-required",
     ["acme-app-host lets instance credentials travel 2 network hops; keep http_put_response_hop_limit at most 1."]),
    ({"deletion-protection": {"phases": ["mvp", "production"]}},
     ("acme-db-postgres", "deletionProtection", False), "deletion-protection",
     ["acme-db-postgres is a mvp database without deletion protection: set deletion_protection=True."]),
])
def test_policy_config_tightens_a_policy(mvp, mvp_graph, pack_config, change, policy, expected):
    graph = mvp_graph()
    if change:
        set_prop(find(graph, change[0]), change[1], change[2])
    evaluation = check(graph, mvp.config, pack_config=pack_config)
    reported = messages(evaluation, policy)
    if expected is None:  # every taggable resource lacks the new tag, and the level made it mandatory
        assert len(reported) == 36 and all(m.endswith("lacks tag(s) cost-center: cost allocation and ownership "
                                                      "need them.") for m in reported)
        assert {v.level for v in evaluation.violations} == {"mandatory"}
    else:
        assert reported == expected
    assert messages(check(graph, mvp.config), policy) == []  # the defaults accept the same graph


def test_a_crashing_policy_reports_a_violation_instead_of_aborting_the_preview():
    from phasegate_policies.guard import guarded
    from pulumi_policy import StackValidationPolicy

    def broken(args, report_violation):
        raise KeyError("limitAmount")

    reported = []
    guarded(StackValidationPolicy(name="broken", description="d", validate=broken)).validate(
        None, lambda message, urn=None: reported.append(message))
    assert reported == ["policy broken failed on this input (KeyError: 'limitAmount' at test_policies.py:"
                        f"{broken.__code__.co_firstlineno + 1}); please report it."]


def test_values_unknown_at_preview_become_advisories_not_crashes(mvp, mvp_graph):
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    graph = mvp_graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", UNKNOWN_STRING_VALUE)
    evaluation = check(graph, mvp.config)
    assert evaluation.mandatory_failures == []
    assert messages(evaluation, "cost-coverage") == [
        "aws:ec2/instance:Instance cannot be priced yet: string value at .instanceType can't be known during "
        "preview. The estimate leaves it out until it is known."]


def test_a_route_resource_to_the_internet_gateway_makes_its_subnets_public(mvp, mvp_graph):
    """Routes may be separate aws.ec2.Route resources instead of inline routes; both count."""
    graph = mvp_graph()
    private_table, igw = find(graph, "acme-net-private-rt-0"), find(graph, "acme-net-igw")
    graph.append(extra_resource("aws:ec2/route:Route", "leak", {
        "routeTableId": private_table.id, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": igw.id}))
    graph[-1].property_dependencies = {"routeTableId": [private_table.urn], "gatewayId": [igw.urn]}
    assert messages(check(graph, mvp.config), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-private-0, acme-net-private-1: "
        "use private subnets only (no route to an internet gateway)."]


def test_the_pack_directory_is_self_contained(tmp_path, mvp):
    """What `pulumi preview --policy-pack policies` loads, or `pulumi policy publish` uploads, is this folder alone."""
    import shutil

    from offline.analyzer import PolicyPackProcess

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "policies", pack, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    assert (pack / "PulumiPolicy.yaml").read_text().splitlines()[2:4] == ["  name: python", "  options:"]
    with PolicyPackProcess(stack="mvp", project="phasegate", config=mvp.config, pack_dir=pack) as process:
        assert process.info.name == "phasegate" and len(process.info.policies) == 12
    evaluation = evaluate(mvp.resources, stack="mvp", project="phasegate", config=mvp.config, pack_dir=pack)
    assert evaluation.violations == []
