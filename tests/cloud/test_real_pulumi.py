"""What only the real pulumi CLI and an AWS account can prove; skipped, with the reason, where they are absent.

Run on a machine with both: `./dev test tests/cloud/test_real_pulumi.py`. The stack must exist in the logged-in
backend (`pulumi stack init mvp`).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import ROOT

HAVE_CLI = shutil.which("pulumi") is not None
HAVE_AWS = any(os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                                           "AWS_CONTAINER_CREDENTIALS_FULL_URI"))

needs_cloud = pytest.mark.skipif(not (HAVE_CLI and HAVE_AWS),
                                 reason="needs the pulumi CLI on PATH and AWS credentials in the environment")


@needs_cloud
def test_pulumi_preview_of_mvp_passes_the_policy_pack():
    result = subprocess.run(["pulumi", "preview", "--stack", "mvp", "--policy-pack", "policies", "--non-interactive",
                             "--diff=false"], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "mandatory" not in result.stdout.lower()


@needs_cloud
def test_pulumi_preview_enforces_the_ceiling_from_the_pack_config(tmp_path):
    """The same pack the offline check drives, loaded by the real engine, with a tighter ceiling."""
    config = tmp_path / "pack.json"
    config.write_text('{"cost-ceiling": {"ceilings": {"mvp": 10}}}')
    result = subprocess.run(["pulumi", "preview", "--stack", "mvp", "--policy-pack", "policies",
                             "--policy-pack-config", str(config), "--non-interactive"],
                            cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert result.returncode != 0
    assert "cost-ceiling" in result.stdout
