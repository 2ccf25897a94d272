"""Golden tests of Kubernetes objects that make AWS bill something (`cost/kubernetes.py`), against list prices
computed by hand."""

from __future__ import annotations

import pytest

from cost_helpers import NO_USAGE, UNKNOWN, lines, node, priced
from phasegate_policies.cost import PricedResource, Usage, estimate


SERVICE = "kubernetes:core/v1:Service"
SUBNETS = [node("aws:ec2/subnet:Subnet", f"public-{z}", {"availabilityZone": f"us-east-1{z}"}) for z in "ab"]


def service(spec, annotations=None) -> PricedResource:
    return node(SERVICE, "web", {"metadata": {"name": "web", "annotations": annotations or {}}, "spec": spec})


def test_workloads_and_cluster_ip_services_are_free_but_a_load_balancer_service_is_priced():
    free = estimate([node("kubernetes:apps/v1:Deployment", "web", {"spec": {"replicas": 3}}),
                     service({"ports": [{"port": 80}]})], NO_USAGE, "us-east-1")
    assert free.lines == [] and free.unpriced == [] and free.unknown == []
    classic = estimate(SUBNETS + [service({"type": "LoadBalancer"})], Usage(gbServedPerMonth=50), "us-east-1")
    assert lines(classic) == [
        ("Classic Load Balancer (in-tree cloud controller, the default for type LoadBalancer), 730 h", 18.25),
        ("50 GB processed (all declared internet traffic, an upper bound)", 0.4),
        ("2 public IPv4 addresses (one per AZ of the stack's subnets, an upper bound)", 7.3)]
    network = estimate(SUBNETS + [service({"type": "LoadBalancer"},
                                          {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"})],
                       Usage(gbServedPerMonth=730, declared=frozenset({"requestsPerMonth"})), "us-east-1")
    assert lines(network) == [("Network Load Balancer (in-tree cloud controller), 730 h", 16.425),
                              ("1.000 NLCU average (all declared traffic, an upper bound)", 4.38),
                              ("2 public IPv4 addresses (one per AZ of the stack's subnets, an upper bound)", 7.3)]
    internal = [service({"type": "LoadBalancer"}, {"service.beta.kubernetes.io/aws-load-balancer-type": "external"})]
    declared_zero = Usage(declared=frozenset({"gbServedPerMonth", "requestsPerMonth"}))
    assert [item for item, _ in lines(estimate(internal, declared_zero, "us-east-1"))] == [
        "Network Load Balancer (AWS Load Balancer Controller), 730 h",
        "0.000 NLCU average (all declared traffic, an upper bound)"]
    # Its NLCUs are priced from declared traffic: without it, the service cannot be priced, and says which key.
    undeclared = estimate(internal, NO_USAGE, "us-east-1")
    assert undeclared.lines == [] and undeclared.unknown == [(
        internal[0].urn, SERVICE, "price depends on phasegate:usage.gbServedPerMonth, which is not declared: declare "
        "it in the stack file, or have the platform owner set a default (cost-ceiling: usage)")]


def test_a_load_balancer_service_fails_closed_where_it_cannot_be_priced_or_is_unknown():
    elsewhere = estimate([service({"type": "LoadBalancer", "loadBalancerClass": "example.com/lb"})], NO_USAGE,
                         "us-east-1")
    assert "is implemented by a controller phasegate does not know" in elsewhere.unpriced[0][2]
    oregon = estimate([node(SERVICE, "web", {"spec": {"type": "LoadBalancer"}}, region="us-west-2")], NO_USAGE,
                      "us-west-2")
    assert oregon.unpriced[0][2] == "no classicLbHour price for region us-west-2"
    unknown = estimate([PricedResource.from_engine(urn="urn:svc", type=SERVICE, name="web", default_region="us-east-1",
                                                   props={"metadata": {"name": "web"}, "spec": UNKNOWN})],
                       NO_USAGE, "us-east-1")
    assert unknown.unknown == [("urn:svc", SERVICE, "spec (a Service of type LoadBalancer creates an AWS load "
                                                    "balancer) is unknown at preview")]


@pytest.mark.parametrize("request_, storage_class, item, usd", [
    ("10Gi", None, "10 GB gp3 (the default storage class, assumed gp3) EBS volume", 0.8),
    ("10Gi", "gp2", "10 GB gp2 (storage class gp2) EBS volume", 1.0),
    ("500Mi", "fast", "0.488281 GB gp3 (storage class fast, assumed gp3) EBS volume", 0.0391),
    ("20G", "gp3", "18.6265 GB gp3 (storage class gp3) EBS volume", 1.4901),
])
def test_a_persistent_volume_claim_is_an_ebs_volume_of_its_requested_size(request_, storage_class, item, usd):
    spec = {"resources": {"requests": {"storage": request_}}, **({"storageClassName": storage_class}
                                                                  if storage_class else {})}
    assert lines(priced("kubernetes:core/v1:PersistentVolumeClaim", {"spec": spec})) == [(item, usd)]


def test_a_claim_reads_its_storage_class_and_fails_closed_on_what_it_cannot_price():
    cls = node("kubernetes:storage.k8s.io/v1:StorageClass", "standard",
               {"metadata": {"name": "standard"}, "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp2"}})
    claim = node("kubernetes:core/v1:PersistentVolumeClaim", "data",
                 {"spec": {"storageClassName": "standard", "resources": {"requests": {"storage": "100Gi"}}}})
    assert lines(estimate([cls, claim], NO_USAGE, "us-east-1")) == [
        ("100 GB gp2 (storage class standard) EBS volume", 10.0)]
    bad = priced("kubernetes:core/v1:PersistentVolumeClaim", {"spec": {"resources": {"requests": {"storage": "ten"}}}})
    assert bad.unpriced[0][2] == "claim.spec.resources.requests.storage 'ten' is not a Kubernetes quantity (e.g. 10Gi)"
    io2 = priced("kubernetes:core/v1:PersistentVolumeClaim",
                 {"spec": {"storageClassName": "io2-fast", "resources": {"requests": {"storage": "1Gi"}}}})
    assert io2.unpriced[0][2] == "storage class io2-fast provisions io2 storage, which the catalog does not price"


def test_a_stateful_set_gets_one_volume_per_replica_and_claim_template():
    result = priced("kubernetes:apps/v1:StatefulSet", {"spec": {"replicas": 3, "volumeClaimTemplates": [
        {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "20Gi"}}}}]}})
    assert lines(result) == [("3 x 20 GB gp3 (the default storage class, assumed gp3) EBS volume (claim template "
                              "data, one per replica)", 4.8)]


