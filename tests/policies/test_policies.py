"""The policy pack, driven over gRPC exactly as the engine drives it: a passing MVP graph, then one break per test.

Every test runs twice (the `mode` fixture): as at the stack's first `pulumi preview` (every id, ARN and
generated name unknown, the engine's unknown sentinels in the props, property dependencies known) and as at an
update (every value known). A mandatory rule must give the same verdict in both.
"""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import DELETE, ROOT, extra_resource, find, set_prop
from offline.analyzer import PackConfigError, evaluate

TAGS = {"phasegate:phase": "mvp", "phasegate:stack": "mvp", "phasegate:app": "acme"}
POLICIES = {
    "cost-ceiling": "mandatory", "cost-coverage": "advisory", "encryption-at-rest": "mandatory",
    "encryption-at-rest-s3": "mandatory", "public-ingress": "mandatory", "public-ingress-combined": "mandatory",
    "private-subnets": "mandatory", "billing-alarms": "mandatory", "multi-az-database": "mandatory",
    "waf-protection": "mandatory", "https-redirect": "mandatory", "node-hardening": "mandatory",
    "eks-version-support": "advisory", "backups-enabled": "mandatory", "no-plaintext-secrets": "mandatory",
    "ecr-image-hygiene": "advisory", "api-access-logging": "advisory", "boot-script-no-xtrace": "mandatory",
    "node-role-dependencies": "mandatory", "ecs-capacity-providers-first": "mandatory",
    "fargate-spot-arm64-platform": "mandatory",
    "imdsv2-required": "advisory", "cdn-tls-minimum": "advisory", "backup-retention": "advisory", "deletion-protection": "advisory",
    "required-tags": "advisory", "log-retention": "advisory"}


def check(mode, resources, config=None, pack_config=None):
    return evaluate(resources, stack="mvp", project="phasegate", config=config or mode.run.config,
                    pack_config=pack_config, preview=mode.preview)


def messages(evaluation, policy):
    return [v.message.split("\n", 1)[1] for v in evaluation.violations if v.policy == policy]


def linked(resource, prop: str, *targets) -> None:
    """Point `prop` at other resources the way the engine shows it: their ids (unknown at preview) plus the
    property dependency."""
    ids = [t.id or UNKNOWN_STRING_VALUE for t in targets]
    set_prop(resource, prop, ids if len(ids) > 1 or prop.endswith("Ids") else ids[0])
    resource.property_dependencies[prop] = [t.urn for t in targets]


def test_the_preview_graph_really_is_unknown_where_aws_computes(mode):
    bucket = find(mode.run.resources, "acme-assets-bucket")
    sse = find(mode.run.resources, "acme-assets-sse")
    if mode.preview:
        assert bucket.outputs["id"] == UNKNOWN_STRING_VALUE and sse.inputs["bucket"] == UNKNOWN_STRING_VALUE
    else:
        assert sse.inputs["bucket"] == bucket.outputs["id"] != UNKNOWN_STRING_VALUE
    assert sse.property_dependencies["bucket"] == [bucket.urn]


def test_the_mvp_graph_passes_every_policy(mode):
    evaluation = check(mode, mode.run.resources)
    assert evaluation.pack == "phasegate"
    assert evaluation.violations == []
    assert evaluation.policies == POLICIES


# --- cost-ceiling -------------------------------------------------------------------------------------------

def test_an_instance_too_big_for_the_phase_breaks_the_ceiling(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "m6i.large")
    evaluation = check(mode, graph)
    [message] = messages(evaluation, "cost-ceiling")
    assert message.startswith("Estimated $90.80/month exceeds the mvp ceiling of $45.00 by $45.80. "
                              "Top cost drivers: acme-app-host $72.48, acme-db-postgres $14.38, acme-app-ip $3.65.")
    assert [v.level for v in evaluation.violations] == ["mandatory"]


@pytest.mark.parametrize("name, prop, size, total", [
    # The classes and types that used to be "unpriced", and so left out of the total, now count.
    # $35.91 - the db.t4g.micro line ($14.38) + the new size's (730 h x the listed price, storage, secret).
    ("acme-db-postgres", "instanceClass", "db.r6g.large", 188.48),
    ("acme-db-postgres", "instanceClass", "db.r6g.4xlarge", 1336.77),
    ("acme-db-postgres", "instanceClass", "db.m5.large", 154.17),
    ("acme-app-host", "instanceType", "m7i.8xlarge", 1198.07),
])
def test_a_bigger_size_is_priced_and_fails_the_ceiling(mode, name, prop, size, total):
    graph = mode.graph()
    set_prop(find(graph, name), prop, size)
    [message] = messages(check(mode, graph), "cost-ceiling")
    assert message.startswith(f"Estimated ${total:.2f}/month exceeds the mvp ceiling of $45.00")


def test_a_cheaper_older_type_is_priced_too(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "t2.micro")
    assert messages(check(mode, graph), "cost-ceiling") == []


def test_the_platform_owner_sets_the_ceilings_in_the_pack_config(mode):
    tight = check(mode, mode.run.resources, pack_config={"cost-ceiling": {"ceilings": {"mvp": 30}}})
    assert messages(tight, "cost-ceiling")[0].startswith("Estimated $35.91/month exceeds the mvp ceiling of $30.00")
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "m6i.large")
    generous = check(mode, graph, pack_config={"cost-ceiling": {"ceilings": {"mvp": 100}}})
    assert messages(generous, "cost-ceiling") == []


def test_a_budget_above_the_ceiling_is_a_violation(mode):
    graph = mode.graph()
    budget = find(graph, "acme-billing-budget")
    set_prop(budget, "limitAmount", "60.00")
    evaluation = check(mode, graph)
    assert messages(evaluation, "cost-ceiling") == [
        "Budget acme-billing-budget allows $60.00/month, above the mvp ceiling of $45.00; set "
        "phasegate:billing.monthlyBudgetUsd to at most 45."]
    assert evaluation.violations[0].urn == budget.urn


def test_a_stack_without_a_known_phase_cannot_pass_the_ceiling(mode):
    config = {**mode.run.config, "phasegate:phase": "staging"}
    assert messages(check(mode, mode.run.resources, config), "cost-ceiling") == [
        "phasegate:phase is 'staging'; set it to one of mvp, growth, production so the cost ceiling of that "
        "phase applies."]


def test_a_resource_that_cannot_be_priced_fails_the_ceiling_closed(mode):
    search = extra_resource("aws:opensearch/domain:Domain", "search", {"engineVersion": "2.13", "tags": TAGS})
    evaluation = check(mode, mode.graph() + [search])
    assert messages(evaluation, "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: search (aws:opensearch/domain:Domain) no price for this "
        "resource type. Use a type and size the price catalog lists, or have the platform owner accept it in the "
        "pack config (cost-ceiling: allowUnpriced)."]
    assert {v.level for v in evaluation.violations if v.policy == "cost-ceiling"} == {"mandatory"}
    assert messages(evaluation, "cost-coverage") == [
        "aws:opensearch/domain:Domain is not priced (no price for this resource type): add it to the price catalog "
        "or declare it free, so the cost ceiling covers it."]


