"""The Automation API script of docs/automation.md, run as written against the fake engine (so the page cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import automation
from automation.stacks import Stacks
from fakes import policy_event
from fixtures import backend, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]


def readme_script() -> str:
    return re.search(r"```python\n(.*?)```", (ROOT / "docs" / "automation.md").read_text(), re.S).group(1)


@pytest.fixture
def fake_stacks(monkeypatch, backend, project):
    backend.outputs["growth"] = {"url": "http://acme-lb-alb-1.us-west-2.elb.amazonaws.com"}
    monkeypatch.setattr(automation, "Stacks", lambda: Stacks(opener=backend.opener, work_dir=project))


def test_the_script_deploys_and_prints_the_next_migration(fake_stacks, backend, capsys):
    exec(compile(readme_script(), "docs/automation.md", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "growth serves http://acme-lb-alb-1.us-west-2.elb.amazonaws.com" in out
    assert "copy-snapshot  Use the snapshot in place (same region) (undo: Nothing to undo.)" in out
    assert backend.methods("growth")[-1] == "outputs" and "up" in backend.methods("growth")


def test_the_script_exits_with_the_gates_code_on_a_mandatory_violation(fake_stacks, backend, capsys):
    backend.policy_events = [policy_event("growth", "public-ingress", "mandatory")]
    with pytest.raises(SystemExit) as exited:
        exec(compile(readme_script(), "docs/automation.md", "exec"), {"__name__": "__main__"})
    assert exited.value.code == 1 and "up" not in backend.methods("growth")
    assert "mandatory policy violations (public-ingress)" in capsys.readouterr().err
