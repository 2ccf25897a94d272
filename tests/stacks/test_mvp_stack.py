"""The MVP stack's resource graph, from the real program and the real Pulumi.mvp.yaml under mocks."""

from __future__ import annotations

import json
from collections import Counter

from components.parts.tags import REQUIRED_TAGS
from conftest import run_with, stack_values
from event_patterns import matches, rotation_event

RDS = "aws:rds/instance:Instance"
EC2 = "aws:ec2/instance:Instance"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def test_mvp_builds_exactly_the_phase_1_resources(mvp):
    counts = Counter(r.type for r in mvp.resources)
    assert counts == Counter({
        "phasegate:network:Network": 1, "phasegate:network:AppSecurityGroup": 1, "phasegate:database:Database": 1,
        "phasegate:assets:Assets": 1, "phasegate:compose:ComposeHost": 1, "phasegate:alerts:Alerts": 1,
        "phasegate:billing:Billing": 1,
        "aws:ec2/vpc:Vpc": 1, "aws:ec2/internetGateway:InternetGateway": 1, "aws:ec2/subnet:Subnet": 4,
        "aws:ec2/routeTable:RouteTable": 2, "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 1, "aws:ec2/securityGroup:SecurityGroup": 2, INGRESS: 5,
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 1,
        "aws:rds/subnetGroup:SubnetGroup": 1, "aws:rds/parameterGroup:ParameterGroup": 1, RDS: 1,
        "aws:s3/bucket:Bucket": 1,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
        "aws:s3/bucketVersioning:BucketVersioning": 1, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1, "aws:iam/role:Role": 2, "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 2,
        "aws:iam/rolePolicy:RolePolicy": 2, "aws:iam/instanceProfile:InstanceProfile": 1, EC2: 1, "aws:ec2/eip:Eip": 1,
        # The password rotation's rule, its Run Command target, and the role EventBridge sends the command with.
        "aws:cloudwatch/eventRule:EventRule": 1, "aws:cloudwatch/eventTarget:EventTarget": 1,
        "aws:sns/topic:Topic": 1, "aws:sns/topicSubscription:TopicSubscription": 1, ALARM: 8,
        "aws:budgets/budget:Budget": 1,
    })
    # MVP has no NAT of any kind: nothing private needs the internet, and NAT is the classic surprise bill.
    assert not mvp.of_type("aws:ec2/natGateway:NatGateway")


def test_every_resource_has_a_parent_component(mvp):
    urns = mvp.by_urn()
    for resource in mvp.resources:
        if resource.custom:
            assert resource.parent in urns, f"{resource.name} is not parented to a component"
        else:
            assert resource.parent.endswith("pulumi:pulumi:Stack::phasegate-mvp"), resource.name


def test_database_is_private_encrypted_tls_only_and_protected(mvp):
    db = mvp.one(RDS)
    props = db.inputs
    assert props["engine"] == "postgres" and props["engineVersion"] == "17"
    assert props["publiclyAccessible"] is False
    assert props["storageEncrypted"] is True and props["storageType"] == "gp3"
    assert props["manageMasterUserPassword"] is True and "password" not in props
    assert props["backupRetentionPeriod"] >= 7
    assert props["maxAllocatedStorage"] == 100 and props["allocatedStorage"] == 20
    assert props["deletionProtection"] is True and props["skipFinalSnapshot"] is False
    assert props["finalSnapshotIdentifier"] == "acme-db-mvp-postgres-final"  # the stack's name keeps it unique
    assert db.protect

    params = mvp.one("aws:rds/parameterGroup:ParameterGroup").inputs
    assert params["family"] == "postgres17"
    assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"} in params["parameters"]

    subnet_group = mvp.one("aws:rds/subnetGroup:SubnetGroup").inputs
    private_ids = {s.id for s in mvp.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "private"}
    assert set(subnet_group["subnetIds"]) == private_ids and len(private_ids) == 2


