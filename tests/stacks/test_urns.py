"""URNs are a contract with live stacks: a changed URN replaces the resource unless an alias covers it.

Each shipped stack's URN set is committed in tests/stacks/snapshots/urns-<stack>.txt, in the form the engine gives
(type qualified by every ancestor's type), so any change to it shows up in review. To accept an intended
change: `PHASEGATE_UPDATE_URN_SNAPSHOTS=1 ./dev test tests/stacks/test_urns.py`, then review and commit the diff. A
URN that disappears must still be covered by an alias on the resource that takes its place.
"""

from __future__ import annotations

import os

import pytest

from conftest import ROOT
from offline.program import run_program
from offline.recording import engine_urn
from project import known_stacks

SNAPSHOTS = ROOT / "tests" / "stacks" / "snapshots"
UPDATE = os.environ.get("PHASEGATE_UPDATE_URN_SNAPSHOTS") == "1"


def snapshot_path(stack: str):
    return SNAPSHOTS / f"urns-{stack}.txt"


@pytest.mark.parametrize("stack", known_stacks())
def test_every_live_urn_is_kept_or_covered_by_an_alias(stack):
    run = run_program(stack)
    current = {r.urn for r in run.resources}
    aliased = {alias for r in run.resources for alias in r.aliases}
    committed = set(snapshot_path(stack).read_text().split()) if snapshot_path(stack).exists() or not UPDATE else set()
    lost = sorted(committed - current - aliased)
    assert not lost, (f"{len(lost)} URN(s) of the live {stack} stack would be replaced; keep their names, types "
                      f"and parents or add aliases:\n" + "\n".join(lost))
    if UPDATE:
        snapshot_path(stack).write_text("\n".join(sorted(current)) + "\n")
    added = sorted(current - committed)
    assert not added, (f"new URNs in {stack}; if intended, regenerate the snapshot (see this module's docstring):\n"
                       + "\n".join(added))


def test_urns_are_qualified_by_every_ancestor_type_but_the_stack():
    stack_urn = "urn:pulumi:mvp::phasegate::pulumi:pulumi:Stack::phasegate-mvp"
    component = engine_urn("mvp", "phasegate", stack_urn, "phasegate:assets:Assets", "acme-assets")
    assert component == "urn:pulumi:mvp::phasegate::phasegate:assets:Assets::acme-assets"
    bucket = engine_urn("mvp", "phasegate", component, "aws:s3/bucket:Bucket", "acme-assets-bucket")
    sse = engine_urn("mvp", "phasegate", bucket, "aws:s3/bucketVersioning:BucketVersioning", "v")
    assert sse == ("urn:pulumi:mvp::phasegate::phasegate:assets:Assets$aws:s3/bucket:Bucket"
                   "$aws:s3/bucketVersioning:BucketVersioning::v")


def test_an_alias_is_recorded_as_the_urn_the_engine_would_match(tmp_path):
    """A renamed component with an alias to its old name keeps its resources: the check above relies on this."""
    import pulumi

    def program():
        pulumi.ComponentResource("phasegate:assets:Assets", "acme-files",
                                 opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="acme-assets")]))

    [resource] = run_program("mvp", program=program).resources
    assert resource.urn == "urn:pulumi:mvp::phasegate::phasegate:assets:Assets::acme-files"
    assert resource.aliases == ["urn:pulumi:mvp::phasegate::phasegate:assets:Assets::acme-assets"]
