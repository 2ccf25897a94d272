"""The program harness: each run is a fresh deployment of its own stack, as `pulumi preview -s <stack>` would be."""

from __future__ import annotations

from offline.program import run_program


def test_runs_in_one_process_do_not_share_a_root_stack_or_outputs():
    run_program("mvp")
    growth = run_program("growth")
    top_level = {r.parent for r in growth.resources if r.type.startswith("phasegate:")
                 and not any(r.parent == other.urn for other in growth.resources)}
    assert top_level == {"urn:pulumi:growth::phasegate::pulumi:pulumi:Stack::phasegate-growth"}
    assert "publicIp" not in growth.outputs and "instanceId" not in growth.outputs
