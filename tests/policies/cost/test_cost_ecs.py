"""Fargate services priced per task from their task definition, by capacity provider strategy; target tracking."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from cost_helpers import node
from phasegate_policies.cost import PricedResource, Usage, estimate
from runtime_pricing import named_lines, task_and_service


def test_fargate_prices_vcpu_and_memory_per_task_split_by_the_strategy():
    strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 2}, {"capacityProvider": "FARGATE_SPOT", "weight": 3}]
    result = estimate(task_and_service(desiredCount=6, capacityProviderStrategies=strategy), Usage(), "us-east-1")
    spot = " (FARGATE_SPOT charged at the on-demand price, an upper bound: Spot prices vary)"
    where = "(desired count, its capacity provider strategy; task definition task, X86_64)"
    # 2 base + 1 of the remaining 4 on FARGATE, 3 on FARGATE_SPOT; 1 vCPU x $0.04048 and 2 GB x $0.004445 an hour each.
    assert named_lines(result) == [
        ("svc", f"3 x FARGATE task {where}: 1 vCPU, 730 h x $0.04048", 88.6512),
        ("svc", f"3 x FARGATE task {where}: 2 GB memory, 730 h x $0.004445", 19.4691),
        ("svc", f"3 x FARGATE_SPOT task {where}{spot}: 1 vCPU, 730 h x $0.04048", 88.6512),
        ("svc", f"3 x FARGATE_SPOT task {where}{spot}: 2 GB memory, 730 h x $0.004445", 19.4691)]
    frankfurt = estimate(task_and_service(region="eu-central-1", desiredCount=1, launchType="FARGATE"), Usage(),
                         "eu-central-1")
    assert round(frankfurt.total, 2) == round(730 * (0.04656 + 2 * 0.00511), 2) == 41.45

def test_fargate_arm64_is_priced_where_sourced_and_unpriced_elsewhere():
    arm = estimate(task_and_service(arch="ARM64", desiredCount=2, launchType="FARGATE"), Usage(), "us-east-1")
    assert round(arm.total, 2) == round(2 * 730 * (0.03238 + 2 * 0.00356), 2) == 57.67
    oregon = estimate(task_and_service(arch="ARM64", region="us-west-2", desiredCount=2, launchType="FARGATE"),
                      Usage(), "us-west-2")
    assert oregon.unpriced == [("urn:aws:ecs/service:Service::svc", "aws:ecs/service:Service",
                                "no fargateArmVcpuHour price for region us-west-2")]

def test_a_fargate_service_fails_closed_on_what_it_cannot_price():
    cases = {
        "launchType EC2": ({"launchType": "EC2"}, "runs on the EC2 launch type: phasegate prices ECS services on "
                                                  "Fargate only"),
        "no strategy": ({}, "sets neither a launch type nor a capacity provider strategy, and its cluster's default "
                            "strategy is not in this stack: ECS would use the EC2 launch type"),
        "asg provider": ({"capacityProviderStrategies": [{"capacityProvider": "asg-nodes", "weight": 1}]},
                         "uses capacity provider asg-nodes: phasegate prices FARGATE and FARGATE_SPOT only"),
    }
    for label, (props, reason) in cases.items():
        result = estimate(task_and_service(desiredCount=1, **props), Usage(), "us-east-1")
        assert result.unpriced == [("urn:aws:ecs/service:Service::svc", "aws:ecs/service:Service", reason)], label
    unknown = estimate(task_and_service(cpu=UNKNOWN_STRING_VALUE, desiredCount=1, launchType="FARGATE"), Usage(),
                       "us-east-1")
    assert unknown.unknown == [("urn:aws:ecs/service:Service::svc", "aws:ecs/service:Service",
                                "task definition task cpu is unknown at preview")]
    public = estimate(task_and_service(desiredCount=2, launchType="FARGATE",
                                       networkConfiguration={"assignPublicIp": True}), Usage(), "us-east-1")
    assert named_lines(public)[-1] == ("svc", "2 public IPv4 addresses (assignPublicIp, one per task)", 7.3)

def test_the_cluster_default_strategy_and_an_autoscaling_minimum_set_the_tasks():
    cluster = node("aws:ecs/cluster:Cluster", "cl", {"settings": [{"name": "containerInsights", "value": "disabled"}]})
    providers = node("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cp", {
        "clusterName": UNKNOWN_STRING_VALUE, "defaultCapacityProviderStrategies": [
            {"capacityProvider": "FARGATE_SPOT", "weight": 1}]}, deps={"clusterName": [cluster.urn]})
    task, svc = task_and_service(cpu="256", memory="512", desiredCount=1, cluster=UNKNOWN_STRING_VALUE)
    svc = PricedResource(svc.urn, svc.type, svc.name, svc.props, svc.region,
                         dependencies={**svc.dependencies, "cluster": (cluster.urn,)})
    target = node("aws:appautoscaling/target:Target", "scale", {"minCapacity": 2, "maxCapacity": 4,
                                                                "resourceId": UNKNOWN_STRING_VALUE},
                  deps={"resourceId": [cluster.urn, svc.urn]})
    result = estimate([cluster, providers, task, svc, target], Usage(), "us-east-1")
    assert [item for _, item, _ in named_lines(result)][0].startswith(
        "2 x FARGATE_SPOT task (autoscaling target scale's minimum capacity, cluster default strategy (cp); ")
    assert round(result.total, 2) == round(2 * 730 * (0.25 * 0.04048 + 0.5 * 0.004445), 2) == 18.02

def test_target_tracking_policies_bill_two_alarms_each_within_the_free_ten():
    policies = [node("aws:appautoscaling/policy:Policy", f"p{i}", {"policyType": "TargetTrackingScaling"})
                for i in range(6)]
    step = node("aws:appautoscaling/policy:Policy", "step", {"policyType": "StepScaling"})
    result = estimate(policies + [step], Usage(), "us-east-1")
    assert named_lines(result)[0] == ("p0", "2 target-tracking alarms (high and low, created by Application Auto Scaling)",
                                0.2)
    # 12 alarms, the first 10 free.
    assert named_lines(result)[-1] == ("(stack usage)", "always-free: first 10 alarm metrics (12 used)", -1.0)
    assert result.total == 0.2
