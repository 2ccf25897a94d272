"""private-subnets (rules/private_subnets.py), over gRPC at a first preview and at an update (the `mode` fixture): the
passing MVP graph (and the Fargate and Lambda runtimes' graphs), then one break per test."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, find, set_prop

from .helpers import (NOT_COSTED, TAGS, check, known_or_unknown, launch_template, linked, messages, node_group,
                      uses_template)
from .runtime_graphs import ACCOUNT, fargate, serverless


def test_a_publicly_accessible_database_is_a_violation(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "publiclyAccessible", True)
    assert messages(check(mode, graph), "private-subnets") == [
        "Database acme-db-postgres is publicly accessible: set publicly_accessible=False."]


def test_a_database_subnet_group_on_a_public_subnet_is_a_violation(mode):
    graph = mode.graph()
    group, public, private = (find(graph, n) for n in ("acme-db-subnets", "acme-net-public-0", "acme-net-private-1"))
    linked(group, "subnetIds", public, private)
    assert messages(check(mode, graph), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-public-0: use private subnets "
        "only (no route to an internet gateway)."]


def test_a_subnet_that_maps_public_ips_is_public(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-net-private-0"), "mapPublicIpOnLaunch", True)
    assert messages(check(mode, graph), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-private-0: use private subnets "
        "only (no route to an internet gateway)."]


def test_a_route_resource_to_the_internet_gateway_makes_its_subnets_public(mode):
    """Routes may be separate aws.ec2.Route resources instead of inline routes; both count."""
    graph = mode.graph()
    route = extra_resource("aws:ec2/route:Route", "leak", {"destinationCidrBlock": "0.0.0.0/0"})
    linked(route, "routeTableId", find(graph, "acme-net-private-rt-0"))
    linked(route, "gatewayId", find(graph, "acme-net-igw"))
    assert messages(check(mode, graph + [route]), "private-subnets") == [
        "The database subnet group acme-db-subnets uses public subnet(s) acme-net-private-0, acme-net-private-1: "
        "use private subnets only (no route to an internet gateway)."]


def _node(name: str, **props):
    return extra_resource("aws:ec2/instance:Instance", name, {
        "instanceType": "t3.small", "metadataOptions": {"httpTokens": "required"},
        "rootBlockDevice": {"encrypted": True, "volumeSize": 8, "volumeType": "gp3"},
        "tags": {**TAGS, "phasegate:role": "k3s-agent"}, **props})


def test_a_kubernetes_node_without_a_subnet_lands_in_the_default_vpc_and_fails(mode):
    evaluation = check(mode, mode.graph() + [_node("stray")], pack_config={"cost-ceiling": "advisory"})
    assert messages(evaluation, "private-subnets") == [
        "Kubernetes node stray has no subnet_id, so it lands in the default VPC's public subnet: place it in a "
        "private subnet."]


def test_a_kubernetes_node_in_a_public_subnet_fails_and_in_a_private_one_passes(mode):
    graph = mode.graph()
    public, private = _node("exposed"), _node("inside")
    linked(public, "subnetId", find(graph, "acme-net-public-0"))
    linked(private, "subnetId", find(graph, "acme-net-private-0"))
    evaluation = check(mode, graph + [public, private], pack_config={"cost-ceiling": "advisory"})
    assert messages(evaluation, "private-subnets") == [
        "Kubernetes node exposed is reachable from the internet: place it in a private subnet without a public IP."]


def test_one_odd_resource_does_not_hide_the_findings_after_it(mode):
    """A resource whose tags are a list (and whose subnet is a map) used to crash the rule and hide a public
    database listed after it."""
    graph = mode.graph()
    odd = _node("odd", subnetId={"not": "an id"})
    set_prop(odd, "tags", ["phasegate:role", "k3s-agent"])
    db = find(graph, "acme-db-postgres")
    set_prop(db, "publiclyAccessible", True)
    graph = [odd] + [r for r in graph if r is not db] + [db]
    evaluation = check(mode, graph, pack_config={"cost-ceiling": "advisory"})
    assert messages(evaluation, "private-subnets") == [
        "Database acme-db-postgres is publicly accessible: set publicly_accessible=False."]
    assert messages(evaluation, "required-tags")[0] == "odd's tags are not a map of key to value (list): give tags as a dict."


def test_a_node_group_in_a_public_subnet_fails_private_subnets_and_in_a_private_one_passes(mode):
    graph = mode.graph()
    template = launch_template(mode, "nodes-lt")
    exposed, inside = node_group(mode, graph, "exposed", "acme-net-public-0"), node_group(mode, graph, "inside")
    for group in (exposed, inside):
        uses_template(mode, group, template)
    evaluation = check(mode, graph + [template, exposed, inside], pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == [
        "The EKS node group exposed uses public subnet(s) acme-net-public-0: use private subnets only (no route to an "
        "internet gateway)."]
    assert messages(evaluation, "node-hardening") == []


# --- ECS services and Lambda functions ------------------------------------------------------------------------

@pytest.mark.parametrize("change, expected", [
    ({"public_ip": True}, ["The ECS service acme-web-service gives its tasks public IPs (assign_public_ip=True): set it "
                           "to False and reach the internet through NAT or VPC endpoints."]),
    ({"public_ip": UNKNOWN_STRING_VALUE}, ["The ECS service acme-web-service's assign_public_ip is unknown at preview: "
                                           "set it to a literal False."]),
    ({"subnets": ("acme-net-public-0", "acme-net-private-1")},
     ["The ECS service acme-web-service uses public subnet(s) acme-net-public-0: use private subnets only (no route "
      "to an internet gateway)."]),
])
def test_a_public_task_is_a_violation(mode, change, expected):
    graph = mode.graph()
    evaluation = check(mode, graph + fargate(mode, graph, **change), pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == expected
    assert {v.level for v in evaluation.violations} == {"mandatory"}


def test_a_service_whose_subnets_are_not_of_this_stack_cannot_be_shown_private(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    service = find(runtime, "acme-web-service")
    service.property_dependencies["networkConfiguration"] = []
    set_prop(service, "networkConfiguration.subnets", ["subnet-elsewhere"])
    assert messages(check(mode, graph + runtime, pack_config=NOT_COSTED), "private-subnets") == [
        "The ECS service acme-web-service uses subnets that cannot be shown to be private at preview (their ids are "
        "unknown and not linked to subnets of this stack)."]


@pytest.mark.parametrize("change, expected", [
    ({"subnets": ("acme-net-public-0",)}, [
        "The Lambda function acme-fn uses public subnet(s) acme-net-public-0: use private subnets only (no route to an "
        "internet gateway)."]),
    ({"permission": {"action": "lambda:InvokeFunction", "function": "acme-fn", "principal": "*"}}, [
        "Lambda permission acme-fn-from-api lets principal '*' invoke the function with no source_arn, so anyone can: "
        "name the service principal (apigateway.amazonaws.com) and the source_arn of the API."]),
    ({"permission": {"action": "lambda:InvokeFunction", "function": "acme-fn", "principal": "*",
                     "sourceArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3/*/*"}}, []),
])
def test_a_public_function_is_a_violation(mode, change, expected):
    graph = mode.graph()
    evaluation = check(mode, graph + serverless(mode, graph, **change), pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == expected
    assert {v.level for v in evaluation.violations} <= {"mandatory"}


@pytest.mark.parametrize("authorization, expected", [
    ("NONE", ["Lambda function URL acme-fn-url has authorization_type NONE, so anyone on the internet can invoke the "
              "function: use 'AWS_IAM', or serve it through API Gateway."]),
    ("AWS_IAM", []),
])
def test_a_function_url_without_authorization_is_a_public_function(mode, authorization, expected):
    graph = mode.graph()
    url = extra_resource("aws:lambda/functionUrl:FunctionUrl", "acme-fn-url", {
        "functionName": known_or_unknown(mode, "acme-fn-1a2b3c"), "authorizationType": authorization})
    evaluation = check(mode, graph + serverless(mode, graph) + [url], pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == expected