def test_database_admits_postgres_only_from_the_app_security_group(mvp):
    groups = {g.name: g for g in mvp.of_type("aws:ec2/securityGroup:SecurityGroup")}
    db_rules = [r.inputs for r in mvp.of_type(INGRESS) if r.inputs["securityGroupId"] == groups["acme-db-sg"].id]
    assert db_rules == [{**db_rules[0], "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
                         "referencedSecurityGroupId": groups["acme-web-sg"].id}]
    assert "cidrIpv4" not in db_rules[0] and "cidrIpv6" not in db_rules[0]


def test_only_http_and_https_are_open_to_the_internet_and_never_ssh(mvp):
    public_rules = [r.inputs for r in mvp.of_type(INGRESS) if "cidrIpv4" in r.inputs or "cidrIpv6" in r.inputs]
    assert sorted((r["fromPort"], r.get("cidrIpv4") or r.get("cidrIpv6")) for r in public_rules) == [
        (80, "0.0.0.0/0"), (80, "::/0"), (443, "0.0.0.0/0"), (443, "::/0")]
    assert all(not (r["fromPort"] <= 22 <= r["toPort"]) for r in (x.inputs for x in mvp.of_type(INGRESS)))


def test_compose_host_is_imdsv2_encrypted_keyless_and_ssm_managed(mvp):
    host = mvp.one(EC2)
    props = host.inputs
    assert props["metadataOptions"]["httpTokens"] == "required"
    assert props["rootBlockDevice"] == {**props["rootBlockDevice"], "encrypted": True, "volumeType": "gp3",
                                        "volumeSize": 30}
    assert "keyName" not in props
    assert props["ami"].startswith("ami-") and host.ignore_changes == ["ami"]
    assert props["instanceType"] == "t3.small"
    public_subnets = {s.id for s in mvp.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "public"}
    assert props["subnetId"] in public_subnets
    policies = {a.inputs["policyArn"] for a in mvp.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" in policies
    eip = mvp.one("aws:ec2/eip:Eip").inputs
    assert eip["instance"] == host.id and eip["domain"] == "vpc"


def test_host_role_reads_only_its_own_secrets_bucket_and_logs(mvp):
    policy = json.loads(next(p for p in mvp.of_type("aws:iam/rolePolicy:RolePolicy")
                             if p.name == "acme-app-access").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    secrets = by_sid["ReadAppSecrets"]["Resource"]
    assert secrets[0] == mvp.outputs["databaseSecretArn"]
    assert sorted(secrets[1:]) == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/jwt-secret-??????",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme/nextauth-secret-??????"]
    bucket_arn = mvp.one("aws:s3/bucket:Bucket").outputs["arn"]
    assert by_sid["ReadWriteAssets"]["Resource"] == f"{bucket_arn}/*"
    assert all("*" != s["Resource"] for s in policy["Statement"])


def test_user_data_installs_compose_and_holds_no_secret(mvp):
    user_data = mvp.one(EC2).inputs["userData"]
    assert "dnf install -y docker jq amazon-cloudwatch-agent" in user_data
    assert "docker-compose-linux-$arch" in user_data
    assert mvp.outputs["databaseSecretArn"] not in user_data.split("base64")[0]  # only inside the encoded script
    assert "password" not in user_data.lower()


def test_assets_bucket_is_encrypted_versioned_private_and_protected(mvp):
    bucket = mvp.one("aws:s3/bucket:Bucket")
    assert bucket.protect and bucket.inputs["forceDestroy"] is False
    sse = mvp.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs
    assert sse["bucket"] == bucket.id
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    assert mvp.one("aws:s3/bucketVersioning:BucketVersioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    block = mvp.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets"))
    ownership = mvp.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    rule = mvp.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"][0]
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 30 and rule["status"] == "Enabled"


