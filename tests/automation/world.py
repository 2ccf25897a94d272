"""An AWS account in moto shaped like a deployed mvp (us-east-1), and what the fake engine's `up` of growth creates.

`up_growth` plays the Pulumi program's part: it restores the database from the configured snapshotIdentifier (so
a wrong ARN or region fails as it would in RDS), creates the bucket, the load balancer and an alarm on the alerts
topic, and, when `app.domain` is set, takes the domain's record over as the load balancer part does.
"""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
import yaml
from moto import mock_aws
from moto.rds.models import rds_backends

from automation.aws import Aws
from automation.health import ProbeResult
from automation.migration.facts import MigrateOptions
from automation.migration.runner import migrate

MVP_IP = "203.0.113.10"
DOMAIN, ZONE = "app.acme.example", "acme.example"
ACCOUNT = "123456789012"
MVP_PARAMS = "acme-db-params-9d8e7f6"


class MotoAws(Aws):
    """moto (5.x) has no ResetDBParameterGroup: the reset is done on its backend, as RDS does it (the parameter is no
    longer one the group sets). Every other call goes to moto through boto3."""

    def __init__(self) -> None:
        super().__init__()
        self.resets: list[tuple[str, str, str]] = []

    def reset_db_parameter(self, region: str, group: str, name: str) -> None:
        rds_backends[ACCOUNT][region].db_parameter_groups[group].parameters.pop(name, None)
        self.resets.append((region, group, name))


def mvp_parameters() -> dict:
    """The user-set parameters of mvp's group, as `describe-db-parameters --source user` reports them."""
    found = boto3.client("rds", region_name="us-east-1").describe_db_parameters(DBParameterGroupName=MVP_PARAMS)
    return {p["ParameterName"]: p["ParameterValue"] for p in found["Parameters"]}


def mvp_account() -> dict:
    rds = boto3.client("rds", region_name="us-east-1")
    rds.create_db_parameter_group(DBParameterGroupName=MVP_PARAMS, DBParameterGroupFamily="postgres16",
                                  Description="phasegate: TLS required")
    rds.modify_db_parameter_group(DBParameterGroupName=MVP_PARAMS, Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    db = rds.create_db_instance(
        DBInstanceIdentifier="acme-db-postgres-1a2b3c4", Engine="postgres", DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20, MasterUsername="app_admin", ManageMasterUserPassword=True, StorageEncrypted=True,
        DBParameterGroupName=MVP_PARAMS, Tags=[{"Key": "phasegate:stack", "Value": "mvp"}])["DBInstance"]
    address = rds.describe_db_instances(DBInstanceIdentifier=db["DBInstanceIdentifier"])["DBInstances"][0][
        "Endpoint"]["Address"]
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="acme-assets-bucket-mvp")
    for key, body in {"logo.png": b"png" * 100, "docs/terms.pdf": b"pdf" * 50, "empty.txt": b""}.items():
        s3.put_object(Bucket="acme-assets-bucket-mvp", Key=key, Body=body)
    route53 = boto3.client("route53")
    zone = route53.create_hosted_zone(Name=ZONE, CallerReference="acme")["HostedZone"]["Id"].split("/")[-1]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT",
        "ResourceRecordSet": {"Name": DOMAIN, "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": MVP_IP}]}}]})
    sns = boto3.client("sns", region_name="us-east-1")
    topic = sns.create_topic(Name="acme-alerts-topic-mvp")["TopicArn"]
    return {"zone": zone, "outputs": {
        "phase": "mvp", "region": "us-east-1", "url": f"http://{MVP_IP}", "publicIp": MVP_IP, "instanceId": "i-0mvp",
        "databaseAddress": address, "assetsBucket": "acme-assets-bucket-mvp", "alertsTopicArn": topic}}


def load_balancer(region: str = "us-west-2", name: str = "acme-lb-alb") -> dict:
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{region}{z}")["Subnet"][
        "SubnetId"] for i, z in enumerate("ab")]
    balancer = boto3.client("elbv2", region_name=region).create_load_balancer(Name=name, Subnets=subnets)[
        "LoadBalancers"][0]
    return {"dns": balancer["DNSName"], "zone": balancer["CanonicalHostedZoneId"]}


def records(zone: str, name: str = DOMAIN) -> list[dict]:
    found = boto3.client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return [r for r in found if r["Name"] == name + "." and r["Type"] == "A"]