def test_the_platform_owner_can_accept_an_unpriced_type_deliberately(mode):
    search = extra_resource("aws:opensearch/domain:Domain", "search", {"engineVersion": "2.13", "tags": TAGS})
    evaluation = check(mode, mode.graph() + [search],
                       pack_config={"cost-ceiling": {"allowUnpriced": ["aws:opensearch/domain:Domain"]}})
    assert evaluation.mandatory_failures == []
    assert len(messages(evaluation, "cost-coverage")) == 1  # still reminded, as an advisory


def test_an_unknown_price_relevant_value_fails_the_ceiling_closed(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", UNKNOWN_STRING_VALUE)
    evaluation = check(mode, graph)
    assert messages(evaluation, "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: acme-app-host (aws:ec2/instance:Instance) cannot be "
        "priced because its instanceType is unknown at preview."]


def test_undeclared_usage_fails_the_ceiling_closed(mode):
    config = {k: v for k, v in mode.run.config.items() if k != "phasegate:usage"}
    reported = messages(check(mode, mode.run.resources, config), "cost-ceiling")
    assert reported[0] == ("Cannot show that the stack fits its $45.00 ceiling: phasegate:usage.gbServedPerMonth is "
                           "not declared; usage-based costs are priced only from declared assumptions.")
    assert len(reported) == 4


# --- encryption-at-rest -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, path, value, expected", [
    ("acme-db-postgres", "storageEncrypted", False,
     "acme-db-postgres: storageEncrypted is not true: set storage_encrypted=True (it cannot be turned on later "
     "without a restore)."),
    ("acme-db-postgres", "storageEncrypted", DELETE,
     "acme-db-postgres: storageEncrypted is not true: set storage_encrypted=True (it cannot be turned on later "
     "without a restore)."),
    ("acme-app-host", "rootBlockDevice.encrypted", False,
     "acme-app-host: the root volume is not encrypted: set root_block_device.encrypted=True."),
    ("acme-app-host", "rootBlockDevice", DELETE,
     "acme-app-host: no root_block_device: the instance gets the image's default root volume, unencrypted unless "
     "the account encrypts EBS by default; set root_block_device with encrypted=True."),
    ("acme-app-host", "ebsBlockDevices", [{"deviceName": "/dev/sdf", "volumeSize": 10}],
     "acme-app-host: ebsBlockDevices[0] is not encrypted: set encrypted=True."),
])
def test_unencrypted_storage_is_a_violation(mode, name, path, value, expected):
    graph = mode.graph()
    set_prop(find(graph, name), path, value)
    evaluation = check(mode, graph)
    assert messages(evaluation, "encryption-at-rest") == [expected]
    assert evaluation.violations[0].urn == find(graph, name).urn


def test_caches_file_systems_volumes_templates_and_kubernetes_secrets_must_be_encrypted(mode):
    extras = [
        extra_resource("aws:elasticache/replicationGroup:ReplicationGroup", "c", {
            "engine": "valkey", "nodeType": "cache.t4g.micro", "atRestEncryptionEnabled": "false",
            "transitEncryptionEnabled": False, "tags": TAGS}),
        extra_resource("aws:eks/cluster:Cluster", "k", {"roleArn": "arn", "tags": TAGS}),
        extra_resource("aws:efs/fileSystem:FileSystem", "files", {"tags": TAGS}),
        extra_resource("aws:ebs/volume:Volume", "data", {"size": 10, "type": "gp3", "tags": TAGS}),
        extra_resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes", {
            "metadataOptions": {"httpTokens": "required"}, "tags": TAGS}),
        extra_resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes2", {
            "metadataOptions": {"httpTokens": "required"}, "tags": TAGS,
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 20, "encrypted": "false"}}]}),
    ]
    evaluation = check(mode, mode.graph() + extras, pack_config={"cost-ceiling": {"ceilings": {"mvp": 1000},
                                                                 "allowUnpriced": ["aws:efs/fileSystem:FileSystem"]}})
    assert sorted({v.policy for v in evaluation.mandatory_failures}) == ["encryption-at-rest"]
    assert messages(evaluation, "encryption-at-rest") == [
        "data: the EBS volume is not encrypted: set encrypted=True.",
        "nodes: no block device mapping with ebs for the root device: instances get the image's default root volume, "
        "unencrypted unless the account encrypts EBS by default; map the AMI's root device (/dev/xvda for Amazon "
        "Linux 2023 and EKS AMIs, /dev/sda1 for Ubuntu) with ebs.encrypted='true'.",
        "nodes2: blockDeviceMappings[0].ebs is not encrypted: set ebs.encrypted='true'.",
        "files: the file system is not encrypted: set encrypted=True (it cannot be turned on later).",
        "k: Kubernetes secrets are not envelope-encrypted: set encryption_config with a KMS key for 'secrets'.",
        "c: atRestEncryptionEnabled is not true: set at_rest_encryption_enabled=True.",
        "c: transitEncryptionEnabled is not true: set transit_encryption_enabled=True (and use TLS clients)."]


def test_a_bucket_without_an_explicit_encryption_configuration_is_a_violation(mode):
    graph = [r for r in mode.graph() if r.name != "acme-assets-sse"]
    bucket = find(graph, "acme-assets-bucket")
    evaluation = check(mode, graph)
    assert messages(evaluation, "encryption-at-rest-s3") == [
        "Bucket acme-assets-bucket has no server-side encryption configuration with an allowed algorithm (AES256, "
        "aws:kms, aws:kms:dsse): add an aws.s3.BucketServerSideEncryptionConfiguration for it."]
    assert evaluation.violations[0].urn == bucket.urn
    assert evaluation.violations[0].level == "mandatory"


def test_awss_own_report_of_default_encryption_is_not_an_explicit_configuration(mode):
    """Since 2023 AWS reports AES256 for every bucket; that output is no evidence of a reviewed configuration."""
    graph = [r for r in mode.graph() if r.name != "acme-assets-sse"]
    bucket = find(graph, "acme-assets-bucket")
    bucket.outputs["serverSideEncryptionConfiguration"] = {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}
    assert len(messages(check(mode, graph), "encryption-at-rest-s3")) == 1


def test_a_second_bucket_without_its_own_configuration_is_a_violation(mode):
    graph = mode.graph() + [extra_resource("aws:s3/bucket:Bucket", "logs", {"tags": TAGS})]
    assert messages(check(mode, graph), "encryption-at-rest-s3") == [
        "Bucket logs has no server-side encryption configuration with an allowed algorithm (AES256, aws:kms, "
        "aws:kms:dsse): add an aws.s3.BucketServerSideEncryptionConfiguration for it."]


# --- public-ingress -----------------------------------------------------------------------------------------

ADVICE = ("Only TCP [80, 443] may face the internet: put other services behind the load balancer or admit a "
          "security group instead.")


