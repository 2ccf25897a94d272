"""The Mermaid architecture diagram is drawn from the captured graph: components and their main resources, public
and private subnets as the pack judges them, the request and data flow."""

from __future__ import annotations

import re

import pytest

from offline.diagram import mermaid, role
from offline.program import ProgramError, run_program
from project import known_stacks

NODE = re.compile(r"^\s*(n\d+)(\[\(|\(\[|\{\{|>|\[)\"")
EDGE = re.compile(r"^\s*(\w+) (-->|==>|-\.->)(?:\|([^|]*)\|)? (\w+)$")


def _parse(text: str):
    """(nodes: id -> (line, enclosing subgraph titles), edges: (source, arrow, label, target)), checking structure."""
    nodes, edges, stack = {}, [], []
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith("%%") or stripped == 'internet(("Internet"))':
            continue
        if stripped.startswith("subgraph "):
            stack.append(re.search(r'\["(.*)"\]', stripped).group(1))
        elif stripped == "end":
            assert stack, "an end without a subgraph"
            stack.pop()
        elif NODE.match(line):
            node = NODE.match(line).group(1)
            assert node not in nodes, f"{node} defined twice"
            assert stripped.count('"') == 2, f"a label must be one quoted string: {stripped}"
            nodes[node] = (stripped, list(stack))
        else:
            match = EDGE.match(line)
            assert match, f"not a node, subgraph or edge: {line!r}"
            edges.append((match.group(1), match.group(2), match.group(3), match.group(4)))
    assert not stack, "a subgraph is not closed"
    for source, _, _, target in edges:
        assert {source, target} <= set(nodes) | {"internet"}, (source, target)
    return nodes, edges


def _node(nodes, *words):
    found = [n for n, (line, _) in nodes.items() if all(w in line for w in words)]
    assert len(found) == 1, (words, found)
    return found[0]


@pytest.fixture(scope="module")
def drawn():
    out = {}
    for stack in ("mvp", "growth", "production"):
        run = run_program(stack)
        out[stack] = (run.resources, _parse(mermaid(run.resources)))
    return out


def test_mvp_host_is_public_behind_nothing_and_reaches_its_private_database_and_bucket(drawn):
    _, (nodes, edges) = drawn["mvp"]
    host, db, bucket = _node(nodes, "EC2 t3.small"), _node(nodes, "RDS postgres"), _node(nodes, "S3 bucket")
    assert nodes[host][1][:2] == ["VPC 10.0.0.0/16", "public subnets: 10.0.0.0/20, 10.0.16.0/20"]
    assert nodes[host][1][2] == "acme-app"  # grouped by the component that owns it
    assert nodes[db][1][1].startswith("private subnets:")
    assert nodes[bucket][1] == ["acme-assets"]  # outside the VPC
    assert ("internet", "-->", "HTTPS", host) in edges
    assert (host, "==>", "SQL", db) in edges and (host, "==>", "objects", bucket) in edges


def test_growth_requests_go_through_the_load_balancer_to_private_nodes_which_leave_through_nat(drawn):
    _, (nodes, edges) = drawn["growth"]
    alb, k3s, nat = _node(nodes, "ALB"), _node(nodes, "2 x EC2 t3.small"), _node(nodes, "NAT instance")
    cdn, bucket, cache = _node(nodes, "CloudFront"), _node(nodes, "S3 bucket"), _node(nodes, "ElastiCache")
    assert nodes[alb][1][1].startswith("public subnets") and nodes[k3s][1][1].startswith("private subnets")
    assert nodes[nat][1][1].startswith("public subnets")
    assert ("internet", "-->", "HTTPS", alb) in edges and (alb, "-->", "requests", k3s) in edges
    assert not any(source == "internet" and target == k3s for source, _, _, target in edges)
    assert (k3s, "-.->", "outbound", nat) in edges and (nat, "-.->", None, "internet") in edges
    assert ("internet", "-->", "HTTPS", cdn) in edges and (cdn, "-->", "origin", bucket) in edges
    assert (k3s, "==>", "cache", cache) in edges


def test_production_puts_the_waf_in_front_of_the_load_balancer(drawn):
    _, (nodes, edges) = drawn["production"]
    waf, alb, eks = _node(nodes, "WAF web ACL"), _node(nodes, "ALB"), _node(nodes, "EKS nodes t3.medium x3")
    assert ("internet", "-->", "HTTPS", waf) in edges and (waf, "-->", "allowed", alb) in edges
    assert ("internet", "-->", "HTTPS", alb) not in edges
    assert (alb, "-->", "requests", eks) in edges
    assert "3 x NAT gateway" in nodes[_node(nodes, "NAT gateway")][0]
    control = _node(nodes, "EKS control plane")
    assert nodes[control][1] == ["VPC 10.30.0.0/16", "acme-eks"]  # it spans public and private subnets


@pytest.mark.parametrize("stack", known_stacks())
def test_every_stack_draws_every_main_resource_once(stack):
    try:
        run = run_program(stack)
    except ProgramError as exc:
        pytest.skip(f"Pulumi.{stack}.yaml does not build: {exc.messages[0]}")
    nodes, _ = _parse(mermaid(run.resources))
    main = [r for r in run.resources if role(r) is not None]
    assert main, "a stack without compute, data or entry points"
    shown = sum(int(m.group(1)) if (m := re.search(r'"(\d+) x ', line)) else 1 for line, _ in nodes.values())
    assert shown == len(main)
    assert mermaid(reversed(run.resources)) == mermaid(run.resources)  # the registration order does not matter
