"""Each AWS step against moto: snapshots, the cross-region encrypted copy, S3, Route 53, CloudWatch."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto import mock_aws

from automation.aws import Aws
from automation.errors import AwsError
from fixtures import FAKE_CREDENTIALS  # noqa: F401 - importing it sets fake credentials for moto
from world import DOMAIN, MVP_IP, load_balancer, mvp_account, records


@pytest.fixture
def account():
    with mock_aws():
        yield mvp_account()


def test_a_database_is_found_by_its_address_or_its_stack_tag(account):
    aws = Aws()
    by_address = aws.find_database("us-east-1", address=account["outputs"]["databaseAddress"])
    assert by_address is not None and by_address.identifier == "acme-db-postgres-1a2b3c4" and by_address.encrypted
    assert aws.find_database("us-east-1", stack="mvp") == by_address
    assert aws.find_database("us-east-1", stack="growth") is None
    assert aws.find_database("us-west-2", stack="mvp") is None


def test_snapshot_then_cross_region_copy_reencrypted_with_the_target_regions_key(account):
    aws = Aws()
    assert aws.snapshot("us-east-1", "acme-mvp-to-growth") is None
    taken = aws.create_snapshot("us-east-1", "acme-db-postgres-1a2b3c4", "acme-mvp-to-growth", {"k": "v"})
    taken = aws.wait_for_snapshot("us-east-1", taken.name)
    assert taken.status == "available" and taken.encrypted and ":us-east-1:" in taken.arn

    key = aws.kms_key_arn("us-west-2", "alias/aws/rds")
    assert key.startswith("arn:aws:kms:us-west-2:")
    copy = aws.wait_for_snapshot("us-west-2", aws.copy_snapshot(taken, "us-west-2", taken.name, key, {}).name)
    assert copy.region == "us-west-2" and ":us-west-2:" in copy.arn
    assert copy.encrypted and copy.kms_key == key
    # the copy is what a database in us-west-2 can be restored from
    boto3.client("rds", region_name="us-west-2").restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="restored", DBSnapshotIdentifier=copy.arn, DBInstanceClass="db.t4g.micro")
    assert Aws().find_database("us-west-2", address=None, stack=None) is None  # no match criteria, no match


def test_a_snapshot_of_a_missing_database_is_one_line_naming_the_call(account):
    with pytest.raises(AwsError, match=r"^rds create-db-snapshot: DBInstanceNotFound"):
        Aws().create_snapshot("us-east-1", "nope", "snap", {})


def test_objects_are_copied_across_regions(account):
    aws = Aws()
    boto3.client("s3", region_name="us-west-2").create_bucket(
        Bucket="acme-assets-bucket-growth", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert aws.bucket_region("acme-assets-bucket-growth") == "us-west-2"
    source = aws.objects("acme-assets-bucket-mvp", "us-east-1")
    for key in source:
        aws.copy_object("acme-assets-bucket-mvp", "us-east-1", key, "acme-assets-bucket-growth", "us-west-2")
    assert aws.objects("acme-assets-bucket-growth", "us-west-2") == source
    assert source["logo.png"][0] == 300


def test_route53_records_weighted_changes_and_health_checks(account):
    aws, zone = Aws(), account["zone"]
    assert aws.zone_id("acme.example") == zone
    with pytest.raises(AwsError, match="no public hosted zone nope.example"):
        aws.zone_id("nope.example")
    before = aws.records(zone, DOMAIN)
    assert before == [{"Name": DOMAIN + ".", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": MVP_IP}]}]

    balancer = load_balancer()
    assert aws.load_balancer_zone("us-west-2", balancer["dns"]) == balancer["zone"]
    check = aws.create_health_check("phasegate-test", balancer["dns"], "/health", https=False)
    assert aws.health_check_healthy(check)
    aws.change_records(zone, delete=before, upsert=[
        {**before[0], "SetIdentifier": "mvp", "Weight": 90},
        {"Name": DOMAIN, "Type": "A", "SetIdentifier": "growth", "Weight": 10, "HealthCheckId": check,
         "AliasTarget": {"HostedZoneId": balancer["zone"], "DNSName": balancer["dns"], "EvaluateTargetHealth": True}}])
    weights = {r["SetIdentifier"]: (r["Weight"], r.get("HealthCheckId")) for r in records(zone)}
    assert weights == {"mvp": (90, None), "growth": (10, check)}
    aws.delete_health_check(check)


def test_alarms_are_read_by_the_topic_they_notify_with_the_metrics_behind_them(account):
    cloudwatch = boto3.client("cloudwatch", region_name="us-west-2")
    node = lambda i: {"Id": f"n{i}", "ReturnData": False, "MetricStat": {"Period": 3600, "Stat": "Average", "Metric": {
        "Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": f"i-{i}"}]}}}
    cloudwatch.put_metric_alarm(AlarmName="acme-alerts-trigger-cpu-1a2b3c4", AlarmActions=["arn:topic:growth"],
                                EvaluationPeriods=6, Threshold=70, ComparisonOperator="GreaterThanThreshold",
                                Metrics=[node(0), node(1), {"Id": "avg", "Expression": "AVG([n0, n1])", "ReturnData": True}])
    cloudwatch.put_metric_alarm(AlarmName="acme-alerts-db-cpu-9z8y7x6", AlarmActions=["arn:topic:other"],
                                Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average", Period=300,
                                EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold")
    found = Aws().alarms_notifying("us-west-2", "arn:topic:growth")
    assert [a.name for a in found] == ["acme-alerts-trigger-cpu-1a2b3c4"]
    alarm = found[0]
    assert (alarm.threshold, alarm.evaluation_periods, alarm.period, alarm.expression) == (70, 6, 3600, "AVG([n0, n1])")
    assert [q["Id"] for q in alarm.queries] == ["n0", "n1"] and all(q["ReturnData"] for q in alarm.queries)

    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[
        {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": "i-0"}], "Value": 50.0 + h,
         "Timestamp": now - timedelta(hours=h)} for h in range(1, 4)])
    series = Aws().metric_series("us-west-2", list(alarm.queries), now - timedelta(days=14), now)
    assert [v for _, v in series["n0"]] == [53.0, 52.0, 51.0] and series["n1"] == []


def test_estimated_charges_come_from_us_east_1(account):
    now = datetime.now(timezone.utc)
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(Namespace="AWS/Billing", MetricData=[
        {"MetricName": "EstimatedCharges", "Dimensions": [{"Name": "Currency", "Value": "USD"}], "Value": value,
         "Timestamp": now - timedelta(hours=hours)} for value, hours in ((30.5, 20), (41.25, 2))])
    assert Aws().estimated_charges(now - timedelta(days=3), now) == 41.25
    assert Aws().estimated_charges(now - timedelta(hours=1), now) is None
