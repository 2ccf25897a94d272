"""Golden tests of instances started on our behalf (`cost/compute.py`): autoscaling groups and EKS node groups,
priced from what they link to, against list prices computed by hand."""

from __future__ import annotations

from cost_helpers import NO_USAGE, UNKNOWN, lines, node, priced
from phasegate_policies.cost import PricedResource, estimate


LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def template(name: str = "web", instance_type: str | None = "t3.small", *, lt_id: str = "lt-0abc",
             mappings: list | None = None, **props) -> PricedResource:
    declared = {"metadataOptions": {"httpTokens": "required"}, **props,
                "blockDeviceMappings": mappings if mappings is not None else [
                    {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "volumeType": "gp3", "encrypted": "true"}}]}
    if instance_type:
        declared["instanceType"] = instance_type
    return node(LT, name, declared, outputs={**declared, "id": lt_id, "name": f"{name}-123"})


def group(lt: PricedResource, *, first_preview: bool = True, **props) -> PricedResource:
    """An autoscaling group using `lt`: at a first preview by dependency (the id unknown), else only by its known id
    (no dependency sent: the fallback)."""
    spec = {"id": UNKNOWN if first_preview else "lt-0abc", "version": "$Latest"}
    return node(ASG, "workers", {"minSize": 1, "maxSize": 4, "launchTemplate": spec, **props},
                deps={"launchTemplate": [lt.urn]} if first_preview else {})


def test_an_autoscaling_group_is_priced_from_its_launch_template_at_a_first_preview_and_at_an_update():
    # us-east-1 t3.small $0.0208/h; the template's 30 GB gp3 root at $0.08/GB-month.
    for first_preview in (True, False):
        lt = template()
        result = estimate([lt, group(lt, first_preview=first_preview, desiredCapacity=2)], NO_USAGE, "us-east-1")
        assert lines(result) == [
            ("2 x t3.small instance (desired capacity, launch template web), 730 h x $0.0208", 30.368),
            ("2 x 30 GB gp3 volume (/dev/xvda, launch template web)", 4.8)], first_preview
    lt = template()
    only_min = estimate([lt, group(lt, minSize=3)], NO_USAGE, "us-east-1")
    assert lines(only_min)[0] == (
        "3 x t3.small instance (minimum size; no desired capacity, launch template web), 730 h x $0.0208", 45.552)


def test_an_autoscaling_group_whose_template_cannot_be_followed_fails_closed():
    lt = template()
    unknown = estimate([lt, node(ASG, "workers", {"minSize": 1, "launchTemplate": {"id": UNKNOWN}})], NO_USAGE,
                       "us-east-1")
    assert unknown.lines == [] and unknown.unknown == [
        ("urn:aws:autoscaling/group:Group::workers", ASG,
         "launchTemplate is unknown at preview and not linked to a resource of this stack")]
    outside = estimate([node(ASG, "workers", {"minSize": 1, "launchTemplate": {"id": "lt-elsewhere"}})], NO_USAGE,
                       "us-east-1")
    assert outside.unpriced == [("urn:aws:autoscaling/group:Group::workers", ASG,
                                 "launchTemplate (lt-elsewhere) is not a resource of this stack, so what it sets cannot "
                                 "be read")]
    typeless = template(instance_type=None)
    assert estimate([typeless, group(typeless)], NO_USAGE, "us-east-1").unpriced[0][2] == (
        "launch template web sets no instanceType, so the instance type cannot be told")
    bare = estimate([node(ASG, "workers", {"minSize": 1})], NO_USAGE, "us-east-1")
    assert bare.unpriced[0][2] == ("it names no launch template, mixed instances policy or launch configuration, so "
                                   "there is no way to tell the instance type")