def test_alarms_from_the_reference_plans_notify_the_team(mvp):
    alarms = {a.name: a.inputs for a in mvp.of_type(ALARM)}
    topic_arn = mvp.outputs["alertsTopicArn"]
    expected = {
        "acme-alerts-host-cpu": ("AWS/EC2", "CPUUtilization", "GreaterThanThreshold", 80),
        "acme-alerts-host-memory": ("CWAgent", "mem_used_percent", "GreaterThanThreshold", 85),
        "acme-alerts-host-disk": ("CWAgent", "disk_used_percent", "GreaterThanThreshold", 80),
        "acme-alerts-host-status": ("AWS/EC2", "StatusCheckFailed", "GreaterThanThreshold", 0),
        "acme-alerts-db-cpu": ("AWS/RDS", "CPUUtilization", "GreaterThanThreshold", 80),
        # 80% of RDS's default max_connections for db.t4g.micro (1 GiB / 9531392 = 112).
        "acme-alerts-db-connections": ("AWS/RDS", "DatabaseConnections", "GreaterThanThreshold", 90),
        "acme-alerts-db-free-storage": ("AWS/RDS", "FreeStorageSpace", "LessThanThreshold", 5 * 1024 ** 3),
    }
    for name, (namespace, metric, comparison, threshold) in expected.items():
        alarm = alarms[name]
        assert (alarm["namespace"], alarm["metricName"], alarm["comparisonOperator"], alarm["threshold"]) == (
            namespace, metric, comparison, threshold), name
        assert alarm["alarmActions"] == [topic_arn], name
    assert alarms["acme-alerts-host-cpu"]["period"] == 300 and alarms["acme-alerts-host-cpu"]["evaluationPeriods"] == 1
    subscription = mvp.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "ops@acme.example")