@pytest.mark.parametrize("port, protocol, expected", [
    (22, "tcp", f"acme-web-80-ipv4 opens port 22, including SSH (22) to 0.0.0.0/0. {ADVICE}"),
    (5432, "tcp", f"acme-web-80-ipv4 opens port 5432, including PostgreSQL (5432) to 0.0.0.0/0. {ADVICE}"),
    (8080, "tcp", f"acme-web-80-ipv4 opens port 8080 to 0.0.0.0/0. {ADVICE}"),
    (443, "udp", f"acme-web-80-ipv4 opens UDP port 443 to 0.0.0.0/0. {ADVICE}"),
    (443, "17", f"acme-web-80-ipv4 opens UDP port 443 to 0.0.0.0/0. {ADVICE}"),
])
def test_only_web_ports_may_face_the_internet(mode, port, protocol, expected):
    graph = mode.graph()
    rule = find(graph, "acme-web-80-ipv4")
    set_prop(rule, "fromPort", port)
    set_prop(rule, "toPort", port)
    set_prop(rule, "ipProtocol", protocol)
    assert messages(check(mode, graph), "public-ingress") == [expected]


@pytest.mark.parametrize("protocol", ["6", 6, "tcp", "TCP"])
def test_numeric_and_named_tcp_on_an_allowed_port_is_fine(mode, protocol):
    graph = mode.graph()
    set_prop(find(graph, "acme-web-443-ipv4"), "ipProtocol", protocol)
    assert messages(check(mode, graph), "public-ingress") == []


@pytest.mark.parametrize("protocol", ["-1", "all", -1])
def test_an_all_traffic_rule_from_anywhere_names_every_sensitive_port(mode, protocol):
    graph = mode.graph()
    rule = find(graph, "acme-web-443-ipv6")
    set_prop(rule, "ipProtocol", protocol)
    [message] = messages(check(mode, graph), "public-ingress")
    assert message.startswith("acme-web-443-ipv6 opens all ports, including SSH (22), RDP (3389), PostgreSQL (5432)")
    assert "to ::/0" in message


def test_inline_security_group_rules_are_checked_too(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-sg"), "ingress",
             [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["0.0.0.0/0"]}])
    assert messages(check(mode, graph), "public-ingress") == [
        f"acme-db-sg opens port 5432, including PostgreSQL (5432) to 0.0.0.0/0. {ADVICE}"]


def test_the_internet_split_in_halves_is_still_the_internet(mode):
    graph = mode.graph()
    for half, name in (("0.0.0.0/1", "acme-web-80-ipv4"), ("128.0.0.0/1", "acme-web-443-ipv4")):
        rule = find(graph, name)
        set_prop(rule, "cidrIpv4", half)
        set_prop(rule, "fromPort", 22)
        set_prop(rule, "toPort", 22)
    assert sorted(messages(check(mode, graph), "public-ingress")) == [
        f"acme-web-443-ipv4 opens port 22, including SSH (22) to 128.0.0.0/1. {ADVICE}",
        f"acme-web-80-ipv4 opens port 22, including SSH (22) to 0.0.0.0/1. {ADVICE}"]


def test_public_ranges_that_only_together_reach_a_slash_8_are_judged_as_a_union(mode):
    graph = mode.graph()
    group = find(graph, "acme-web-sg")
    for index, cidr in enumerate(("1.0.0.0/9", "1.128.0.0/9")):
        rule = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", f"ssh-{index}", {
            "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": cidr, "tags": TAGS})
        linked(rule, "securityGroupId", group)
        graph.append(rule)
    evaluation = check(mode, graph)
    assert messages(evaluation, "public-ingress") == []  # no single rule is world-open
    assert messages(evaluation, "public-ingress-combined") == [
        f"acme-web-sg opens TCP port 22 (SSH) to the internet through its rules together (ssh-0, ssh-1 admit "
        f"1.0.0.0/9, 1.128.0.0/9), although no single rule does. {ADVICE}"]


def test_a_private_slash_8_is_not_the_internet(mode):
    graph = mode.graph()
    rule = find(graph, "acme-web-80-ipv4")
    set_prop(rule, "cidrIpv4", "10.0.0.0/8")
    set_prop(rule, "fromPort", 22)
    set_prop(rule, "toPort", 22)
    assert messages(check(mode, graph), "public-ingress") == []


# --- private-subnets ----------------------------------------------------------------------------------------

def test_a_publicly_accessible_database_is_a_violation(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "publiclyAccessible", True)
    assert messages(check(mode, graph), "private-subnets") == [
        "Database acme-db-postgres is publicly accessible: set publicly_accessible=False."]


def test_a_database_subnet_group_on_a_public_subnet_is_a_violation(mode):
    graph = mode.graph()
    group, public, private = (find(graph, n) for n in ("acme-db-subnets", "acme-net-public-0", "acme-net-private-1"))
    linked(group, "subnetIds", public, private)
    assert messages(check(mode, graph), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-public-0: use private subnets "
        "only (no route to an internet gateway)."]


