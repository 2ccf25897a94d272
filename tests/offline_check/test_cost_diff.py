"""Cost diffs: `--against STACK` and `--compare-to REF` (a git ref checked in a temporary worktree, or a saved report),
per component, per resource and in total, in text, Markdown and JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT
from offline.baseline import BaselineError, at_git_ref
from offline.check import check_stack
from offline.contract import render_json, snapshots_from_document
from offline.diff import Baseline, CostSnapshot, compare
from stack_variants import mvp_with_host


def _run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "offline", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def mvp_report():
    return check_stack("mvp")


@pytest.fixture(scope="module")
def bigger_mvp_report():
    """The MVP with a t3.medium host instead of its t3.small: +$15.18 on acme-app-host, nothing else."""
    return mvp_with_host("t3.medium")


def test_a_change_shows_per_resource_per_component_and_total_deltas(mvp_report, bigger_mvp_report):
    diff = compare(CostSnapshot.of(bigger_mvp_report), CostSnapshot.of(mvp_report), Baseline("report", "base.json"),
                   "mvp")
    # The total is the pack's (what the ceiling is judged on); each line is rounded to cents on its own, so the
    # t3.medium's $30.368 shows as 30.37 in its line and the total moves by $15.18.
    assert (diff.base_total, diff.head_total, diff.delta) == (3591, 5109, 1518)
    [resource] = diff.resources
    assert (resource.name, resource.component, resource.base, resource.head, resource.change) == (
        "acme-app-host", "acme-app", 1758, 3277, "changed")
    assert diff.unchanged_resources == len(CostSnapshot.of(mvp_report).resources) - 1
    changed = [(d.name, d.delta) for d in diff.components if d.change != "unchanged"]
    assert changed == [("acme-app", 1519)]


def test_against_another_stack_in_text_markdown_and_json():
    text = _run_check("growth", "--against", "mvp", "--no-tree")
    assert text.returncode == 0, text.stderr
    assert "Cost change (USD/month), growth vs stack mvp: $35.91 -> $99.75 (+$63.84)" in text.stdout
    assert "    acme-k3s " in text.stdout and "+$37.66  added" in text.stdout
    assert "+$24.21  added" in text.stdout  # acme-lb-alb, the largest new resource
    assert "-$21.23  removed" in text.stdout  # the compose host's component is gone

    markdown = _run_check("growth", "--against", "mvp", "--format", "markdown")
    assert "| stack | phase | estimate / ceiling | vs stack mvp | mandatory | advisory | result |" in markdown.stdout
    assert "| growth | growth | $99.75 / $105.00 | +$63.84 | 0 | 0 | :white_check_mark: pass |" in markdown.stdout
    assert "| `acme-lb-alb` | acme-lb | - | 24.21 | +$24.21 |" in markdown.stdout
    assert "| acme-app | 21.23 | - | -$21.23 |" in markdown.stdout

    document = json.loads(_run_check("growth", "--against", "mvp", "--format", "json").stdout)
    [diff] = document["costDiffs"]
    assert diff["base"] == {"kind": "stack", "label": "mvp", "stack": "mvp", "problem": None}
    assert diff["totalUsd"] == {"base": "35.91", "head": "99.75", "delta": "63.84"}
    assert {"component": "acme-app", "baseUsd": "21.23", "headUsd": None, "deltaUsd": "-21.23",
            "change": "removed"} in diff["components"]
    assert diff["resources"][0] == {"resource": "acme-lb-alb", "type": "aws:lb/loadBalancer:LoadBalancer",
                                    "component": "acme-lb", "baseUsd": None, "headUsd": "24.21", "deltaUsd": "24.21",
                                    "change": "added"}
    assert [s["stack"] for s in document["stacks"]] == ["growth"]  # the base is compared with, not reported


def test_against_an_unknown_stack_is_a_usage_error():
    result = _run_check("growth", "--against", "staging")
    assert result.returncode == 2
    assert result.stderr.startswith("check: no stack file Pulumi.staging.yaml;")


def test_compare_to_a_saved_report(tmp_path, mvp_report, bigger_mvp_report):
    saved = tmp_path / "base.json"
    saved.write_text(render_json([mvp_report]))
    document = json.loads(saved.read_text())
    document["stacks"][0]["costs"] = [dict(row, monthlyUsd="7.59") if row["item"].startswith("t3.small instance")
                                      else row for row in document["stacks"][0]["costs"]]
    document["stacks"][0]["totalUsd"] = "28.32"
    saved.write_text(json.dumps(document))
    result = _run_check("mvp", "--compare-to", str(saved), "--format", "json")
    assert result.returncode == 0, result.stderr
    [diff] = json.loads(result.stdout)["costDiffs"]
    assert diff["base"]["kind"] == "report"
    assert diff["totalUsd"] == {"base": "28.32", "head": "35.91", "delta": "7.59"}
    assert diff["resources"] == [{"resource": "acme-app-host", "type": "aws:ec2/instance:Instance",
                                  "component": "acme-app", "baseUsd": "9.99", "headUsd": "17.58", "deltaUsd": "7.59",
                                  "change": "changed"}]


def test_a_report_in_the_unversioned_format_of_earlier_releases_still_reads():
    legacy = {"stacks": [{"stack": "mvp", "status": "pass", "errors": [], "totalUsd": 35.91, "ceilingUsd": 45.0,
                          "costs": [{"resource": "acme-app-host", "type": "aws:ec2/instance:Instance",
                                     "component": "acme-app", "item": "t3.small", "monthly_usd": 21.229999999999997}],
                          "byComponent": {"acme-app": 21.229999999999997}}], "passed": True}
    snapshot = snapshots_from_document(legacy)["mvp"]
    assert (snapshot.total, snapshot.components) == (3591, {"acme-app": 2123})
    assert snapshot.resources["acme-app-host"][2] == 2123


def test_a_file_that_is_not_a_report_is_a_usage_error(tmp_path):
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": "world"}')
    result = _run_check("mvp", "--compare-to", str(bogus))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"check: --compare-to {bogus}: {bogus} is not a saved check report: not a phasegate "
                                     f"check report (no \"stacks\" list)")


def test_compare_to_something_that_is_neither_a_file_nor_a_ref_is_a_usage_error():
    result = _run_check("mvp", "--compare-to", "no-such-branch-or-file")
    assert result.returncode == 2
    assert "no-such-branch-or-file is neither a saved JSON report nor a git ref" in result.stderr


def _git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=phasegate tests", "-c", "user.email=tests@phasegate.invalid",
                           *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def repository_with_a_cheaper_commit(tmp_path_factory):
    """A local clone of this repository's HEAD with one more commit: the MVP host as a t3.micro. The real repository
    is never touched; the clone shares its objects."""
    clone = tmp_path_factory.mktemp("repo") / "phasegate"
    _git(ROOT, "clone", "--quiet", "--shared", "--no-checkout", str(ROOT), str(clone))
    _git(clone, "checkout", "--quiet", "--detach", _git(ROOT, "rev-parse", "HEAD"))
    stack_file = clone / "Pulumi.mvp.yaml"
    lines = stack_file.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  phasegate:compute:"))
    lines.insert(at + 1, "    instanceType: t3.micro\n")
    stack_file.write_text("".join(lines))
    _git(clone, "commit", "--quiet", "-am", "a cheaper MVP host")
    return clone, _git(clone, "rev-parse", "HEAD")


def test_a_git_ref_is_checked_by_its_own_code_in_a_temporary_worktree(repository_with_a_cheaper_commit, mvp_report):
    clone, commit = repository_with_a_cheaper_commit
    base = at_git_ref(commit, ["mvp", "no-such-stack"], project_dir=clone)
    assert set(base) == {"mvp"}  # a stack the ref does not have is left out, not an error
    diff = compare(CostSnapshot.of(mvp_report), base["mvp"], Baseline("gitRef", commit), "mvp")
    [host] = [d for d in diff.resources if d.name == "acme-app-host"]
    assert host.delta == 759  # t3.small at $15.18 a month against t3.micro at $7.59
    assert diff.delta == 759
    # The worktree is gone again, and the clone has no extra worktree registered.
    assert _git(clone, "worktree", "list").count("\n") == 0


def test_compare_to_a_git_ref_from_the_command_line():
    result = _run_check("mvp", "--compare-to", "HEAD", "--format", "json")
    assert result.returncode == 0, result.stderr
    [diff] = json.loads(result.stdout)["costDiffs"]
    assert (diff["base"]["kind"], diff["base"]["label"], diff["base"]["problem"]) == ("gitRef", "HEAD", None)
    assert diff["totalUsd"]["base"] is not None
    assert "phasegate-base-" not in _git(ROOT, "worktree", "list")


def test_a_stack_missing_at_the_base_is_all_new(mvp_report):
    diff = compare(CostSnapshot.of(mvp_report), None, Baseline("gitRef", "v0.1.0"), "mvp")
    assert diff.base_problem == "mvp does not exist in v0.1.0"
    assert diff.delta == diff.head_total and all(d.change == "added" for d in diff.components)


def test_a_ref_the_repository_cannot_resolve_is_refused(tmp_path):
    with pytest.raises(BaselineError, match="neither a saved JSON report nor a git ref"):
        at_git_ref("refs/heads/no-such-branch", ["mvp"])
