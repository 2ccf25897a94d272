"""ECR storage, priced once for the stack; Container Insights fails closed."""

from __future__ import annotations

from cost_helpers import node
from phasegate_policies.cost import Usage, estimate
from container_definitions import ECR_IMAGE
from runtime_pricing import named_lines, usage


def test_ecr_storage_is_priced_once_for_the_stack_and_container_insights_fails_closed():
    repos = [node("aws:ecr/repository:Repository", name, {"imageTagMutability": "IMMUTABLE"}) for name in ("a", "b")]
    result = estimate(repos, usage(ecrStorageGb=12), "us-east-1")
    assert named_lines(result) == [("a", "12 GB ECR image storage (phasegate:usage.ecrStorageGb)", 1.2)]
    fn = node("aws:lambda/function:Function", "fn", {"packageType": "Image", "imageUri": ECR_IMAGE})
    via_function = estimate([fn], usage(ecrStorageGb=4, lambdaAvgDurationMs=50), "us-east-1")
    assert ("fn", "4 GB ECR image storage (phasegate:usage.ecrStorageGb)", 0.4) in named_lines(via_function)
    insights = estimate([node("aws:ecs/cluster:Cluster", "cl", {})], Usage(), "us-east-1")
    assert insights.unpriced[0][2].startswith("does not set containerInsights, so the account's default applies")
    off = estimate([node("aws:ecs/cluster:Cluster", "cl", {"settings": [{"name": "containerInsights",
                                                                         "value": "disabled"}]})], Usage(), "us-east-1")
    assert off.lines == [] and off.unpriced == []