def test_a_subnet_that_maps_public_ips_is_public(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-net-private-0"), "mapPublicIpOnLaunch", True)
    assert messages(check(mode, graph), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-private-0: use private subnets "
        "only (no route to an internet gateway)."]


def test_a_route_resource_to_the_internet_gateway_makes_its_subnets_public(mode):
    """Routes may be separate aws.ec2.Route resources instead of inline routes; both count."""
    graph = mode.graph()
    route = extra_resource("aws:ec2/route:Route", "leak", {"destinationCidrBlock": "0.0.0.0/0"})
    linked(route, "routeTableId", find(graph, "acme-net-private-rt-0"))
    linked(route, "gatewayId", find(graph, "acme-net-igw"))
    assert messages(check(mode, graph + [route]), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-private-0, acme-net-private-1: "
        "use private subnets only (no route to an internet gateway)."]


def _node(name: str, **props):
    return extra_resource("aws:ec2/instance:Instance", name, {
        "instanceType": "t3.small", "metadataOptions": {"httpTokens": "required"},
        "rootBlockDevice": {"encrypted": True, "volumeSize": 8, "volumeType": "gp3"},
        "tags": {**TAGS, "phasegate:role": "k3s-agent"}, **props})


def test_a_kubernetes_node_without_a_subnet_lands_in_the_default_vpc_and_fails(mode):
    evaluation = check(mode, mode.graph() + [_node("stray")], pack_config={"cost-ceiling": "advisory"})
    assert messages(evaluation, "private-subnets") == [
        "Kubernetes node stray has no subnet_id, so it lands in the default VPC's public subnet: place it in a "
        "private subnet."]


def test_a_kubernetes_node_in_a_public_subnet_fails_and_in_a_private_one_passes(mode):
    graph = mode.graph()
    public, private = _node("exposed"), _node("inside")
    linked(public, "subnetId", find(graph, "acme-net-public-0"))
    linked(private, "subnetId", find(graph, "acme-net-private-0"))
    evaluation = check(mode, graph + [public, private], pack_config={"cost-ceiling": "advisory"})
    assert messages(evaluation, "private-subnets") == [
        "Kubernetes node exposed is reachable from the internet: place it in a private subnet without a public IP."]


def test_one_odd_resource_does_not_hide_the_findings_after_it(mode):
    """A resource whose tags are a list (and whose subnet is a map) used to crash the rule and hide a public
    database listed after it."""
    graph = mode.graph()
    odd = _node("odd", subnetId={"not": "an id"})
    set_prop(odd, "tags", ["phasegate:role", "k3s-agent"])
    db = find(graph, "acme-db-postgres")
    set_prop(db, "publiclyAccessible", True)
    graph = [odd] + [r for r in graph if r is not db] + [db]
    evaluation = check(mode, graph, pack_config={"cost-ceiling": "advisory"})
    assert messages(evaluation, "private-subnets") == [
        "Database acme-db-postgres is publicly accessible: set publicly_accessible=False."]
    assert messages(evaluation, "required-tags")[0] == "odd's tags are not a map of key to value (list): give tags as a dict."


def test_a_check_that_crashes_on_one_resource_reports_it_there_and_checks_the_rest():
    from phasegate_policies.stackview import each

    class Resource:
        def __init__(self, name):
            self.name, self.urn = name, f"urn:{name}"

    def check_one(resource):
        if resource.name == "odd":
            raise TypeError("tags must be a map")
        yield f"{resource.name} is public", resource.urn

    reported = []
    each([Resource("odd"), Resource("db")], check_one, lambda message, urn: reported.append((urn, message)), "p")
    assert reported[0][0] == "urn:odd" and reported[0][1].startswith(
        "policy p could not judge this resource (TypeError: tags must be a map at test_policies.py:")
    assert reported[1] == ("urn:db", "db is public")


# --- billing-alarms -----------------------------------------------------------------------------------------

def test_a_stack_without_a_budget_or_charges_alarm_fails(mode):
    graph = [r for r in mode.graph() if r.name not in ("acme-billing-budget", "acme-billing-estimated-charges")]
    assert messages(check(mode, graph), "billing-alarms") == [
        "No AWS Budget: add an aws.budgets.Budget (COST, MONTHLY) with e-mail notifications.",
        "No EstimatedCharges alarm: add a CloudWatch alarm on AWS/Billing EstimatedCharges in us-east-1 with an SNS "
        "action."]


def test_a_budget_that_notifies_nobody_fails(mode):
    graph = mode.graph()
    budget = find(graph, "acme-billing-budget")
    for index in range(len(budget.inputs["notifications"])):
        set_prop(budget, f"notifications.{index}.subscriberEmailAddresses", [])
    assert messages(check(mode, graph), "billing-alarms") == [
        "No Budget notifies anyone: give a notification subscriber_email_addresses or subscriber_sns_topic_arns."]


def test_a_charges_alarm_without_an_action_fails(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-billing-estimated-charges"), "alarmActions", [])
    assert messages(check(mode, graph), "billing-alarms") == [
        "EstimatedCharges alarms acme-billing-estimated-charges (us-east-1) cannot fire or notify: billing metrics "
        "exist only in us-east-1 (use a us-east-1 provider) and the alarm needs an alarm action."]


def test_a_charges_alarm_outside_us_east_1_fails(mode):
    graph = mode.graph()
    alarm = find(graph, "acme-billing-estimated-charges")
    alarm.outputs["region"] = "eu-west-1"
    assert messages(check(mode, graph, {**mode.run.config, "aws:region": "eu-west-1"}), "billing-alarms") == [
        "EstimatedCharges alarms acme-billing-estimated-charges (eu-west-1) cannot fire or notify: billing metrics "
        "exist only in us-east-1 (use a us-east-1 provider) and the alarm needs an alarm action."]


def test_the_charges_alarm_region_comes_from_its_provider_when_its_own_is_unknown(mode):
    """At a first preview a v7 resource does not report its region; the engine still sends its provider."""
    graph = mode.graph()
    find(graph, "acme-billing-estimated-charges").outputs["region"] = UNKNOWN_STRING_VALUE
    config = {**mode.run.config, "aws:region": "eu-west-1"}
    assert len(messages(check(mode, graph, config), "billing-alarms")) == 1  # default provider: eu-west-1


# --- backups ------------------------------------------------------------------------------------------------

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


# --- pack config, the way Pulumi reads it -------------------------------------------------------------------

def test_enforcement_levels_can_be_changed_and_policies_disabled(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "metadataOptions.httpTokens", "optional")
    evaluation = check(mode, graph, pack_config={"imdsv2-required": "mandatory", "log-retention": "disabled"})
    assert [(v.policy, v.level) for v in evaluation.violations] == [("imdsv2-required", "mandatory")]
    assert evaluation.policies["log-retention"] == "disabled"


def test_all_sets_every_level_and_a_policys_own_entry_wins(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "storageEncrypted", False)
    evaluation = check(mode, graph, pack_config={"all": "advisory", "private-subnets": {"enforcementLevel": "mandatory"}})
    assert set(evaluation.policies.values()) == {"advisory", "mandatory"}
    assert [name for name, level in evaluation.policies.items() if level == "mandatory"] == ["private-subnets"]
    assert [(v.policy, v.level) for v in evaluation.violations] == [("encryption-at-rest", "advisory")]
    assert check(mode, graph, pack_config={"all": "disabled"}).violations == []


@pytest.mark.parametrize("pack_config, error", [
    ({"no-such-policy": "mandatory"}, "policy pack config names unknown policies: no-such-policy"),
    ({"cost-ceiling": {"ceilngs": {"mvp": 40}}},
     "invalid policy pack config: cost-ceiling: ceilngs: unknown property; known: allowUnpriced, ceilings, topDrivers"),
    ({"cost-ceiling": {"topDrivers": "three"}},
     "invalid policy pack config: cost-ceiling: topDrivers: 'three' is not of type 'integer'"),
    ({"cost-ceiling": {"ceilings": {"mvp": "cheap"}}},
     "invalid policy pack config: cost-ceiling: ceilings.mvp: 'cheap' is not of type 'number'"),
    ({"cost-ceiling": {"ceilings": {"staging": 10}}},
     "invalid policy pack config: cost-ceiling: ceilings: Additional properties are not allowed ('staging' was "
     "unexpected)"),
    ({"public-ingress": "strict"},
     'invalid policy pack config: public-ingress: enforcementLevel "strict" is not one of advisory, mandatory, '
     'remediate, disabled'),
    ({"public-ingress": 7}, "invalid policy pack config: public-ingress: 7 is not a valid value; use an enforcement "
                            "level or an object"),
    ({"all": {"enforcementLevel": "advisory", "allowedPorts": [22]}},
     "invalid policy pack config: all: only an enforcementLevel applies to every policy; give properties per policy"),
    (["cost-ceiling"], "policy pack config must be a JSON object, got list"),
])
def test_a_bad_pack_config_is_refused_naming_the_policy_and_property(mode, pack_config, error):
    with pytest.raises(PackConfigError) as caught:
        check(mode, mode.run.resources, pack_config=pack_config)
    assert str(caught.value) == error


def test_the_pack_itself_reports_an_unknown_property_the_engine_passes_on(mode):
    """The real CLI validates types but passes unknown properties silently; the pack does not ignore them."""
    from google.protobuf import struct_pb2
    from pulumi.runtime.proto import analyzer_pb2 as pb

    from offline.analyzer import PolicyPackProcess, provider_views

    with PolicyPackProcess(stack="mvp", project="phasegate", config=mode.run.config) as pack:
        request = pb.ConfigureAnalyzerRequest()
        for policy in pack.info.policies:
            properties = struct_pb2.Struct()
            if policy.name == "cost-ceiling":
                properties.update({"ceilngs": {"mvp": 40}})
            request.policyConfig[policy.name].CopyFrom(pb.PolicyConfig(enforcementLevel=policy.enforcementLevel,
                                                                       properties=properties))
        pack.stub.Configure(request, timeout=30)
        response = pack.analyze_stack(mode.run.resources, provider_views(mode.run.resources, "mvp", "phasegate",
                                                                         "us-east-1"))
    reported = [(d.policyName, d.enforcementLevel, d.message.split("\n", 1)[1]) for d in response.diagnostics]
    assert reported == [("cost-ceiling", pb.MANDATORY, "policy pack config for cost-ceiling: unknown property "
                                                       "'ceilngs'; known: allowUnpriced, ceilings, topDrivers")]


def test_policies_declare_their_config_schemas_over_grpc(mode):
    from google.protobuf import json_format

    from offline.analyzer import PolicyPackProcess

    with PolicyPackProcess(stack="mvp", project="phasegate", config=mode.run.config) as pack:
        schemas = {p.name: json_format.MessageToDict(p.configSchema.properties) for p in pack.info.policies}
    assert schemas["cost-ceiling"]["ceilings"]["default"] == {"mvp": 45, "growth": 105, "production": 412}
    assert schemas["public-ingress"]["allowedPorts"]["default"] == [80, 443]
    assert json.loads(json.dumps(schemas["backup-retention"]))["minimumDays"]["default"] == 7
    # Every property a policy declares has a default; backups-enabled has nothing to configure.
    assert {name for name in schemas if not schemas[name]} == {"backups-enabled", "https-redirect", "node-role-dependencies"}
    assert all("default" in spec for name in schemas for spec in schemas[name].values())


@pytest.mark.parametrize("pack_config, change, policy, expected", [
    ({"encryption-at-rest": {"requireCustomerManagedKey": True}}, None, "encryption-at-rest",
     ["acme-app-host: encrypted with an AWS-managed key; set rootBlockDevice.kmsKeyId to a customer-managed KMS key.",
      "acme-db-postgres: encrypted with an AWS-managed key; set kmsKeyId to a customer-managed KMS key."]),
    ({"encryption-at-rest": {"requireCustomerManagedKey": True}},
     ("acme-app-host", "ebsBlockDevices", [{"encrypted": True, "volumeSize": 10, "kmsKeyId": "alias/aws/ebs"}]),
     "encryption-at-rest",
     ["acme-app-host: encrypted with an AWS-managed key; set rootBlockDevice.kmsKeyId to a customer-managed KMS key.",
      "acme-app-host: encrypted with an AWS-managed key; set ebsBlockDevices[0].kmsKeyId to a customer-managed KMS "
      "key.",
      "acme-db-postgres: encrypted with an AWS-managed key; set kmsKeyId to a customer-managed KMS key."]),
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
def test_policy_config_tightens_a_policy(mode, pack_config, change, policy, expected):
    graph = mode.graph()
    if change:
        set_prop(find(graph, change[0]), change[1], change[2])
    evaluation = check(mode, graph, pack_config=pack_config)
    reported = messages(evaluation, policy)
    if expected is None:  # every taggable resource lacks the new tag, and the level made it mandatory
        assert len(reported) == 38 and all(m.endswith("lacks tag(s) cost-center: cost allocation and ownership "
                                                      "need them.") for m in reported)
        assert {v.level for v in evaluation.violations} == {"mandatory"}
    else:
        assert reported == expected
    if change is None:
        assert messages(check(mode, graph), policy) == []  # the defaults accept the same graph


def test_a_customer_managed_key_not_created_yet_counts_as_present(mode):
    graph = mode.graph()
    arn = UNKNOWN_STRING_VALUE if mode.preview else "arn:aws:kms:us-east-1:123456789012:key/1"
    key = extra_resource("aws:kms/key:Key", "data-key", {"enableKeyRotation": True, "tags": TAGS})
    key.outputs["arn"] = arn
    for name, prop in (("acme-db-postgres", "kmsKeyId"), ("acme-app-host", "rootBlockDevice.kmsKeyId")):
        set_prop(find(graph, name), prop, arn)
    evaluation = check(mode, graph + [key], pack_config={"encryption-at-rest": {"requireCustomerManagedKey": True}})
    assert messages(evaluation, "encryption-at-rest") == []


# --- the pack never aborts a preview --------------------------------------------------------------------------

def test_a_crashing_policy_reports_a_violation_instead_of_aborting_the_preview():
    from phasegate_policies.guard import guarded
    from pulumi_policy import StackValidationPolicy

    def broken(args, report_violation):
        raise KeyError("limitAmount")

    class Args:
        @staticmethod
        def get_config():
            return {}

    reported = []
    guarded(StackValidationPolicy(name="broken", description="d", validate=broken)).validate(
        Args(), lambda message, urn=None: reported.append(message))
    assert reported == ["policy broken could not judge this resource (KeyError: 'limitAmount' at test_policies.py:"
                        f"{broken.__code__.co_firstlineno + 1}), so it cannot pass; fix the resource's properties or "
                        f"report the problem."]


def test_the_pack_directory_is_self_contained(tmp_path, mode):
    """What `pulumi preview --policy-pack policies` loads, or `pulumi policy publish` uploads, is this folder alone."""
    import shutil

    from offline.analyzer import PolicyPackProcess

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "policies", pack, ignore=shutil.ignore_patterns(".venv", "__pycache__", "*.egg-info"))
    assert (pack / "PulumiPolicy.yaml").read_text().splitlines()[2:4] == ["  name: python", "  options:"]
    with PolicyPackProcess(stack="mvp", project="phasegate", config=mode.run.config, pack_dir=pack) as process:
        assert process.info.name == "phasegate" and len(process.info.policies) == len(POLICIES)
    evaluation = evaluate(mode.run.resources, stack="mvp", project="phasegate", config=mode.run.config,
                          pack_dir=pack, preview=mode.preview)
    assert evaluation.violations == []


# --- resources priced through what they link to (over gRPC, as the pack prices them) --------------------------

def known_or_unknown(mode, value):
    """A computed value as the engine sends it: unknown at a first preview, known at an update."""
    return UNKNOWN_STRING_VALUE if mode.preview else value


def launch_template(mode, name, **props):
    template = extra_resource("aws:ec2/launchTemplate:LaunchTemplate", name, {
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "volumeType": "gp3",
                                                                     "encrypted": "true"}}],
        "tags": TAGS, **props})
    template.id = f"lt-{name}0123456789"
    template.outputs["id"] = known_or_unknown(mode, template.id)
    return template


