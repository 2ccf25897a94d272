"""Every AWS call automation makes, in one place: one list of permissions to audit, one seam for moto in tests.

Each public method is one small operation (RDS snapshots, parameters and reboots, KMS keys, S3 objects, Route 53
records and health checks, CloudWatch alarms and metrics), returns plain dataclasses or dicts, and reports failures
as a one-line `AwsError` naming the operation, never a botocore traceback.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Optional, Sequence, TypeVar

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from phasegate_policies.contract import BILLING_REGION, STACK_TAG

from .errors import AwsError

T = TypeVar("T")


def aws_call(what: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> T:
            try:
                return fn(*args, **kwargs)
            except ClientError as exc:
                error = exc.response.get("Error", {})
                raise AwsError(f"{what}: {error.get('Code', 'error')}: {error.get('Message', exc)}") from None
            except BotoCoreError as exc:
                raise AwsError(f"{what}: {exc}") from None
        return call
    return wrap


@dataclass(frozen=True)
class Database:
    identifier: str
    address: str
    arn: str
    region: str
    encrypted: bool
    parameter_group: str = ""
    allocated_gb: int = 0
    status: str = ""
    parameter_apply_status: str = ""  # in-sync once a parameter change is applied (DBParameterGroupStatus)


@dataclass(frozen=True)
class Snapshot:
    name: str
    arn: str
    region: str
    status: str
    encrypted: bool
    kms_key: Optional[str]
    created: Optional[datetime] = None  # when the data was captured (a copy keeps its original's time)


@dataclass(frozen=True)
class Alarm:
    name: str
    state: str
    description: str
    threshold: float
    evaluation_periods: int
    period: int
    queries: tuple[dict, ...]  # GetMetricData queries of the metrics behind the alarm (math alarms: each metric)
    expression: str = ""


class Aws:
    def __init__(self, session: Optional[boto3.Session] = None):
        self._session = session or boto3.Session()
        self._clients: dict[tuple[str, Optional[str]], Any] = {}

    def client(self, service: str, region: Optional[str] = None) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=region or "us-east-1")
        return self._clients[key]

    # --- RDS -------------------------------------------------------------------------------------------------

    @aws_call("rds describe-db-instances")
    def find_database(self, region: str, *, address: Optional[str] = None,
                      stack: Optional[str] = None) -> Optional[Database]:
        """The instance with this endpoint address, or tagged as this stack's (Pulumi names instances itself)."""
        for page in self.client("rds", region).get_paginator("describe_db_instances").paginate():
            for db in page["DBInstances"]:
                tags = {t["Key"]: t["Value"] for t in db.get("TagList", [])}
                if (address and db.get("Endpoint", {}).get("Address") == address) or (
                        stack and tags.get(STACK_TAG) == stack):
                    return _database(db, region)
        return None

    @aws_call("rds describe-db-instances")
    def database(self, region: str, identifier: str) -> Database:
        found = self.client("rds", region).describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
        return _database(found[0], region)

    @aws_call("rds describe-db-parameters")
    def db_parameter(self, region: str, group: str, name: str) -> Optional[str]:
        """The value the group sets for `name`, or None when the engine's default applies (not set by the user)."""
        pages = self.client("rds", region).get_paginator("describe_db_parameters").paginate(
            DBParameterGroupName=group, Source="user")
        for page in pages:
            for parameter in page["Parameters"]:
                if parameter["ParameterName"] == name:
                    return parameter.get("ParameterValue")
        return None

    @aws_call("rds modify-db-parameter-group")
    def set_db_parameter(self, region: str, group: str, name: str, value: str) -> None:
        """Apply at once: a dynamic parameter with ApplyMethod=immediate needs no reboot (ModifyDBParameterGroup)."""
        self.client("rds", region).modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": name, "ParameterValue": value, "ApplyMethod": "immediate"}])

    @aws_call("rds reset-db-parameter-group")
    def reset_db_parameter(self, region: str, group: str, name: str) -> None:
        """Back to the engine's default, as the group was before anyone set it (ResetDBParameterGroup)."""
        self.client("rds", region).reset_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": name, "ApplyMethod": "immediate"}])

    @aws_call("rds reboot-db-instance")
    def reboot_database(self, region: str, identifier: str) -> None:
        """A reboot ends every session, and with it every open transaction (RebootDBInstance)."""
        self.client("rds", region).reboot_db_instance(DBInstanceIdentifier=identifier)

    @aws_call("rds wait for db-instance-available")
    def wait_for_database(self, region: str, identifier: str, minutes: int = 30) -> Database:
        self.client("rds", region).get_waiter("db_instance_available").wait(
            DBInstanceIdentifier=identifier, WaiterConfig={"Delay": 15, "MaxAttempts": max(1, minutes * 4)})
        return self.database(region, identifier)

    @aws_call("rds describe-db-snapshots")
    def snapshot(self, region: str, name: str) -> Optional[Snapshot]:
        try:
            found = self.client("rds", region).describe_db_snapshots(DBSnapshotIdentifier=name)["DBSnapshots"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "DBSnapshotNotFound":
                return None
            raise
        return _snapshot(found[0], region) if found else None

    @aws_call("rds create-db-snapshot")
    def create_snapshot(self, region: str, instance: str, name: str, tags: dict[str, str]) -> Snapshot:
        made = self.client("rds", region).create_db_snapshot(
            DBInstanceIdentifier=instance, DBSnapshotIdentifier=name, Tags=_tags(tags))["DBSnapshot"]
        return _snapshot(made, region)

    @aws_call("rds copy-db-snapshot")
    def copy_snapshot(self, source: Snapshot, region: str, name: str, kms_key: str,
                      tags: dict[str, str]) -> Snapshot:
        """Copy into `region`; an encrypted snapshot crosses regions only re-encrypted with a key of the target."""
        args: dict[str, Any] = {"SourceDBSnapshotIdentifier": source.arn, "TargetDBSnapshotIdentifier": name,
                                "KmsKeyId": kms_key, "CopyTags": False, "Tags": _tags(tags)}
        if source.region != region:
            args["SourceRegion"] = source.region  # boto3 signs the pre-signed URL RDS needs for this
        made = self.client("rds", region).copy_db_snapshot(**args)["DBSnapshot"]
        return _snapshot(made, region)

    @aws_call("rds wait for snapshot")
    def wait_for_snapshot(self, region: str, name: str, minutes: int = 60) -> Snapshot:
        self.client("rds", region).get_waiter("db_snapshot_available").wait(
            DBSnapshotIdentifier=name, WaiterConfig={"Delay": 30, "MaxAttempts": max(1, minutes * 2)})
        found = self.snapshot(region, name)
        if found is None:
            raise AwsError(f"rds snapshot {name} in {region} disappeared while waiting for it")
        return found

    # --- KMS -------------------------------------------------------------------------------------------------

    @aws_call("kms describe-key")
    def kms_key_arn(self, region: str, key: str) -> str:
        """An alias (alias/aws/rds) or id resolved to the key's ARN in `region`."""
        return self.client("kms", region).describe_key(KeyId=key)["KeyMetadata"]["Arn"]

    # --- S3 --------------------------------------------------------------------------------------------------

    @aws_call("s3 get-bucket-location")
    def bucket_region(self, bucket: str) -> str:
        return self.client("s3").get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"

    @aws_call("s3 list-objects-v2")
    def objects(self, bucket: str, region: str) -> dict[str, tuple[int, str]]:
        """Every current object: key -> (size, ETag)."""
        found: dict[str, tuple[int, str]] = {}
        for page in self.client("s3", region).get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = (item["Size"], item["ETag"])
        return found

    @aws_call("s3 copy-object")
    def copy_object(self, source_bucket: str, source_region: str, key: str, target_bucket: str,
                    target_region: str) -> None:
        """A managed copy (multipart above 8 MB), across regions when the buckets are in different ones."""
        self.client("s3", target_region).copy(
            {"Bucket": source_bucket, "Key": key}, target_bucket, key,
            SourceClient=self.client("s3", source_region))

    # --- Route 53 and the load balancer's zone ---------------------------------------------------------------

    @aws_call("route53 list-hosted-zones-by-name")
    def zone_id(self, zone_name: str) -> str:
        wanted = zone_name.rstrip(".") + "."
        zones = self.client("route53").list_hosted_zones_by_name(DNSName=wanted)["HostedZones"]
        for zone in zones:
            if zone["Name"] == wanted and not zone.get("Config", {}).get("PrivateZone"):
                return zone["Id"].split("/")[-1]
        raise AwsError(f"route53: no public hosted zone {zone_name}; create it, or set phasegate:app.hostedZone")

    @aws_call("route53 list-resource-record-sets")
    def records(self, zone_id: str, name: str, record_type: str = "A") -> list[dict]:
        wanted = name.rstrip(".") + "."
        page = self.client("route53").list_resource_record_sets(
            HostedZoneId=zone_id, StartRecordName=wanted, StartRecordType=record_type, MaxItems="20")
        return [r for r in page["ResourceRecordSets"] if r["Name"] == wanted and r["Type"] == record_type]

    @aws_call("route53 change-resource-record-sets")
    def change_records(self, zone_id: str, upsert: Iterable[dict] = (), delete: Iterable[dict] = (),
                       comment: str = "phasegate migrate") -> None:
        changes = [{"Action": "DELETE", "ResourceRecordSet": r} for r in delete]
        changes += [{"Action": "UPSERT", "ResourceRecordSet": r} for r in upsert]
        if changes:
            self.client("route53").change_resource_record_sets(
                HostedZoneId=zone_id, ChangeBatch={"Comment": comment, "Changes": changes})

    @aws_call("route53 create-health-check")
    def create_health_check(self, reference: str, host: str, path: str, *, https: bool) -> str:
        """AWS returns the existing check for a reference it has seen (the migration also records the id)."""
        return self.client("route53").create_health_check(CallerReference=reference, HealthCheckConfig={
            "Type": "HTTPS" if https else "HTTP", "FullyQualifiedDomainName": host, "ResourcePath": path,
            "Port": 443 if https else 80, "RequestInterval": 30, "FailureThreshold": 3})["HealthCheck"]["Id"]

    @aws_call("route53 get-health-check-status")
    def health_check_statuses(self, health_check_id: str) -> list[str]:
        """What each Route 53 checker last reported ("Success: ...", "Failure: ..."); none yet for a new check."""
        observations = self.client("route53").get_health_check_status(
            HealthCheckId=health_check_id)["HealthCheckObservations"]
        return [o.get("StatusReport", {}).get("Status", "") for o in observations]

    def health_check_healthy(self, health_check_id: str) -> bool:
        return judged_healthy(self.health_check_statuses(health_check_id))

    @aws_call("route53 delete-health-check")
    def delete_health_check(self, health_check_id: str) -> None:
        self.client("route53").delete_health_check(HealthCheckId=health_check_id)

    @aws_call("elbv2 describe-load-balancers")
    def load_balancer_zone(self, region: str, dns_name: str) -> str:
        """The hosted zone an alias to this load balancer must name (a per-region AWS constant, looked up)."""
        for page in self.client("elbv2", region).get_paginator("describe_load_balancers").paginate():
            for balancer in page["LoadBalancers"]:
                if balancer["DNSName"].lower() == dns_name.lower().rstrip("."):
                    return balancer["CanonicalHostedZoneId"]
        raise AwsError(f"elbv2: no load balancer named {dns_name} in {region}")

    # --- CloudWatch ------------------------------------------------------------------------------------------

    @aws_call("cloudwatch describe-alarms")
    def alarms_notifying(self, region: str, topic_arn: str) -> list[Alarm]:
        """The metric alarms that notify this SNS topic: the alarms a stack's alerts part created."""
        found = []
        for page in self.client("cloudwatch", region).get_paginator("describe_alarms").paginate(
                AlarmTypes=["MetricAlarm"]):
            for alarm in page["MetricAlarms"]:
                if topic_arn in alarm.get("AlarmActions", []):
                    found.append(_alarm(alarm))
        return found

    @aws_call("cloudwatch get-metric-data")
    def metric_series(self, region: str, queries: list[dict], start: datetime,
                      end: datetime) -> dict[str, list[tuple[datetime, float]]]:
        """Each query's datapoints, oldest first."""
        series: dict[str, list[tuple[datetime, float]]] = {q["Id"]: [] for q in queries}
        for page in self.client("cloudwatch", region).get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"):
            for result in page["MetricDataResults"]:
                series.setdefault(result["Id"], []).extend(zip(result["Timestamps"], result["Values"]))
        return {key: sorted(points) for key, points in series.items()}

    def estimated_charges(self, start: datetime, end: datetime) -> Optional[float]:
        """The account's month-to-date estimated charges (AWS/Billing lives only in us-east-1), or None."""
        query = {"Id": "charges", "ReturnData": True, "MetricStat": {"Stat": "Maximum", "Period": 21600, "Metric": {
            "Namespace": "AWS/Billing", "MetricName": "EstimatedCharges",
            "Dimensions": [{"Name": "Currency", "Value": "USD"}]}}}
        points = self.metric_series(BILLING_REGION, [query], start, end)["charges"]
        return max(value for _, value in points) if points else None


# Route 53 considers an endpoint healthy when more than 18% of its health checkers report it healthy.
ROUTE53_HEALTHY_SHARE = 0.18


def judged_healthy(statuses: Sequence[str]) -> bool:
    """Route 53's own verdict from its checkers' reports; with no report yet (a brand-new check), not healthy."""
    healthy = sum(1 for status in statuses if status.startswith("Success"))
    return bool(statuses) and healthy > ROUTE53_HEALTHY_SHARE * len(statuses)


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _database(raw: dict, region: str) -> Database:
    groups = raw.get("DBParameterGroups") or [{}]
    return Database(raw["DBInstanceIdentifier"], raw.get("Endpoint", {}).get("Address", ""), raw["DBInstanceArn"],
                    region, bool(raw.get("StorageEncrypted")), groups[0].get("DBParameterGroupName", ""),
                    int(raw.get("AllocatedStorage", 0)), raw.get("DBInstanceStatus", ""),
                    groups[0].get("ParameterApplyStatus", ""))


def _snapshot(raw: dict, region: str) -> Snapshot:
    return Snapshot(raw["DBSnapshotIdentifier"], raw["DBSnapshotArn"], region, raw.get("Status", ""),
                    bool(raw.get("Encrypted")), raw.get("KmsKeyId"),
                    raw.get("OriginalSnapshotCreateTime") or raw.get("SnapshotCreateTime"))


def _alarm(raw: dict) -> Alarm:
    """The metrics behind an alarm as GetMetricData queries that return data (math alarms: every metric)."""
    if raw.get("Metrics"):
        queries = tuple({"Id": q["Id"], "MetricStat": q["MetricStat"], "ReturnData": True}
                        for q in raw["Metrics"] if "MetricStat" in q)
        expression = next((q.get("Expression", "") for q in raw["Metrics"] if q.get("Expression")), "")
        period = next((q["MetricStat"]["Period"] for q in raw["Metrics"] if "MetricStat" in q), 60)
    else:
        stat = raw.get("Statistic") or raw.get("ExtendedStatistic") or "Average"
        queries = ({"Id": "m0", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": raw["Namespace"], "MetricName": raw["MetricName"],
                       "Dimensions": raw.get("Dimensions", [])}, "Period": raw["Period"], "Stat": stat}},)
        expression, period = "", raw["Period"]
    return Alarm(raw["AlarmName"], raw["StateValue"], raw.get("AlarmDescription", ""), float(raw.get("Threshold", 0)),
                 int(raw.get("EvaluationPeriods", 1)), int(period), queries, expression)
