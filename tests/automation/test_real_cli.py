"""What only the real pulumi CLI can prove: the door works against `pulumi login --local`, and deploy previews.

Skipped, with the reason, where the CLI (or, for the preview, AWS credentials) is absent. They use a local
backend in a scratch directory and a throwaway passphrase, never the machine's own login.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from automation.deploy import deploy
from automation.errors import StackError
from automation.stacks import Stacks, pulumi_opener

ROOT = Path(__file__).resolve().parents[2]
HAVE_CLI = shutil.which("pulumi") is not None
HAVE_AWS = any(os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE"))
needs_cli = pytest.mark.skipif(not HAVE_CLI, reason="needs the pulumi CLI on PATH (https://www.pulumi.com/docs/install/)")


@pytest.fixture
def local_backend(tmp_path, monkeypatch) -> Path:
    """A copy of the project logged in to a file backend of its own, as `pulumi login --local` would be."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", ".phasegate", "__pycache__", "tests"))
    (project / ".venv").symlink_to(ROOT / ".venv")
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{state}")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "phasegate-test-only")
    subprocess.run(["pulumi", "login", f"file://{state}"], check=True, capture_output=True)
    return project


@needs_cli
def test_the_door_creates_selects_and_configures_a_real_stack(local_backend):
    stacks = Stacks(opener=pulumi_opener(local_backend), work_dir=local_backend)
    with pytest.raises(StackError, match="no such stack"):
        stacks.open("mvp", create=False)
    stack = stacks.open("mvp", create=True)
    stack.set_config("phasegate:database.snapshotIdentifier", "acme-snap", path=True)
    assert stack.config("phasegate:database.snapshotIdentifier", path=True) == "acme-snap"
    assert "snapshotIdentifier: acme-snap" in (local_backend / "Pulumi.mvp.yaml").read_text()
    assert stack.config("phasegate:nothing", path=True) is None
    assert stacks.open("mvp", create=False).outputs() == {}


@needs_cli
@pytest.mark.skipif(not HAVE_AWS, reason="a preview of the real program needs AWS credentials in the environment")
def test_deploy_previews_mvp_behind_the_gate_without_applying(local_backend):
    result = deploy("mvp", yes=False, stacks=Stacks(opener=pulumi_opener(local_backend), work_dir=local_backend),
                    project_dir=local_backend, write=lambda line: None)
    assert not result.applied and not result.log.mandatory