def uses_template(mode, resource, template):
    """`resource.launchTemplate` names `template` as the engine shows it: its id (unknown at preview) and the
    property dependency."""
    set_prop(resource, "launchTemplate", {"id": known_or_unknown(mode, template.id), "version": "$Latest"})
    resource.property_dependencies["launchTemplate"] = [template.urn]


def test_an_autoscaling_group_is_priced_from_its_launch_template_and_breaks_the_ceiling(mode):
    template = launch_template(mode, "workers", instanceType="m5.large")
    group = extra_resource("aws:autoscaling/group:Group", "workers", {"minSize": 1, "maxSize": 4,
                                                                      "desiredCapacity": 2})
    uses_template(mode, group, template)
    [message] = messages(check(mode, mode.graph() + [template, group]), "cost-ceiling")
    # $35.91 + 2 x m5.large (730 h x $0.096) $140.16 + 2 x 30 GB gp3 $4.80.
    assert message.startswith("Estimated $180.87/month exceeds the mvp ceiling of $45.00 by $135.87. Top cost "
                              "drivers: workers $144.96")


def test_an_autoscaling_group_that_cannot_tell_its_instance_type_fails_the_ceiling_closed(mode):
    group = extra_resource("aws:autoscaling/group:Group", "workers", {"minSize": 1, "maxSize": 4})
    assert messages(check(mode, mode.graph() + [group]), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: workers (aws:autoscaling/group:Group) it names no launch "
        "template, mixed instances policy or launch configuration, so there is no way to tell the instance type. Use a "
        "type and size the price catalog lists, or have the platform owner accept it in the pack config "
        "(cost-ceiling: allowUnpriced)."]


