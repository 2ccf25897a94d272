"""The pack as a whole (policies/phasegate_policies/pack.py), driven over gRPC exactly as the engine drives it: every
policy at its level on the passing MVP graph, the config schemas, pack config as Pulumi reads it, a pack that never
aborts a preview, a self-contained directory and the policy table of docs/policies.md.

Every graph test runs twice (the `mode` fixture): as at the stack's first `pulumi preview` (every id, ARN and generated
name unknown, the engine's unknown sentinels in the props, property dependencies known) and as at an update (every value
known). A mandatory rule must give the same verdict in both.
"""

from __future__ import annotations

import json
import shutil

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi_policy import StackValidationPolicy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import ROOT, find, set_prop
from offline.analyzer import PackConfigError, PolicyPackProcess, evaluate, provider_views
from phasegate_policies.guard import guarded
from phasegate_policies.stackview import each
from rules.helpers import POLICIES, check


def test_the_preview_graph_really_is_unknown_where_aws_computes(mode):
    bucket = find(mode.run.resources, "acme-assets-bucket")
    sse = find(mode.run.resources, "acme-assets-sse")
    if mode.preview:
        assert bucket.outputs["id"] == UNKNOWN_STRING_VALUE and sse.inputs["bucket"] == UNKNOWN_STRING_VALUE
    else:
        assert sse.inputs["bucket"] == bucket.outputs["id"] != UNKNOWN_STRING_VALUE
    assert sse.property_dependencies["bucket"] == [bucket.urn]


def test_the_mvp_graph_passes_every_policy(mode):
    evaluation = check(mode, mode.run.resources)
    assert evaluation.pack == "phasegate"
    assert evaluation.violations == []
    assert evaluation.policies == POLICIES


# --- pack config, the way Pulumi reads it -------------------------------------------------------------------

def test_enforcement_levels_can_be_changed_and_policies_disabled(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "metadataOptions.httpTokens", "optional")
    evaluation = check(mode, graph, pack_config={"imdsv2-required": "mandatory", "log-retention": "disabled"})
    assert [(v.policy, v.level) for v in evaluation.violations] == [("imdsv2-required", "mandatory")]
    assert evaluation.policies["log-retention"] == "disabled"


def test_all_sets_every_level_and_a_policys_own_entry_wins(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "storageEncrypted", False)
    evaluation = check(mode, graph, pack_config={"all": "advisory", "private-subnets": {"enforcementLevel": "mandatory"}})
    assert set(evaluation.policies.values()) == {"advisory", "mandatory"}
    assert [name for name, level in evaluation.policies.items() if level == "mandatory"] == ["private-subnets"]
    assert [(v.policy, v.level) for v in evaluation.violations] == [("encryption-at-rest", "advisory")]
    assert check(mode, graph, pack_config={"all": "disabled"}).violations == []


@pytest.mark.parametrize("pack_config, error", [
    ({"no-such-policy": "mandatory"}, "policy pack config names unknown policies: no-such-policy"),
    ({"cost-ceiling": {"ceilngs": {"mvp": 40}}},
     "invalid policy pack config: cost-ceiling: ceilngs: unknown property; known: allowUnpriced, ceilingUsd, "
     "ceilings, prices, stackCeilings, topDrivers, usage"),
    ({"cost-ceiling": {"topDrivers": "three"}},
     "invalid policy pack config: cost-ceiling: topDrivers: 'three' is not of type 'integer'"),
    ({"cost-ceiling": {"ceilings": {"mvp": "cheap"}}},
     "invalid policy pack config: cost-ceiling: ceilings.mvp: 'cheap' is not of type 'number'"),
    ({"cost-ceiling": {"ceilings": {"staging": 10}}},
     "invalid policy pack config: cost-ceiling: ceilings: Additional properties are not allowed ('staging' was "
     "unexpected)"),
    ({"public-ingress": "strict"},
     'invalid policy pack config: public-ingress: enforcementLevel "strict" is not one of advisory, mandatory, '
     'remediate, disabled'),
    ({"public-ingress": 7}, "invalid policy pack config: public-ingress: 7 is not a valid value; use an enforcement "
                            "level or an object"),
    ({"all": {"enforcementLevel": "advisory", "allowedPorts": [22]}},
     "invalid policy pack config: all: only an enforcementLevel applies to every policy; give properties per policy"),
    (["cost-ceiling"], "policy pack config must be a JSON object, got list"),
])
def test_a_bad_pack_config_is_refused_naming_the_policy_and_property(mode, pack_config, error):
    with pytest.raises(PackConfigError) as caught:
        check(mode, mode.run.resources, pack_config=pack_config)
    assert str(caught.value) == error