def test_a_template_that_does_not_map_the_root_device_leaves_the_images_root_volume_priced():
    lt = template(mappings=[{"deviceName": "/dev/sdf", "ebs": {"volumeSize": 100, "volumeType": "gp3"}}])
    result = estimate([lt, group(lt, desiredCapacity=1)], NO_USAGE, "us-east-1")
    assert lines(result)[1:] == [("1 x 8 GB gp3 volume (the image's root device, launch template web)", 0.64),
                                 ("1 x 100 GB gp3 volume (/dev/sdf, launch template web)", 8.0)]


def test_a_mixed_instances_policy_charges_its_most_expensive_override_and_says_so():
    lt = template()
    policy = {"launchTemplate": {"launchTemplateSpecification": {"launchTemplateId": UNKNOWN},
                                 "overrides": [{"instanceType": "t3.small"}, {"instanceType": "m5.large"},
                                               {"instanceType": "t3.medium", "weightedCapacity": "2"}]},
              "instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 20}}
    asg = node(ASG, "workers", {"minSize": 1, "desiredCapacity": 2, "mixedInstancesPolicy": policy},
               deps={"mixedInstancesPolicy": [lt.urn]})
    result = estimate([lt, asg], NO_USAGE, "us-east-1")
    # m5.large $0.096/h: 2 x 730 x 0.096 = 140.16 beats 1 x t3.medium (weight 2) and 2 x t3.small.
    assert lines(result) == [
        ("2 x m5.large instance (desired capacity; the most expensive of m5.large, t3.medium, t3.small, an upper "
         "bound; Spot capacity charged at the on-demand price, an upper bound), 730 h x $0.096", 140.16),
        ("2 x 30 GB gp3 volume (/dev/xvda, launch template web)", 4.8)]
    by_attributes = {**policy, "launchTemplate": {**policy["launchTemplate"],
                                                  "overrides": [{"instanceRequirements": {"vcpuCount": {"min": 2}}}]}}
    attributes = node(ASG, "workers", {"minSize": 1, "mixedInstancesPolicy": by_attributes},
                      deps={"mixedInstancesPolicy": [lt.urn]})
    assert estimate([lt, attributes], NO_USAGE, "us-east-1").unpriced[0][2].endswith(
        "selects instance types by attributes (instanceRequirements), so the types AWS picks cannot be priced")


def test_a_launch_configuration_is_priced_through_the_group_that_uses_it():
    config = node("aws:ec2/launchConfiguration:LaunchConfiguration", "legacy",
                  {"imageId": "ami-1", "instanceType": "t3.small", "rootBlockDevice": {"volumeSize": 20}},
                  outputs={"name": "legacy-7a1", "id": "legacy-7a1"})
    asg = node(ASG, "workers", {"minSize": 1, "desiredCapacity": 1, "launchConfiguration": UNKNOWN},
               deps={"launchConfiguration": [config.urn]})
    assert lines(estimate([config, asg], NO_USAGE, "us-east-1")) == [
        ("1 x t3.small instance (desired capacity, launch configuration legacy), 730 h x $0.0208", 15.184),
        ("1 x 20 GB gp3 volume (root, launch configuration legacy)", 1.6)]


def test_the_autoscaling_group_eks_creates_for_a_node_group_is_not_priced_twice():
    """EKS's own group is no Pulumi resource: the node group is priced, and an attachment naming its group is free."""
    nodes = node(NODE_GROUP, "nodes", {"instanceTypes": ["t3.medium"], "scalingConfig": {"desiredSize": 3}})
    attachment = node("aws:autoscaling/attachment:Attachment", "to-alb", {"autoscalingGroupName": UNKNOWN},
                      deps={"autoscalingGroupName": [nodes.urn]})
    result = estimate([nodes, attachment], NO_USAGE, "us-east-1")
    assert lines(result) == [("3 x t3.medium node", 91.104), ("3 x 20 GB node volume", 4.8)]
    assert result.unpriced == [] and result.unknown == []


def test_a_node_group_prices_its_most_expensive_type_spot_at_on_demand_and_eks_defaults():
    mixed = priced(NODE_GROUP, {"instanceTypes": ["t3.medium", "m5.large"], "capacityType": "SPOT",
                                "scalingConfig": {"desiredSize": 2}})
    assert lines(mixed)[0] == ("2 x m5.large node (the most expensive of t3.medium, m5.large: EKS may start any of "
                               "them; an upper bound) (SPOT capacity charged at the on-demand price, an upper bound)",
                               140.16)
    default = priced(NODE_GROUP, {"scalingConfig": {"desiredSize": 1}})
    assert lines(default) == [("1 x t3.medium node (EKS's default: neither the node group nor a launch template "
                               "names a type)", 30.368), ("1 x 20 GB node volume", 1.6)]
    windows = priced(NODE_GROUP, {"amiType": "WINDOWS_CORE_2022_x86_64", "instanceTypes": ["t3.medium"],
                                  "scalingConfig": {"desiredSize": 1}})
    assert lines(windows)[1] == ("1 x 50 GB node volume", 4.0)


def test_a_node_group_takes_type_and_disk_from_its_launch_template():
    lt = template("nodes", "m5.large", mappings=[
        {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50, "volumeType": "gp3", "encrypted": "true"}}])
    nodes = node(NODE_GROUP, "nodes", {"scalingConfig": {"desiredSize": 2}, "launchTemplate": {"id": UNKNOWN}},
                 deps={"launchTemplate": [lt.urn]})
    assert lines(estimate([lt, nodes], NO_USAGE, "us-east-1")) == [
        ("2 x m5.large node (from launch template nodes)", 140.16),
        ("2 x 50 GB gp3 node volume (/dev/xvda, launch template nodes)", 8.0)]
    unlinked = node(NODE_GROUP, "nodes", {"scalingConfig": {"desiredSize": 2}, "launchTemplate": {"id": UNKNOWN}})
    assert estimate([lt, unlinked], NO_USAGE, "us-east-1").unknown[0][2] == (
        "launchTemplate is unknown at preview and not linked to a resource of this stack")