def k8s_service(spec, annotations=None):
    return extra_resource("kubernetes:core/v1:Service", "web-svc", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "annotations": annotations or {}},
        "spec": spec})


def test_a_kubernetes_load_balancer_service_is_priced_and_other_objects_stay_free(mode):
    deployment = extra_resource("kubernetes:apps/v1:Deployment", "web", {"spec": {"replicas": 2}})
    cluster_ip = check(mode, mode.graph() + [deployment, k8s_service({"ports": [{"port": 80}]})])
    assert cluster_ip.violations == []
    tight = {"cost-ceiling": {"ceilings": {"mvp": 40}}}
    balanced = check(mode, mode.graph() + [k8s_service({"type": "LoadBalancer"})], pack_config=tight)
    # $35.91 + Classic LB 730 h x $0.025 + 50 GB x $0.008 + 2 public IPv4 (the stack's 2 AZs) $7.30.
    assert messages(balanced, "cost-ceiling")[0].startswith("Estimated $61.86/month exceeds the mvp ceiling of $40.00")


def test_a_service_whose_spec_is_unknown_at_preview_fails_the_ceiling_closed(mode):
    service = k8s_service(UNKNOWN_STRING_VALUE)
    assert messages(check(mode, mode.graph() + [service]), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: web-svc (kubernetes:core/v1:Service) cannot be priced "
        "because its spec (a Service of type LoadBalancer creates an AWS load balancer) is unknown at preview."]


def test_a_helm_release_asking_for_a_load_balancer_cannot_be_priced(mode):
    release = extra_resource("kubernetes:helm.sh/v3:Release", "ingress", {
        "chart": "ingress-nginx", "values": {"controller": {"service": {"type": "LoadBalancer"}}}})
    quiet = extra_resource("kubernetes:helm.sh/v3:Release", "quiet", {"chart": "x", "values": {
        "service": {"type": "NodePort"}}})
    assert messages(check(mode, mode.graph() + [release, quiet]), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: ingress (kubernetes:helm.sh/v3:Release) cannot price what "
        "the chart creates: values.controller.service.type is LoadBalancer (an AWS load balancer). Use a type and size "
        "the price catalog lists, or have the platform owner accept it in the pack config (cost-ceiling: "
        "allowUnpriced)."]


def backup_resources(mode, db, *, selected=None):
    """A vault here, one in us-west-2, a daily plan copying there and a selection of `db`, linked as the engine shows
    them: ARNs and ids unknown at a first preview, property dependencies in both modes."""
    vault = extra_resource("aws:backup/vault:Vault", "vault", {"tags": TAGS})
    dr_vault = extra_resource("aws:backup/vault:Vault", "dr-vault", {"region": "us-west-2", "tags": TAGS})
    vault.outputs.update(name=known_or_unknown(mode, "vault-1"),
                         arn=known_or_unknown(mode, "arn:aws:backup:us-east-1:123456789012:backup-vault:vault-1"))
    dr_vault.outputs.update(name=known_or_unknown(mode, "dr-1"),
                            arn=known_or_unknown(mode, "arn:aws:backup:us-west-2:123456789012:backup-vault:dr-1"))
    rule = {"ruleName": "daily", "schedule": "cron(0 5 ? * * *)", "targetVaultName": vault.outputs["name"],
            "lifecycle": {"deleteAfter": 14}, "copyActions": [{"destinationVaultArn": dr_vault.outputs["arn"],
                                                               "lifecycle": {"deleteAfter": 14}}]}
    plan = extra_resource("aws:backup/plan:Plan", "plan", {"rules": [rule], "tags": TAGS})
    plan.property_dependencies["rules"] = [vault.urn, dr_vault.urn]
    plan.outputs["id"] = known_or_unknown(mode, "plan-1")
    selection = extra_resource("aws:backup/selection:Selection", "selection", {
        "planId": plan.outputs["id"], "iamRoleArn": known_or_unknown(mode, "arn:aws:iam::123456789012:role/b"),
        "resources": [selected if selected is not None else known_or_unknown(mode, db.outputs.get("arn"))]})
    selection.property_dependencies["planId"] = [plan.urn]
    if selected is None:
        selection.property_dependencies["resources"] = [db.urn]
    return [vault, dr_vault, plan, selection]


def test_a_backup_plan_is_priced_from_the_database_its_selection_names(mode):
    graph = mode.graph()
    extra = backup_resources(mode, find(graph, "acme-db-postgres"))
    reported = messages(check(mode, graph + extra, pack_config={"cost-ceiling": {"ceilings": {"mvp": 30}}}),
                        "cost-ceiling")
    # $35.91 + 20 GB snapshot in each vault (2 x 20 x $0.095) + 20 GB copied us-east-1 -> us-west-2 at $0.02.
    assert reported[0].startswith("Estimated $40.11/month exceeds the mvp ceiling of $30.00")


def test_a_backup_plan_whose_selection_names_no_database_of_the_stack_fails_the_ceiling_closed(mode):
    graph = mode.graph()
    extra = backup_resources(mode, find(graph, "acme-db-postgres"),
                             selected="arn:aws:rds:us-east-1:123456789012:db:elsewhere")
    assert messages(check(mode, graph + extra), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: plan (aws:backup/plan:Plan) backup selection selection "
        "names resources that are not RDS instances of this stack (arn:aws:rds:us-east-1:123456789012:db:elsewhere), "
        "so what it backs up cannot be sized. Use a type and size the price catalog lists, or have the platform owner "
        "accept it in the pack config (cost-ceiling: allowUnpriced)."]


# --- public-ingress-combined keeps judging past a rule it cannot read -------------------------------------------

