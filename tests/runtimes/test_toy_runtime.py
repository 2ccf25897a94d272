"""A sixth runtime, added by its own module alone (`toy_runtime.py`), validates and builds a stack under mocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from conftest import ROOT

SCRIPT = textwrap.dedent("""
    import json
    import toy_runtime  # the model, the builder, the registration
    from conftest import stack_values
    from offline.program import run_program
    from project import config_as_engine_text

    values = stack_values("mvp")
    values["phasegate:compute"] = {"runtime": "toy"}
    values["phasegate:network"] = {"egress": "instance"}
    for service in values["phasegate:app"]["services"]:
        service["public"], service["pathPrefix"] = True, "/" + service["name"]
    values["phasegate:app"]["services"][0]["pathPrefix"] = "/"
    run = run_program("mvp", config=config_as_engine_text(values))
    types = {r.urn: r.type for r in run.resources}
    print(json.dumps({"resources": [[r.type, r.name, types.get(r.parent, "")] for r in run.resources],
                      "outputs": sorted(run.outputs)}))
    values["phasegate:app"]["services"][1]["public"] = False
    values["phasegate:network"] = {"egress": "none"}
    try:
        run_program("mvp", config=config_as_engine_text(values))
    except Exception as error:
        print(json.dumps(error.messages))
""")


def _run() -> tuple[dict, list[str]]:
    path = os.pathsep.join(str(p) for p in (ROOT, ROOT / "tests", ROOT / "tests" / "runtimes"))
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": path})
    assert result.returncode == 0, result.stderr
    built, refused = result.stdout.splitlines()[-2:]
    return json.loads(built), json.loads(refused)


def test_a_toy_runtime_in_its_own_module_builds_a_stack_and_its_capabilities_are_enforced():
    built, refused = _run()
    resources = built["resources"]
    assert ["phasegate:toy:ToyServices", "acme-toy", ""] in resources
    assert sorted([t, n] for t, n, parent in resources if parent == "phasegate:toy:ToyServices") == sorted([
        ["aws:cloudwatch/logGroup:LogGroup", "acme-toy-web"], ["aws:cloudwatch/logGroup:LogGroup", "acme-toy-api"]])
    # PER_SERVICE ingress: the composition put a load balancer in front, with a target group per public service.
    assert sum(t == "aws:lb/targetGroup:TargetGroup" for t, _, _ in resources) == 2
    assert {"toyLogGroups", "loadBalancerDnsName", "url"} <= set(built["outputs"])
    # The rules that read capabilities hold for it too, with its name in their messages.
    assert refused == [
        "Pulumi.mvp.yaml: phasegate:network.egress: 'none' leaves toy without a way out: its toys fetch their "
        "images; use instance (cheapest), gateway, gatewayPerAz or endpoints",
        "Pulumi.mvp.yaml: phasegate:app.services[1].public: toy runs only public services (each behind the load "
        "balancer); there is no private service network between them: make it public with its own pathPrefix"]
