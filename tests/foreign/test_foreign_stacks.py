"""The pack on stacks of other programs (issue #20): eight programs in the shapes public Pulumi examples take, none a
phasegate stack, each run under mocks at a first preview and at an update and judged over gRPC with ONLY the pack
config a platform team starts from: the JSON block of docs/pack-on-other-stacks.md, read from that page.

Each reports its true findings and nothing else, prices every AWS type it contains (no cost-coverage reminder of an
unpriced type, and the total below), and fails closed on nothing it can price."""

from __future__ import annotations

import copy
import json
import re

import pulumi_aws as aws
import pytest

from conftest import ROOT
from offline.analyzer import evaluate
from offline.program import run_program
from project import PROJECT

from .programs import PROGRAMS

DOC = ROOT / "docs" / "pack-on-other-stacks.md"
PACK_CONFIG = json.loads(re.search(r"```json\n(.*?)```", DOC.read_text(), re.S).group(1))

# program -> (its true findings as (policy, message), its estimated monthly USD). Totals at us-east-1 list prices with
# the config's default usage (50 GB served, 1 M requests, 5 GB stored, 2 GB logs, 100 GB through TGW and firewall).
EXPECTED = {
    # t3.micro 730 h x $0.0104 + 8 GB gp3 + the public IPv4 a default-VPC instance gets (730 h x $0.005).
    "webserver": ([], 11.88),
    # ALB 730 h + 2 public IPv4 + 0.068 LCU; 2 tasks of 0.25 vCPU / 0.5 GB on Fargate; logs within the free 5 GB.
    "fargate": ([], 42.15),
    # Control plane $73.00 (1.35, standard support); 2 x t3.medium + 2 x 20 GB; the KMS key $1.00.
    "eks-cluster": ([("node-hardening", "EKS node group k8s-nodes has no launch template, so EKS gives its nodes its "
                      "default one, which allows IMDSv1: give it a launch template with metadata_options "
                      "http_tokens='required' and http_put_response_hop_limit at most 2.")], 137.94),
    # 5 GB S3 Standard; the objects, website configuration and ownership controls are free; 50 GB out is free.
    "static-site": ([], 0.12),
    # 1 M REST requests x $3.50; the function's requests and GB-seconds within Lambda's always-free allowance.
    "rest-api": ([("log-retention", "Lambda function api-fn writes to the log group Lambda creates "
                   "(/aws/lambda/<function name>), which keeps logs forever: declare that log group with "
                   "retention_in_days, or set logging_config log_group to one of this stack's.")], 3.50),
    # db.t3.micro MySQL Single-AZ 730 h x $0.017 + 20 GB gp3 x $0.115 + the RDS-managed password secret $0.40.
    "mysql": ([], 15.11),
    # 2 firewall endpoints 730 h x $0.395 + 100 GB x $0.065; 2 TGW attachments 730 h x $0.05 + 50 GB x $0.02 each.
    "network-hub": ([], 658.20),
    # The component itself costs nothing; its t3.small + 20 GB gp3 in a private subnet (no public IPv4).
    "component": ([("cost-coverage", "command:local:Command may create AWS resources outside the graph (a command, "
                    "an image pushed to a registry), which the estimate cannot see: check what they create, and "
                    "price it with cost-ceiling: prices if it bills.")], 16.78),
}


@pytest.fixture(scope="module", params=["update", "preview"])
def engine_mode(request):
    return request.param


def judged(name: str, preview: bool, pack_config: dict):
    run = run_program(name, config={"aws:region": "us-east-1"}, preview=preview, program=PROGRAMS[name])
    return evaluate(run.resources, stack=name, project=PROJECT, config=run.config, pack_config=pack_config,
                    preview=preview)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_foreign_stack_reports_its_true_findings_only_and_prices_every_aws_type(name, engine_mode):
    findings, total = EXPECTED[name]
    evaluation = judged(name, engine_mode == "preview", PACK_CONFIG)
    assert [(v.policy, v.message.split("\n", 1)[1]) for v in evaluation.violations] == findings
    # The estimate, shown by a ceiling of $0 (the stack's own ceiling holds it, as the empty findings above show).
    tight = copy.deepcopy(PACK_CONFIG)
    tight["cost-ceiling"].update(ceilingUsd=0, stackCeilings=[])
    [ceiling] = [v.message.split("\n", 1)[1] for v in judged(name, engine_mode == "preview", tight).violations
                 if v.policy == "cost-ceiling"]
    assert ceiling.startswith(f"Estimated ${total:.2f}/month exceeds the organisation's ceiling (cost-ceiling: "
                              f"ceilingUsd) of $0.00 by ${total:.2f}.")


def test_a_paid_type_the_catalog_truly_lacks_fails_closed_and_the_platform_owner_can_price_it():
    def with_search():
        PROGRAMS["webserver"]()
        aws.opensearch.Domain("search", engine_version="OpenSearch_2.13", tags={"team": "shop"})

    run = run_program("search", config={"aws:region": "us-east-1"}, program=with_search)
    failed = evaluate(run.resources, stack="search", project=PROJECT, config=run.config, pack_config=PACK_CONFIG)
    assert [v.message.split("\n", 1)[1] for v in failed.mandatory_failures] == [
        "Cannot show that the stack fits its $150.00 ceiling: search (aws:opensearch/domain:Domain) no price for this "
        "resource type. Use a type and size the price catalog lists, or have the platform owner price it "
        "(cost-ceiling: prices) or accept it in the pack config (cost-ceiling: allowUnpriced)."]
    priced = copy.deepcopy(PACK_CONFIG)
    priced["cost-ceiling"]["prices"] = {"aws:opensearch/domain:Domain": 200}
    [over] = [v.message.split("\n", 1)[1] for v in evaluate(run.resources, stack="search", project=PROJECT,
                                                              config=run.config, pack_config=priced).violations
              if v.policy == "cost-ceiling"]
    assert over.startswith("Estimated $211.88/month exceeds the organisation's ceiling (cost-ceiling: ceilingUsd) of "
                           "$150.00 by $61.88. Top cost drivers: search $200.00, web-server $11.88")