class GrowthProgram:
    """What `pulumi up -s growth` creates in the account, driven by the stack file the fake engine keeps."""

    def __init__(self, backend, zone: str):
        self.backend, self.zone = backend, zone
        self.ups = 0
        self.balancer: dict | None = None
        self.topic = None

    def __call__(self, stack) -> None:
        self.ups += 1
        config = yaml.safe_load(stack.stack_file.read_text())["config"]
        database, app = config.get("phasegate:database", {}), config.get("phasegate:app", {})
        rds = boto3.client("rds", region_name="us-west-2")
        if not rds.describe_db_instances()["DBInstances"]:
            rds.restore_db_instance_from_db_snapshot(
                DBInstanceIdentifier="acme-db-postgres-5e6f7a8", DBSnapshotIdentifier=database["snapshotIdentifier"],
                DBInstanceClass="db.t4g.micro", Tags=[{"Key": "phasegate:stack", "Value": "growth"}])
        address = rds.describe_db_instances()["DBInstances"][0]["Endpoint"]["Address"]
        s3 = boto3.client("s3", region_name="us-west-2")
        if "acme-assets-bucket-growth" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket="acme-assets-bucket-growth",
                             CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        if self.balancer is None:
            self.balancer = load_balancer()
            sns = boto3.client("sns", region_name="us-west-2")
            self.topic = sns.create_topic(Name="acme-alerts-topic-growth")["TopicArn"]
            cloudwatch = boto3.client("cloudwatch", region_name="us-west-2")
            for key in ("alb-unhealthy-targets", "trigger-cpu"):
                cloudwatch.put_metric_alarm(
                    AlarmName=f"acme-alerts-{key}-0a1b2c3", AlarmActions=[self.topic], Namespace="AWS/ApplicationELB",
                    MetricName="UnHealthyHostCount", Statistic="Maximum", Period=60, EvaluationPeriods=3,
                    Threshold=0, ComparisonOperator="GreaterThanThreshold")
        domain = app.get("domain")
        if domain:  # the load balancer part's alias record, allow_overwrite=True
            boto3.client("route53").change_resource_record_sets(HostedZoneId=self.zone, ChangeBatch={"Changes": [{
                "Action": "UPSERT", "ResourceRecordSet": {"Name": domain, "Type": "A", "AliasTarget": {
                    "HostedZoneId": self.balancer["zone"], "DNSName": self.balancer["dns"],
                    "EvaluateTargetHealth": True}}}]})
        self.backend.outputs["growth"] = {
            "phase": "growth", "region": "us-west-2", "url": f"https://{domain}" if domain else f"http://{self.balancer['dns']}",
            "loadBalancerDnsName": self.balancer["dns"], "databaseAddress": address,
            "assetsBucket": "acme-assets-bucket-growth", "alertsTopicArn": self.topic}


class FakeProber:
    def __init__(self) -> None:
        self.unhealthy: set[str] = set()  # URL prefixes that answer 503
        self.probes: list = []

    def __call__(self, probe) -> ProbeResult:
        self.probes.append(probe)
        healthy = not any(probe.url.startswith(prefix) for prefix in self.unhealthy)
        return ProbeResult(healthy, f"{probe.url}: HTTP {200 if healthy else 503}")


@pytest.fixture
def world(backend, stacks, project, clock):
    """A deployed mvp in moto, growth's program behind the fake engine, and `run(**options)` migrating mvp -> growth.

    Needs the fixtures of `fixtures.py` (backend, stacks, project, clock) imported into the test module too."""
    with mock_aws():
        account = mvp_account()
        backend.existing.add("mvp")
        backend.outputs["mvp"] = account["outputs"]
        program = GrowthProgram(backend, account["zone"])
        backend.on_up["growth"] = program
        prober = FakeProber()
        lines: list[str] = []

        def run(aws=None, **options):
            defaults = {"soak_minutes": 5, "health_attempts": 2, "stage_minutes": 2}
            return migrate("mvp", "growth", yes=True, options=MigrateOptions(**{**defaults, **options}), stacks=stacks,
                           aws=aws or MotoAws(), prober=prober, clock=clock, project_dir=project, write=lines.append)

        yield SimpleNamespace(zone=account["zone"], program=program, prober=prober, lines=lines, run=run,
                              backend=backend, project=project, clock=clock, stacks=stacks)


def saved_state(project, source: str = "mvp", target: str = "growth") -> dict:
    import json

    return json.loads((project / f".phasegate/migrations/{source}-to-{target}.json").read_text())


def weights(zone: str) -> dict:
    return {r.get("SetIdentifier"): r.get("Weight") for r in records(zone)}
