"""node-hardening and eks-version-support (rules/eks.py), over gRPC at a first preview and at an update (the `mode`
fixture): the passing MVP graph plus an EKS node group or cluster, one break per test."""

from __future__ import annotations

import datetime

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, set_prop
from phasegate_policies.contract import EKS_STANDARD_SUPPORT_ENDS

from .helpers import NOT_COSTED, TAGS, check, known_or_unknown, launch_template, messages, node_group, uses_template


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


# --- eks-version-support --------------------------------------------------------------------------------------

def eks_cluster(typ="aws:eks/cluster:Cluster", name="eks", **props):
    return extra_resource(typ, name, {"roleArn": "arn:aws:iam::123456789012:role/eks", "tags": TAGS, **props})


def test_eks_version_support_warns_on_extended_support_and_before_the_end_of_standard_support(mode):
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
