"""public-ingress and public-ingress-combined (rules/public_ingress.py, reading the pack's ingress parser), over gRPC
at a first preview and at an update (the `mode` fixture): the passing MVP graph, then one break per test."""

from __future__ import annotations

import pytest

from conftest import extra_resource, find, set_prop

from .helpers import TAGS, check, linked, messages

ADVICE = ("Only TCP [80, 443] may face the internet: put other services behind the load balancer or admit a "
          "security group instead.")


@pytest.mark.parametrize("port, protocol, expected", [
    (22, "tcp", f"acme-web-80-ipv4 opens port 22, including SSH (22) to 0.0.0.0/0. {ADVICE}"),
    (5432, "tcp", f"acme-web-80-ipv4 opens port 5432, including PostgreSQL (5432) to 0.0.0.0/0. {ADVICE}"),
    (8080, "tcp", f"acme-web-80-ipv4 opens port 8080 to 0.0.0.0/0. {ADVICE}"),
    (443, "udp", f"acme-web-80-ipv4 opens UDP port 443 to 0.0.0.0/0. {ADVICE}"),
    (443, "17", f"acme-web-80-ipv4 opens UDP port 443 to 0.0.0.0/0. {ADVICE}"),
])
def test_only_web_ports_may_face_the_internet(mode, port, protocol, expected):
    graph = mode.graph()
    rule = find(graph, "acme-web-80-ipv4")
    set_prop(rule, "fromPort", port)
    set_prop(rule, "toPort", port)
    set_prop(rule, "ipProtocol", protocol)
    assert messages(check(mode, graph), "public-ingress") == [expected]


@pytest.mark.parametrize("protocol", ["6", 6, "tcp", "TCP"])
def test_numeric_and_named_tcp_on_an_allowed_port_is_fine(mode, protocol):
    graph = mode.graph()
    set_prop(find(graph, "acme-web-443-ipv4"), "ipProtocol", protocol)
    assert messages(check(mode, graph), "public-ingress") == []


@pytest.mark.parametrize("protocol", ["-1", "all", -1])
def test_an_all_traffic_rule_from_anywhere_names_every_sensitive_port(mode, protocol):
    graph = mode.graph()
    rule = find(graph, "acme-web-443-ipv6")
    set_prop(rule, "ipProtocol", protocol)
    [message] = messages(check(mode, graph), "public-ingress")
    assert message.startswith("acme-web-443-ipv6 opens all ports, including SSH (22), RDP (3389), PostgreSQL (5432)")
    assert "to ::/0" in message


def test_inline_security_group_rules_are_checked_too(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-sg"), "ingress",
             [{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["0.0.0.0/0"]}])
    assert messages(check(mode, graph), "public-ingress") == [
        f"acme-db-sg opens port 5432, including PostgreSQL (5432) to 0.0.0.0/0. {ADVICE}"]


def test_the_internet_split_in_halves_is_still_the_internet(mode):
    graph = mode.graph()
    for half, name in (("0.0.0.0/1", "acme-web-80-ipv4"), ("128.0.0.0/1", "acme-web-443-ipv4")):
        rule = find(graph, name)
        set_prop(rule, "cidrIpv4", half)
        set_prop(rule, "fromPort", 22)
        set_prop(rule, "toPort", 22)
    assert sorted(messages(check(mode, graph), "public-ingress")) == [
        f"acme-web-443-ipv4 opens port 22, including SSH (22) to 128.0.0.0/1. {ADVICE}",
        f"acme-web-80-ipv4 opens port 22, including SSH (22) to 0.0.0.0/1. {ADVICE}"]


def test_a_private_slash_8_is_not_the_internet(mode):
    graph = mode.graph()
    rule = find(graph, "acme-web-80-ipv4")
    set_prop(rule, "cidrIpv4", "10.0.0.0/8")
    set_prop(rule, "fromPort", 22)
    set_prop(rule, "toPort", 22)
    assert messages(check(mode, graph), "public-ingress") == []


# --- public-ingress-combined: a group's rules taken together -------------------------------------------------

def test_public_ranges_that_only_together_reach_a_slash_8_are_judged_as_a_union(mode):
    graph = mode.graph()
    group = find(graph, "acme-web-sg")
    for index, cidr in enumerate(("1.0.0.0/9", "1.128.0.0/9")):
        rule = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", f"ssh-{index}", {
            "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": cidr, "tags": TAGS})
        linked(rule, "securityGroupId", group)
        graph.append(rule)
    evaluation = check(mode, graph)
    assert messages(evaluation, "public-ingress") == []  # no single rule is world-open
    assert messages(evaluation, "public-ingress-combined") == [
        f"acme-web-sg opens TCP port 22 (SSH) to the internet through its rules together (ssh-0, ssh-1 admit "
        f"1.0.0.0/9, 1.128.0.0/9), although no single rule does. {ADVICE}"]


def test_an_unreadable_rule_is_reported_on_its_own_and_every_other_group_is_still_judged(mode):
    graph = mode.graph()
    db_group, web_group = find(graph, "acme-db-sg"), find(graph, "acme-web-sg")
    bad = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "bad", {
        "ipProtocol": "tcp", "fromPort": "ssh", "toPort": "ssh", "cidrIpv4": "0.0.0.0/0", "tags": TAGS})
    linked(bad, "securityGroupId", db_group)
    halves = []
    for index, cidr in enumerate(("1.0.0.0/9", "1.128.0.0/9")):
        rule = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", f"ssh-{index}", {
            "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": cidr, "tags": TAGS})
        linked(rule, "securityGroupId", web_group)
        halves.append(rule)
    evaluation = check(mode, [bad] + graph + halves)
    unreadable = ("bad cannot be judged (fromPort 'ssh' is not a port number), so it cannot be shown to stay off the "
                  "internet: give fromPort and toPort as numbers.")
    assert messages(evaluation, "public-ingress-combined") == [
        unreadable,
        f"acme-web-sg opens TCP port 22 (SSH) to the internet through its rules together (ssh-0, ssh-1 admit "
        f"1.0.0.0/9, 1.128.0.0/9), although no single rule does. {ADVICE}"]
    combined = [v for v in evaluation.violations if v.policy == "public-ingress-combined"]
    assert [v.urn for v in combined] == [bad.urn, web_group.urn] and {v.level for v in combined} == {"mandatory"}
    assert messages(evaluation, "public-ingress") == [unreadable]


def test_an_unreadable_inline_rule_is_reported_on_its_group_and_its_other_rules_still_judged(mode):
    graph = mode.graph()
    group = find(graph, "acme-db-sg")
    set_prop(group, "ingress", [{"protocol": "tcp", "fromPort": "ssh", "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]},
                                {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrBlocks": ["1.0.0.0/9"]}])
    rule = extra_resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "half", {
        "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrIpv4": "1.128.0.0/9", "tags": TAGS})
    linked(rule, "securityGroupId", group)
    assert messages(check(mode, graph + [rule]), "public-ingress-combined") == [
        "acme-db-sg.ingress[0] cannot be judged (fromPort 'ssh' is not a port number), so it cannot be shown to stay "
        "off the internet: give fromPort and toPort as numbers.",
        f"acme-db-sg opens TCP port 5432 (PostgreSQL) to the internet through its rules together (acme-db-sg.ingress[1], "
        f"half admit 1.0.0.0/9, 1.128.0.0/9), although no single rule does. {ADVICE}"]