def test_budget_notifies_at_the_configured_thresholds(mvp):
    budget = mvp.one("aws:budgets/budget:Budget").inputs
    assert (budget["budgetType"], budget["timeUnit"], budget["limitAmount"], budget["limitUnit"]) == (
        "COST", "MONTHLY", "45.00", "USD")
    assert sorted((n["notificationType"], n["threshold"]) for n in budget["notifications"]) == [
        ("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)]
    assert all(n["subscriberEmailAddresses"] == ["ops@acme.example"] for n in budget["notifications"])


def test_estimated_charges_alarm_lives_in_us_east_1(mvp):
    alarm = next(a for a in mvp.of_type(ALARM) if a.inputs["metricName"] == "EstimatedCharges")
    assert alarm.inputs["namespace"] == "AWS/Billing" and alarm.inputs["dimensions"] == {"Currency": "USD"}
    assert alarm.outputs["region"] == "us-east-1"
    # In us-east-1 the stack's own alert topic is reused.
    assert alarm.inputs["alarmActions"] == [mvp.outputs["alertsTopicArn"]]


def test_billing_outside_us_east_1_uses_an_explicit_us_east_1_provider():
    values = stack_values("mvp")
    values["aws:region"] = "eu-central-1"
    run = run_with("mvp", values)
    provider = run.one("pulumi:providers:aws")
    assert provider.inputs["region"] == "us-east-1"
    alarm = next(a for a in run.of_type(ALARM) if a.inputs["metricName"] == "EstimatedCharges")
    assert alarm.provider_urn == provider.urn and alarm.outputs["region"] == "us-east-1"
    billing_topic = next(t for t in run.of_type("aws:sns/topic:Topic") if t.provider_urn == provider.urn)
    assert alarm.inputs["alarmActions"] == [billing_topic.outputs["arn"]]
    # Everything else stays in the stack's region.
    assert run.one(RDS).outputs["region"] == "eu-central-1"


def test_every_taggable_resource_carries_phase_stack_and_app_tags(mvp):
    untaggable = {"aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                  "aws:iam/rolePolicy:RolePolicy", "aws:sns/topicSubscription:TopicSubscription",
                  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                  "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                  "aws:cloudwatch/eventTarget:EventTarget"}
    taggable = [r for r in mvp.resources if r.custom and r.type not in untaggable]
    assert len(taggable) == 38
    for resource in taggable:
        tags = resource.inputs.get("tags", {})
        assert {k: tags.get(k) for k in REQUIRED_TAGS} == {
            "phasegate:phase": "mvp", "phasegate:stack": "mvp", "phasegate:app": "acme"}, resource.name
        assert tags["Name"] == resource.name


def test_opting_out_of_deletion_protection_is_explicit_and_visible():
    values = stack_values("mvp")
    values["phasegate:database"] = {"deletionProtection": False, "skipFinalSnapshot": True}
    db = run_with("mvp", values).one(RDS)
    assert not db.protect and db.inputs["deletionProtection"] is False
    assert db.inputs["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in db.inputs


def test_stack_outputs_tell_operators_where_things_are(mvp):
    outputs = mvp.outputs
    assert outputs["url"] == f"http://{outputs['publicIp']}"
    assert outputs["databaseAddress"].endswith(".us-east-1.rds.amazonaws.com")
    assert outputs["budgetName"] == "acme-mvp-monthly"


def test_a_password_rotation_refreshes_the_host_at_once_through_ssm_run_command(mvp):
    """RDS rotates the managed password every 7 days; the host used to notice within the hour. Now the rotation event
    runs `systemctl start phasegate-secrets.service` on the host (AWS-RunShellScript), with a 15-minute timer behind it.
    Run Command targets and their role: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html,
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html."""
    host = mvp.one(EC2)
    rule = mvp.one("aws:cloudwatch/eventRule:EventRule")
    target_resource = mvp.one("aws:cloudwatch/eventTarget:EventTarget")
    target = target_resource.inputs
    # (The mocks give an EventRule no `name` output, so the target's rule=rule.name is not recorded; its parent is.)
    assert rule.name == "acme-app-on-rotation" and target_resource.parent == rule.urn
    # The pattern selects this database's secret (and holds nothing unknown at a first preview, so it is priced).
    region = "us-east-1"
    assert matches(rule.inputs["eventPattern"], rotation_event(mvp.outputs["databaseSecretArn"], region))
    assert not matches(rule.inputs["eventPattern"],
                       rotation_event(f"arn:aws:secretsmanager:{region}:123456789012:secret:acme/jwt-secret-AbCdEf",
                                      region))
    assert not matches(rule.inputs["eventPattern"], {**rotation_event(mvp.outputs["databaseSecretArn"], region),
                                                     "detail-type": "AWS API Call via CloudTrail"})
    assert target["arn"] == f"arn:aws:ssm:{region}::document/AWS-RunShellScript"
    assert target["runCommandTargets"] == [{"key": "InstanceIds", "values": [host.id]}]
    assert json.loads(target["input"]) == {"commands": ["systemctl start phasegate-secrets.service"]}
    role = next(r for r in mvp.of_type("aws:iam/role:Role") if r.outputs["arn"] == target["roleArn"])
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "events.amazonaws.com"}
    policy = json.loads(next(p for p in mvp.of_type("aws:iam/rolePolicy:RolePolicy")
                             if p.inputs["role"] == role.id).inputs["policy"])
    assert policy["Statement"] == [{
        "Sid": "RefreshHostSecrets", "Effect": "Allow", "Action": "ssm:SendCommand",
        "Resource": [f"arn:aws:ssm:{region}:*:document/AWS-RunShellScript",
                     f"arn:aws:ec2:{region}:123456789012:instance/{host.id}"]}]
    # The fallback timer, at most 15 minutes apart.
    assert "OnUnitActiveSec=15min" in _decoded_host_files(host)[
        "/etc/systemd/system/phasegate-secrets.timer"]


def _decoded_host_files(host) -> dict[str, str]:
    import base64
    import re

    return {path: base64.b64decode(b64).decode()
            for b64, path in re.findall(r"echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)", host.inputs["userData"])}
