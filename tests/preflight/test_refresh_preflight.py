"""The pack's pre-flight models are what tools/refresh_preflight.py extracts from the pinned packages today (their
source, version and date recorded), and a changed file is caught."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT
from phasegate_policies.preflight.data import DATA_DIR, MODELS, model

TOOL = ROOT / "policies" / "tools" / "refresh_preflight.py"


def _check(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), "--check", *extra], capture_output=True, text=True,
                          check=False, cwd="/")


def test_the_shipped_models_match_their_sources():
    result = _check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_model_names_its_source_version_and_date():
    for name in MODELS:
        data = model(name)
        assert data["source"].split(" ")[1][0].isdigit() and len(data["refreshed"]) == 10, name


def test_a_stale_model_is_reported(tmp_path):
    for name in MODELS:
        (tmp_path / name).write_text((DATA_DIR / name).read_text())
    data = model("aws.json")
    stale = {**data, "types": {**data["types"], "AWS::Logs::LogGroup": {"RetentionInDays": {"enum": [13]}}}}
    (tmp_path / "aws.json").write_text(json.dumps(stale))
    result = _check("--data", str(tmp_path))
    assert result.returncode == 1 and "aws.json differs from its sources" in result.stdout