def test_an_unreadable_rule_is_reported_on_its_own_and_every_other_group_is_still_judged(mode):
    graph = mode.graph()
    db_group, web_group = find(graph, "acme-db-sg"), find(graph, "acme-web-sg")
    bad = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "bad", {
        "ipProtocol": "tcp", "fromPort": "ssh", "toPort": "ssh", "cidrIpv4": "0.0.0.0/0", "tags": TAGS})
    linked(bad, "securityGroupId", db_group)
    halves = []
    for index, cidr in enumerate(("1.0.0.0/9", "1.128.0.0/9")):
        rule = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", f"ssh-{index}", {
            "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": cidr, "tags": TAGS})
        linked(rule, "securityGroupId", web_group)
        halves.append(rule)
    evaluation = check(mode, [bad] + graph + halves)
    unreadable = ("bad cannot be judged (fromPort 'ssh' is not a port number), so it cannot be shown to stay off the "
                  "internet: give fromPort and toPort as numbers.")
    assert messages(evaluation, "public-ingress-combined") == [
        unreadable,
        f"acme-web-sg opens TCP port 22 (SSH) to the internet through its rules together (ssh-0, ssh-1 admit "
        f"1.0.0.0/9, 1.128.0.0/9), although no single rule does. {ADVICE}"]
    combined = [v for v in evaluation.violations if v.policy == "public-ingress-combined"]
    assert [v.urn for v in combined] == [bad.urn, web_group.urn] and {v.level for v in combined} == {"mandatory"}
    assert messages(evaluation, "public-ingress") == [unreadable]


def test_an_unreadable_inline_rule_is_reported_on_its_group_and_its_other_rules_still_judged(mode):
    graph = mode.graph()
    group = find(graph, "acme-db-sg")
    set_prop(group, "ingress", [{"protocol": "tcp", "fromPort": "ssh", "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]},
                                {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["1.0.0.0/9"]}])
    rule = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "half", {
        "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": "1.128.0.0/9", "tags": TAGS})
    linked(rule, "securityGroupId", group)
    assert messages(check(mode, graph + [rule]), "public-ingress-combined") == [
        "acme-db-sg.ingress[0] cannot be judged (fromPort 'ssh' is not a port number), so it cannot be shown to stay "
        "off the internet: give fromPort and toPort as numbers.",
        f"acme-db-sg opens TCP port 5432 (PostgreSQL) to the internet through its rules together (acme-db-sg.ingress[1], "
        f"half admit 1.0.0.0/9, 1.128.0.0/9), although no single rule does. {ADVICE}"]


# --- encryption-at-rest-s3 never takes the provider's report as evidence --------------------------------------

S3_ONLY = {"all": "disabled", "encryption-at-rest-s3": "mandatory"}


def test_with_only_the_bucket_policy_enabled_awss_reported_encryption_is_still_no_evidence(mode):
    """With every resource policy disabled the pack records no declared inputs; the bucket's outputs (AES256, as AWS
    reports for every bucket) must not pass for an explicit configuration."""
    graph = [r for r in mode.graph() if r.name != "acme-assets-sse"]
    bucket = find(graph, "acme-assets-bucket")
    bucket.outputs["serverSideEncryptionConfiguration"] = {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}
    evaluation = check(mode, graph, pack_config=S3_ONLY)
    assert [(v.policy, v.level, v.urn) for v in evaluation.violations] == [
        ("encryption-at-rest-s3", "mandatory", bucket.urn)]
    assert check(mode, mode.graph(), pack_config=S3_ONLY).violations == []  # its own configuration still counts


# --- launch templates must map the root device ----------------------------------------------------------------

@pytest.mark.parametrize("mappings, expected", [
    ([{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "encrypted": "true"}}], []),
    ([{"deviceName": "/dev/sda1", "ebs": {"volumeSize": 30, "encrypted": "true"}}], []),
    ([{"deviceName": "/dev/sdf", "ebs": {"volumeSize": 100, "encrypted": "true"}}],
     ["lt: no block device mapping with ebs for the root device: instances get the image's default root volume, "
      "unencrypted unless the account encrypts EBS by default; map the AMI's root device (/dev/xvda for Amazon Linux "
      "2023 and EKS AMIs, /dev/sda1 for Ubuntu) with ebs.encrypted='true'."]),
    ([{"deviceName": UNKNOWN_STRING_VALUE, "ebs": {"volumeSize": 30, "encrypted": "true"}}],
     ["lt: no block device mapping can be shown to cover the root device (/dev/xvda or /dev/sda1): a device name is "
      "unknown at preview; map the AMI's root device with a literal device_name and ebs.encrypted='true'."]),
])
def test_a_launch_template_must_map_the_root_device_encrypted(mode, mappings, expected):
    template = extra_resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
        "metadataOptions": {"httpTokens": "required"}, "blockDeviceMappings": mappings, "tags": TAGS})
    assert messages(check(mode, mode.graph() + [template]), "encryption-at-rest") == expected


# --- node-hardening and private placement of EKS node groups --------------------------------------------------

NOT_COSTED = {"cost-ceiling": "disabled", "cost-coverage": "disabled"}


def node_group(mode, graph, name="nodes", subnet="acme-net-private-0", typ="aws:eks/nodeGroup:NodeGroup", **props):
    group = extra_resource(typ, name, {"clusterName": "acme", "instanceTypes": ["t3.medium"],
                                       "scalingConfig": {"desiredSize": 2, "minSize": 2, "maxSize": 3},
                                       "tags": TAGS, **props})
    linked(group, "subnetIds", find(graph, subnet))
    return group


def test_a_node_group_without_a_launch_template_gets_eks_defaults_and_fails_node_hardening(mode):
    graph = mode.graph()
    evaluation = check(mode, graph + [node_group(mode, graph)], pack_config=NOT_COSTED)
    assert messages(evaluation, "node-hardening") == [
        "EKS node group nodes has no launch template, so EKS gives its nodes its default one, which allows IMDSv1: "
        "give it a launch template with metadata_options http_tokens='required' and http_put_response_hop_limit at "
        "most 2."]
    assert [v.level for v in evaluation.violations] == ["mandatory"]


@pytest.mark.parametrize("metadata, expected", [
    ({"httpTokens": "required", "httpPutResponseHopLimit": 2}, []),
    ({"httpTokens": "required"}, []),
    ({"httpTokens": "optional", "httpPutResponseHopLimit": 2},
     ["EKS node group nodes's launch template nodes-lt allows IMDSv1 (metadata_options.http_tokens is optional): set "
      "it to 'required', so a pod cannot take the node's credentials with a plain GET."]),
    ({"httpTokens": "required", "httpPutResponseHopLimit": 3},
     ["EKS node group nodes's launch template nodes-lt lets instance credentials travel 3 network hops: keep "
      "http_put_response_hop_limit at most 2."]),
    ({"httpTokens": UNKNOWN_STRING_VALUE},
     ["EKS node group nodes's launch template nodes-lt has metadata_options.http_tokens unknown at preview, so IMDSv2 "
      "cannot be shown to be required: set it to 'required'."]),
])
def test_a_node_groups_launch_template_must_require_imdsv2_within_the_hop_limit(mode, metadata, expected):
    graph = mode.graph()
    template = launch_template(mode, "nodes-lt", metadataOptions=metadata)
    group = node_group(mode, graph)
    uses_template(mode, group, template)
    assert messages(check(mode, graph + [template, group], pack_config=NOT_COSTED), "node-hardening") == expected


def test_a_node_group_whose_launch_template_cannot_be_followed_fails_node_hardening(mode):
    graph = mode.graph()
    group = node_group(mode, graph)
    set_prop(group, "launchTemplate", {"id": known_or_unknown(mode, "lt-elsewhere"), "version": "1"})
    [message] = messages(check(mode, graph + [group], pack_config=NOT_COSTED), "node-hardening")
    assert message.startswith("EKS node group nodes's launch template cannot be shown to require IMDSv2: it is not "
                              "linked to a launch template of this stack")