def test_pulumi_eks_managed_node_groups_are_priced_from_inputs_only_without_their_child():
    component = PricedResource("urn:mng", "eks:index:ManagedNodeGroup", "spot",
                               {"instanceTypes": ["t3.large"], "scalingConfig": {"desiredSize": 2}}, "us-east-1")
    assert lines(estimate([component], NO_USAGE, "us-east-1")) == [("2 x t3.large node", 121.472),
                                                                  ("2 x 20 GB node volume", 3.2)]
    child = PricedResource("urn:child", NODE_GROUP, "spot-nodeGroup",
                           {"instanceTypes": ["t3.large"], "scalingConfig": {"desiredSize": 2}}, "us-east-1",
                           parent="urn:mng")
    assert lines(estimate([component, child], NO_USAGE, "us-east-1")) == [("2 x t3.large node", 121.472),
                                                                         ("2 x 20 GB node volume", 3.2)]  # never both


def test_pulumi_eks_self_managed_node_groups_are_priced_by_their_autoscaling_group_or_fail_closed():
    component = PricedResource("urn:ng", "eks:index:NodeGroupV2", "ng", {"instanceType": "t3.small"}, "us-east-1")
    assert estimate([component], NO_USAGE, "us-east-1").unpriced == [
        ("urn:ng", "eks:index:NodeGroupV2", "no price for this resource type")]
    lt = template("ng-lt")
    asg = node(ASG, "ng-asg", {"minSize": 1, "desiredCapacity": 1, "launchTemplate": {"id": UNKNOWN}},
               deps={"launchTemplate": [lt.urn]}, parent="urn:ng")
    result = estimate([component, lt, asg], NO_USAGE, "us-east-1")
    assert result.unpriced == [] and [line.name for line in result.lines] == ["ng-asg", "ng-asg"]