def test_the_pack_itself_reports_an_unknown_property_the_engine_passes_on(mode):
    """The real CLI validates types but passes unknown properties silently; the pack does not ignore them."""
    with PolicyPackProcess(stack="mvp", project="phasegate", config=mode.run.config) as pack:
        request = pb.ConfigureAnalyzerRequest()
        for policy in pack.info.policies:
            properties = struct_pb2.Struct()
            if policy.name == "cost-ceiling":
                properties.update({"ceilngs": {"mvp": 40}})
            request.policyConfig[policy.name].CopyFrom(pb.PolicyConfig(enforcementLevel=policy.enforcementLevel,
                                                                       properties=properties))
        pack.stub.Configure(request, timeout=30)
        response = pack.analyze_stack(mode.run.resources, provider_views(mode.run.resources, "mvp", "phasegate",
                                                                         "us-east-1"))
    reported = [(d.policyName, d.enforcementLevel, d.message.split("\n", 1)[1]) for d in response.diagnostics]
    assert reported == [("cost-ceiling", pb.MANDATORY, "policy pack config for cost-ceiling: unknown property "
                                                       "'ceilngs'; known: allowUnpriced, ceilingUsd, ceilings, "
                                                       "prices, stackCeilings, topDrivers, usage")]


def test_policies_declare_their_config_schemas_over_grpc(mode):
    with PolicyPackProcess(stack="mvp", project="phasegate", config=mode.run.config) as pack:
        schemas = {p.name: json_format.MessageToDict(p.configSchema.properties) for p in pack.info.policies}
    assert schemas["cost-ceiling"]["ceilings"]["default"] == {"mvp": 45, "growth": 105, "production": 412}
    assert schemas["public-ingress"]["allowedPorts"]["default"] == [80, 443]
    assert json.loads(json.dumps(schemas["backup-retention"]))["minimumDays"]["default"] == 7
    # Every property a policy declares has a default; backups-enabled has nothing to configure.
    assert {name for name in schemas if not schemas[name]} == {"backups-enabled", "https-redirect", "node-role-dependencies",
                                                              "iam-least-privilege"}
    assert all("default" in spec for name in schemas for spec in schemas[name].values())


# --- the pack never aborts a preview --------------------------------------------------------------------------

def test_a_crashing_policy_reports_a_violation_instead_of_aborting_the_preview():
    def broken(args, report_violation):
        raise KeyError("limitAmount")

    class Args:
        @staticmethod
        def get_config():
            return {}

    reported = []
    guarded(StackValidationPolicy(name="broken", description="d", validate=broken)).validate(
        Args(), lambda message, urn=None: reported.append(message))
    assert reported == ["policy broken could not judge this resource (KeyError: 'limitAmount' at test_pack.py:"
                        f"{broken.__code__.co_firstlineno + 1}), so it cannot pass; fix the resource's properties or "
                        f"report the problem."]


def test_a_check_that_crashes_on_one_resource_reports_it_there_and_checks_the_rest():
    class Resource:
        def __init__(self, name):
            self.name, self.urn = name, f"urn:{name}"

    def check_one(resource):
        if resource.name == "odd":
            raise TypeError("tags must be a map")
        yield f"{resource.name} is public", resource.urn

    reported = []
    each([Resource("odd"), Resource("db")], check_one, lambda message, urn: reported.append((urn, message)), "p")
    assert reported[0][0] == "urn:odd" and reported[0][1].startswith(
        "policy p could not judge this resource (TypeError: tags must be a map at test_pack.py:")
    assert reported[1] == ("urn:db", "db is public")


# --- the pack as published ------------------------------------------------------------------------------------

def test_the_pack_directory_is_self_contained(tmp_path, mode):
    """What `pulumi preview --policy-pack policies` loads, or `pulumi policy publish` uploads, is this folder alone."""
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "policies", pack, ignore=shutil.ignore_patterns(".venv", "__pycache__", "*.egg-info"))
    assert (pack / "PulumiPolicy.yaml").read_text().splitlines()[2:4] == ["  name: python", "  options:"]
    with PolicyPackProcess(stack="mvp", project="phasegate", config=mode.run.config, pack_dir=pack) as process:
        assert process.info.name == "phasegate" and len(process.info.policies) == len(POLICIES)
    evaluation = evaluate(mode.run.resources, stack="mvp", project="phasegate", config=mode.run.config,
                          pack_dir=pack, preview=mode.preview)
    assert evaluation.violations == []


def test_the_docs_policy_table_lists_every_policy_at_its_level():
    table = ROOT.joinpath("docs", "policies.md").read_text().split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| ") and " | " in line]
    listed = {name.strip(): level.strip() for name, level in rows if name.strip() not in ("policy", "---")}
    assert listed == POLICIES