def test_pulumi_eks_managed_node_groups_are_judged_by_their_own_shape_or_by_their_child(mode):
    graph = mode.graph()
    hardened = node_group(mode, graph, "mng", typ="eks:index:ManagedNodeGroup", enableIMDSv2=True)
    plain_group = node_group(mode, graph, "mng2", typ="eks:index:ManagedNodeGroup")
    child = node_group(mode, graph, "mng2-child")
    child.parent = plain_group.urn
    evaluation = check(mode, graph + [hardened, plain_group, child], pack_config=NOT_COSTED)
    assert [m.split(" has no")[0] for m in messages(evaluation, "node-hardening")] == ["EKS node group mng2-child"]


def test_a_node_group_in_a_public_subnet_fails_private_subnets_and_in_a_private_one_passes(mode):
    graph = mode.graph()
    template = launch_template(mode, "nodes-lt")
    exposed, inside = node_group(mode, graph, "exposed", "acme-net-public-0"), node_group(mode, graph, "inside")
    for group in (exposed, inside):
        uses_template(mode, group, template)
    evaluation = check(mode, graph + [template, exposed, inside], pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == [
        "The EKS node group exposed uses public subnet(s) acme-net-public-0: use private subnets only (no route to an "
        "internet gateway)."]
    assert messages(evaluation, "node-hardening") == []


# --- multi-az-database covers Aurora ----------------------------------------------------------------------------

def aurora(mode, instances: int, *, unplaced: int = 0):
    cluster = extra_resource("aws:rds/cluster:Cluster", "aurora", {
        "engine": "aurora-postgresql", "storageEncrypted": True, "backupRetentionPeriod": 7, "tags": TAGS})
    cluster.id = "aurora-1"
    cluster.outputs.update(id=known_or_unknown(mode, "aurora-1"), clusterIdentifier=known_or_unknown(mode, "aurora-1"))
    members = []
    for index in range(instances + unplaced):
        member = extra_resource("aws:rds/clusterInstance:ClusterInstance", f"aurora-{index}", {
            "engine": "aurora-postgresql", "instanceClass": "db.r6g.large", "publiclyAccessible": False, "tags": TAGS})
        if index < instances:
            linked(member, "clusterIdentifier", cluster)
        else:
            set_prop(member, "clusterIdentifier", UNKNOWN_STRING_VALUE)
        members.append(member)
    return [cluster] + members


@pytest.mark.parametrize("instances, unplaced, expected", [
    (2, 0, []),
    (1, 0, ["aurora is a production Aurora cluster with 1 instance(s): add a second aws.rds.ClusterInstance (a "
            "reader in another AZ, promoted if the writer's AZ fails)."]),
    (1, 1, ["aurora is a production Aurora cluster with 1 instance(s) shown to be its own; aurora-1 name a cluster "
            "unknown at preview, so it cannot be shown to survive an AZ outage."]),
])
def test_a_production_aurora_cluster_needs_two_instances(mode, instances, unplaced, expected):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "multiAz", True)
    config = {**mode.run.config, "phasegate:phase": "production"}
    evaluation = check(mode, graph + aurora(mode, instances, unplaced=unplaced), config)
    assert messages(evaluation, "multi-az-database") == expected
    assert messages(check(mode, graph + aurora(mode, instances, unplaced=unplaced)), "multi-az-database") == []  # mvp


# --- eks-version-support --------------------------------------------------------------------------------------

def eks_cluster(typ="aws:eks/cluster:Cluster", name="eks", **props):
    return extra_resource(typ, name, {"roleArn": "arn:aws:iam::123456789012:role/eks", "tags": TAGS, **props})


def test_eks_version_support_warns_on_extended_support_and_before_the_end_of_standard_support(mode):
    import datetime

    from phasegate_policies.contract import EKS_STANDARD_SUPPORT_ENDS

    standard = {"supportType": "STANDARD"}
    # The calendar's last version still in standard support today (the test must not depend on the date it runs).
    upcoming = sorted((end, version) for version, end in EKS_STANDARD_SUPPORT_ENDS.items()
                      if end >= datetime.date.today().isoformat())
    if not upcoming:
        pytest.skip("every version in contract.EKS_STANDARD_SUPPORT_ENDS has left standard support: extend it")
    ends, version = upcoming[-1]
    left = (datetime.date.fromisoformat(ends) - datetime.date.today()).days
    graph = mode.graph() + [
        eks_cluster(name="current", version="1.99", upgradePolicy=standard),
        eks_cluster(name="extended", version="1.99", upgradePolicy={"supportType": "EXTENDED"}),
        eks_cluster(name="unset", version="1.99"),
        eks_cluster(name="old", version="1.31", upgradePolicy=standard),
        eks_cluster(name="soon", version=version, upgradePolicy=standard)]
    evaluation = check(mode, graph, pack_config={**NOT_COSTED, "eks-version-support": {"warnDays": left + 1}})
    price = "$0.60/h ($438.00/month) instead of $0.10/h"
    assert messages(evaluation, "eks-version-support") == [
        f"EKS cluster extended's upgrade policy is EXTENDED: once its version leaves standard support, the control "
        f"plane costs {price}; set upgrade_policy support_type='STANDARD' to have EKS upgrade it instead, and plan "
        f"upgrades.",
        f"EKS cluster unset's upgrade policy is EXTENDED (EKS's default: none is set): once its version leaves standard "
        f"support, the control plane costs {price}; set upgrade_policy support_type='STANDARD' to have EKS upgrade it "
        f"instead, and plan upgrades.",
        "EKS cluster old runs Kubernetes 1.31, which left standard support on 2025-11-26 (EKS upgrades it "
        "automatically): upgrade it.",
        f"EKS cluster soon runs Kubernetes {version}, which leaves standard support on {ends}, in {left} days; after "
        f"that EKS upgrades it automatically: upgrade it before then."]
    assert {v.level for v in evaluation.violations if v.policy == "eks-version-support"} == {"advisory"}
    quiet = check(mode, graph, pack_config={**NOT_COSTED, "eks-version-support": {"warnDays": max(left - 1, 0)}})
    assert not any("soon" in m for m in messages(quiet, "eks-version-support"))


def test_eks_version_support_reads_pulumi_eks_components_only_without_their_aws_child(mode):
    component = eks_cluster("eks:index:Cluster", "comp", version="1.99")
    alone = check(mode, mode.graph() + [component], pack_config=NOT_COSTED)
    assert [m.split("'s")[0] for m in messages(alone, "eks-version-support")] == ["EKS cluster comp"]
    child = eks_cluster(name="comp-eksCluster", version="1.99", upgradePolicy={"supportType": "STANDARD"})
    child.parent = component.urn
    assert messages(check(mode, mode.graph() + [component, child], pack_config=NOT_COSTED),
                    "eks-version-support") == []


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


def test_the_readme_policy_table_lists_every_policy_at_its_level():
    table = ROOT.joinpath("README.md").read_text().split("## The policy pack", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| ") and " | " in line]
    listed = {name.strip(): level.strip() for name, level in rows if name.strip() not in ("policy", "---")}
    assert listed == POLICIES
