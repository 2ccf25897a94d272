"""ecs-capacity-providers-first and fargate-spot-arm64-platform (rules/ecs.py), over gRPC at a first preview and at an
update (the `mode` fixture), from the passing Fargate graph of runtime_graphs (the MVP plus a cluster, its capacity
provider association, a task definition and a service that depends on the association), one break per test.

Sources: "Only capacity providers that are already associated with a cluster and have an ACTIVE or UPDATING status can
be used in a capacity provider strategy" and "FARGATE_SPOT supports Linux tasks with the ARM64 architecture on platform
version 1.4.0 or later" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html).
"""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import DELETE, find, set_prop

from .helpers import NOT_COSTED, check, messages
from .runtime_graphs import fargate

FIRST, SPOT = "ecs-capacity-providers-first", "fargate-spot-arm64-platform"
SPOT_STRATEGY = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                 {"capacityProvider": "FARGATE_SPOT", "weight": 1}]


def judged(mode, change=None, pack_config=None, **shape):
    graph = mode.graph()
    runtime = fargate(mode, graph, **shape)
    if change:
        change(runtime)
    return check(mode, graph + runtime, pack_config={**NOT_COSTED, **(pack_config or {})})


def without_the_dependency(runtime):
    find(runtime, "acme-web-service").dependencies = []


def test_a_service_that_waits_for_its_clusters_capacity_providers_passes(mode):
    evaluation = judged(mode)
    assert messages(evaluation, FIRST) == [] and messages(evaluation, SPOT) == []


def test_a_service_that_does_not_wait_for_the_association_is_refused(mode):
    # At a first preview the cluster's ARN is unknown: the service and the association meet through the property
    # dependencies of `cluster` and `clusterName`.
    evaluation = judged(mode, without_the_dependency)
    assert messages(evaluation, FIRST) == [
        "ECS service acme-web-service runs on capacity providers of its cluster but does not depend on "
        "acme-ecs-providers, which associates them: ECS refuses a strategy naming a provider not yet associated with "
        "the cluster. Add depends_on=[acme-ecs-providers] to the service."]
    assert {v.level for v in evaluation.violations if v.policy == FIRST} == {"mandatory"}


def test_an_input_taken_from_the_association_counts_as_waiting_for_it(mode):
    def through_an_input(runtime):
        service = find(runtime, "acme-web-service")
        service.dependencies = []
        service.property_dependencies["cluster"] = [find(runtime, name).urn for name in ("acme-ecs", "acme-ecs-providers")]
    assert messages(judged(mode, through_an_input), FIRST) == []


def test_a_service_of_another_cluster_or_with_a_launch_type_needs_no_dependency(mode):
    def elsewhere(runtime):
        service = find(runtime, "acme-web-service")
        without_the_dependency(runtime)
        service.property_dependencies["cluster"] = []
        set_prop(service, "cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/shared")
    assert messages(judged(mode, elsewhere), FIRST) == []

    def launch_type(runtime):
        service = find(runtime, "acme-web-service")
        without_the_dependency(runtime)
        set_prop(service, "capacityProviderStrategies", DELETE)
        set_prop(service, "launchType", "FARGATE")
    assert messages(judged(mode, launch_type), FIRST) == []


def test_a_service_on_the_clusters_default_strategy_must_wait_for_it_too(mode):
    def default_strategy(runtime):
        without_the_dependency(runtime)
        set_prop(find(runtime, "acme-web-service"), "capacityProviderStrategies", DELETE)
        set_prop(find(runtime, "acme-ecs-providers"), "defaultCapacityProviderStrategies",
                 [{"capacityProvider": "FARGATE", "weight": 1}])
    assert len(messages(judged(mode, default_strategy), FIRST)) == 1
    assert messages(judged(mode, default_strategy, {FIRST: {"followDefaultStrategy": False}}), FIRST) == []


def test_a_cluster_that_cannot_be_matched_fails_closed(mode):
    def unlinked(runtime):
        service = find(runtime, "acme-web-service")
        without_the_dependency(runtime)
        service.property_dependencies["cluster"] = []
        set_prop(service, "cluster", UNKNOWN_STRING_VALUE)
    assert messages(judged(mode, unlinked), FIRST) == [
        "ECS service acme-web-service cannot be shown to wait for the capacity providers acme-ecs-providers: its "
        "cluster or theirs is unknown at preview and not linked to a cluster of this stack. Give the service "
        "depends_on=[acme-ecs-providers] or pass the cluster's own outputs."]


# --- fargate-spot-arm64-platform --------------------------------------------------------------------------------

def platform(version):
    def change(runtime):
        set_prop(find(runtime, "acme-web-service"), "platformVersion", version)
    return change


@pytest.mark.parametrize("version", [DELETE, "LATEST", "1.4.0"])
def test_arm64_on_spot_passes_on_latest_and_on_1_4_0(mode, version):
    """Pulumi.lean.yaml's shape (arm64, Spot, LATEST) is valid: an older guide page said otherwise."""
    assert messages(judged(mode, platform(version), arch="ARM64", strategy=SPOT_STRATEGY), SPOT) == []


def test_arm64_on_spot_pinned_to_1_3_0_is_refused(mode):
    evaluation = judged(mode, platform("1.3.0"), arch="ARM64", strategy=SPOT_STRATEGY)
    assert messages(evaluation, SPOT) == [
        "ECS service acme-web-service runs ARM64 tasks on FARGATE_SPOT with platform version 1.3.0: FARGATE_SPOT runs "
        "ARM64 tasks only on 1.4.0 or later. Set platform_version to LATEST or at least 1.4.0."]
    assert {v.level for v in evaluation.violations if v.policy == SPOT} == {"mandatory"}


@pytest.mark.parametrize("arch, strategy", [
    ("X86_64", SPOT_STRATEGY),  # x86_64 runs on Spot from 1.3.0
    ("ARM64", [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}]),  # no Spot
])
def test_1_3_0_is_fine_for_x86_64_on_spot_and_for_arm64_off_spot(mode, arch, strategy):
    assert messages(judged(mode, platform("1.3.0"), arch=arch, strategy=strategy), SPOT) == []


def test_an_unknown_platform_version_for_arm64_on_spot_fails_closed(mode):
    evaluation = judged(mode, platform(UNKNOWN_STRING_VALUE), arch="ARM64", strategy=SPOT_STRATEGY)
    assert messages(evaluation, SPOT) == [
        "ECS service acme-web-service may run ARM64 tasks on FARGATE_SPOT with platform version unknown at preview, "
        "and this cannot be ruled out (its strategy, task definition or platform version is unknown or outside this "
        "stack): FARGATE_SPOT runs ARM64 tasks only on 1.4.0 or later. Set platform_version to LATEST or at least "
        "1.4.0."]
