"""advise(): the verdict from the trigger alarms' states, their metrics over 14 days, the bill and the estimates."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from automation.advise import advise, render_json, render_text
from automation.aws import Aws
from automation.errors import EXIT_MOVE
from offline.check import check_stack
from fixtures import backend, project, stacks  # noqa: F401 - pytest fixtures

NOW = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
TOPIC = "arn:aws:sns:us-west-2:123456789012:acme-alerts-topic-growth"
NODES = ("i-0server", "i-0agent")


def estimate(stack: str):
    return SimpleNamespace(total_usd={"mvp": 35.91, "growth": 99.65, "production": 408.83}[stack],
                           ceiling={"mvp": 45.0, "growth": 105.0, "production": 412.0}[stack], errors=[])


def node_queries(namespace: str, metric: str) -> list[dict]:
    queries = [{"Id": f"n{i}", "ReturnData": False, "MetricStat": {"Period": 3600, "Stat": "Average", "Metric": {
        "Namespace": namespace, "MetricName": metric, "Dimensions": [{"Name": "InstanceId", "Value": node}]}}}
        for i, node in enumerate(NODES)]
    return queries + [{"Id": "avg", "Expression": "AVG([n0, n1])", "ReturnData": True}]


def growth_triggers() -> None:
    """The three trigger alarms as the growth stack's alerts part creates them (names get Pulumi's suffix)."""
    cloudwatch = boto3.client("cloudwatch", region_name="us-west-2")
    common = {"AlarmActions": [TOPIC], "ComparisonOperator": "GreaterThanThreshold"}
    cloudwatch.put_metric_alarm(AlarmName="acme-alerts-trigger-cpu-4d5e6f7", EvaluationPeriods=6, Threshold=70,
                                Metrics=node_queries("AWS/EC2", "CPUUtilization"), **common)
    cloudwatch.put_metric_alarm(AlarmName="acme-alerts-trigger-memory-8a9b0c1", EvaluationPeriods=6, Threshold=80,
                                Metrics=node_queries("CWAgent", "mem_used_percent"), **common)
    cloudwatch.put_metric_alarm(AlarmName="acme-alerts-trigger-requests-2d3e4f5", EvaluationPeriods=1,
                                Threshold=100000, Namespace="AWS/ApplicationELB", MetricName="RequestCount",
                                Statistic="Sum", Period=86400,
                                Dimensions=[{"Name": "LoadBalancer", "Value": "app/acme-lb-alb/50dc6c495c0c9188"}],
                                **common)
    cloudwatch.put_metric_alarm(AlarmName="acme-alerts-db-cpu-1f2e3d4", EvaluationPeriods=1, Threshold=80,
                                Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average", Period=300,
                                **common)


def hourly(namespace: str, metric: str, node: str, values: list[float], hours_ago: int) -> None:
    """`values` for consecutive hours, the first one `hours_ago` hours back."""
    boto3.client("cloudwatch", region_name="us-west-2").put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": metric, "Dimensions": [{"Name": "InstanceId", "Value": node}], "Value": value,
         "Timestamp": NOW - timedelta(hours=hours_ago - i, minutes=30)} for i, value in enumerate(values)])


def daily_requests(counts: list[float]) -> None:
    boto3.client("cloudwatch", region_name="us-west-2").put_metric_data(Namespace="AWS/ApplicationELB", MetricData=[
        {"MetricName": "RequestCount", "Value": count, "Timestamp": NOW - timedelta(days=len(counts) - i, hours=-1),
         "Dimensions": [{"Name": "LoadBalancer", "Value": "app/acme-lb-alb/50dc6c495c0c9188"}]}
        for i, count in enumerate(counts)])


@pytest.fixture
def growth(backend, stacks, project):
    with mock_aws():
        backend.existing.add("growth")
        backend.outputs["growth"] = {"region": "us-west-2", "alertsTopicArn": TOPIC}
        growth_triggers()
        boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(Namespace="AWS/Billing", MetricData=[
            {"MetricName": "EstimatedCharges", "Dimensions": [{"Name": "Currency", "Value": "USD"}], "Value": 61.5,
             "Timestamp": NOW - timedelta(minutes=20)}])
        yield lambda stack="growth": advise(stack, stacks=stacks, aws=Aws(), estimate=estimate, project_dir=project,
                                            now=NOW)


def by_key(advice):
    return {t.key: t for t in advice.triggers}


def test_quiet_triggers_mean_stay(growth):
    for node in NODES:
        hourly("AWS/EC2", "CPUUtilization", node, [35.0] * 48, 60)
        hourly("CWAgent", "mem_used_percent", node, [55.0] * 48, 60)
    daily_requests([20000.0] * 10)
    advice = growth()
    assert advice.verdict == "stay" and "no next-phase trigger fired" in advice.reason
    triggers = by_key(advice)
    assert set(triggers) == {"trigger-cpu", "trigger-memory", "trigger-requests"}  # db-cpu is not a trigger
    assert triggers["trigger-cpu"].peak == 35.0 and not triggers["trigger-cpu"].fired
    assert triggers["trigger-requests"].peak == 20000.0
    assert advice.charges_month_to_date_usd == 61.5
    assert advice.charges_projected_usd is None or advice.charges_projected_usd >= 61.5


def test_cpu_above_70_for_longer_than_6_hours_two_weeks_ago_or_not_is_plan_the_move(growth):
    # both nodes at 85% for 8 hours three days ago; the alarm has long since recovered (state OK)
    for node in NODES:
        hourly("AWS/EC2", "CPUUtilization", node, [40.0] * 10 + [85.0] * 8 + [40.0] * 10, 90)
    boto3.client("cloudwatch", region_name="us-west-2").set_alarm_state(
        AlarmName="acme-alerts-trigger-cpu-4d5e6f7", StateValue="OK", StateReason="recovered")
    advice = growth()
    cpu = by_key(advice)["trigger-cpu"]
    assert (cpu.state, cpu.longest_breach, cpu.breaching_periods, cpu.fired) == ("OK", 8, 8, True)
    assert advice.verdict == "move" and advice.next_stack == "production"
    assert "trigger-cpu fired" in advice.reason and "$408.83/month (+$309.18)" in advice.reason
    assert not by_key(advice)["trigger-memory"].fired


def test_one_hot_node_is_averaged_with_the_others_as_the_alarm_does(growth):
    hourly("AWS/EC2", "CPUUtilization", NODES[0], [95.0] * 10, 20)
    hourly("AWS/EC2", "CPUUtilization", NODES[1], [30.0] * 10, 20)
    cpu = by_key(growth())["trigger-cpu"]
    assert cpu.peak == 62.5 and not cpu.fired


def test_a_burst_shorter_than_the_window_does_not_fire(growth):
    for node in NODES:
        hourly("CWAgent", "mem_used_percent", node, [90.0] * 5 + [50.0] + [90.0] * 5, 30)
    memory = by_key(growth())["trigger-memory"]
    assert (memory.longest_breach, memory.breaching_periods, memory.fired) == (5, 10, False)


def test_an_alarm_in_alarm_now_fires_even_without_metrics(growth):
    boto3.client("cloudwatch", region_name="us-west-2").set_alarm_state(
        AlarmName="acme-alerts-trigger-requests-2d3e4f5", StateValue="ALARM", StateReason="busy day")
    advice = growth()
    assert advice.verdict == "move" and by_key(advice)["trigger-requests"].fired


def test_a_day_over_100000_requests_fires(growth):
    daily_requests([40000.0, 90000.0, 140000.0])
    requests = by_key(growth())["trigger-requests"]
    assert requests.peak == 140000.0 and requests.fired


def test_text_and_json_say_the_same(growth):
    daily_requests([140000.0])
    advice = growth()
    data = json.loads(render_json(advice))
    assert data["verdict"] == "move" and data["nextStack"] == "production" and data["deltaUsd"] == 309.18
    assert {t["key"]: t["fired"] for t in data["triggers"]}["trigger-requests"] is True
    text = render_text(advice)
    assert text.startswith("== growth (growth, us-west-2): MOVE")
    assert "trigger-requests: FIRED" in text and "ceiling $412.00: +$309.18/month" in text


def test_production_is_the_last_phase(growth, backend):
    backend.existing.add("production")
    backend.outputs["production"] = {"region": "us-west-2", "alertsTopicArn": "arn:none"}
    advice = growth("production")
    assert advice.verdict == "stay" and advice.reason == "production is the last phase" and advice.next_stack is None


def test_the_mvp_is_judged_on_its_hosts_metrics(growth, backend):
    backend.existing.add("mvp")
    backend.outputs["mvp"] = {"region": "us-east-1", "alertsTopicArn": "arn:mvp", "instanceId": "i-0mvp"}
    boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(Namespace="AWS/EC2", MetricData=[
        {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": "i-0mvp"}], "Value": 88.0,
         "Timestamp": NOW - timedelta(hours=h, minutes=30)} for h in range(1, 9)])
    advice = growth("mvp")
    assert advice.verdict == "move" and advice.next_stack == "growth"
    cpu = by_key(advice)["trigger-cpu"]
    assert cpu.alarm is None and cpu.longest_breach == 8 and cpu.fired
    assert any("no next-phase trigger alarms" in note for note in advice.notes)


def test_the_estimates_are_the_offline_checks_of_both_stack_files(backend, stacks, project):
    with mock_aws():
        backend.existing.add("growth")
        backend.outputs["growth"] = {"region": "us-west-2", "alertsTopicArn": TOPIC}
        growth_triggers()
        advice = advise("growth", stacks=stacks, aws=Aws(), project_dir=project, now=NOW)
    production, current = check_stack("production"), check_stack("growth")
    assert advice.next_estimate_usd == production.total_usd and advice.current_estimate_usd == current.total_usd
    assert advice.delta_usd == round(production.total_usd - current.total_usd, 2)
    assert EXIT_MOVE == 10


def test_charges_are_projected_to_the_month_end_once_the_month_is_under_way(backend, stacks, project):
    mid_month = datetime(2026, 11, 16, tzinfo=timezone.utc)  # 15 days of November's 30 are over
    with mock_aws():
        backend.existing.add("growth")
        backend.outputs["growth"] = {"region": "us-west-2", "alertsTopicArn": TOPIC}
        growth_triggers()
        boto3.client("cloudwatch", region_name="us-east-1").put_metric_data(Namespace="AWS/Billing", MetricData=[
            {"MetricName": "EstimatedCharges", "Dimensions": [{"Name": "Currency", "Value": "USD"}], "Value": 50.0,
             "Timestamp": mid_month - timedelta(hours=1)}])
        advice = advise("growth", stacks=stacks, aws=Aws(), estimate=estimate, project_dir=project, now=mid_month)
    assert (advice.charges_month_to_date_usd, advice.charges_projected_usd) == (50.0, 100.0)
    assert "$50.00 so far, about $100.00 by its end" in render_text(advice)