@pytest.mark.parametrize("values, reason", [
    ({"service": {"type": "NodePort"}, "ports": {"web": {"nodePort": 30080}}}, None),
    ({"persistence": {"enabled": False}}, None),
    ({"controller": {"service": {"type": "LoadBalancer"}}},
     "cannot price what the chart creates: values.controller.service.type is LoadBalancer (an AWS load balancer)"),
    ({"primary": {"persistence": {"enabled": True, "size": "8Gi"}}},
     "cannot price what the chart creates: values.primary.persistence asks for persistent volumes (EBS)"),
])
def test_a_helm_release_is_free_unless_its_values_ask_for_what_the_pack_cannot_see(values, reason):
    result = priced("kubernetes:helm.sh/v3:Release", {"chart": "x", "values": values})
    assert result.lines == []
    assert result.unpriced == ([] if reason is None else [("urn:kubernetes:helm.sh/v3:Release::r",
                                                            "kubernetes:helm.sh/v3:Release", reason)])


def test_a_chart_with_values_unknown_at_preview_is_unknown_and_a_v4_chart_with_children_is_priced_by_them():
    unknown = estimate([PricedResource.from_engine(
        urn="urn:chart", type="kubernetes:helm.sh/v4:Chart", name="c", default_region="us-east-1",
        props={"chart": "x", "values": {"service": {"type": UNKNOWN}}})], NO_USAGE, "us-east-1")
    assert unknown.unknown == [("urn:chart", "kubernetes:helm.sh/v4:Chart", "values.service.type is unknown at "
                                "preview, so what the chart creates cannot be shown to cost nothing")]
    chart = PricedResource("urn:chart", "kubernetes:helm.sh/v4:Chart", "c",
                           {"values": {"service": {"type": "LoadBalancer"}}}, "us-east-1")
    child = PricedResource("urn:svc", SERVICE, "c-svc", {"spec": {"type": "ClusterIP"}}, "us-east-1", parent="urn:chart")
    assert estimate([chart, child], NO_USAGE, "us-east-1").unpriced == []  # its objects are judged, not its values
