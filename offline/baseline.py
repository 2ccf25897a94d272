"""What `--compare-to REF` compares with: a saved JSON report, or the same stacks checked at a git ref.

A git ref is checked out in a temporary worktree and checked there by that commit's own program, pack and offline
check (its `policies/` first on PYTHONPATH, ahead of this checkout's editable install), so the base is exactly
what that commit would have reported. The worktree is always removed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from project import PROJECT_DIR, known_stacks

from .contract import ReportFormatError, load_report, snapshots_from_document
from .diff import Baseline, CostSnapshot

BASE_TIMEOUT_S = 900


class BaselineError(Exception):
    """The base cannot be had: not a report, not a ref, or the check at that ref failed to run (a usage error)."""


def resolve(ref: str, stacks: Sequence[str], preview: bool = False,
            project_dir: Path = PROJECT_DIR) -> tuple[Baseline, dict[str, CostSnapshot]]:
    path = Path(ref)
    if path.is_file():
        try:
            return Baseline("report", ref), load_report(path)
        except ReportFormatError as exc:
            raise BaselineError(f"{ref} is not a saved check report: {exc}") from None
    return Baseline("gitRef", ref), at_git_ref(ref, stacks, preview, project_dir)


def _git(project_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(project_dir), *args], capture_output=True, text=True, check=False)


def at_git_ref(ref: str, stacks: Sequence[str], preview: bool = False,
               project_dir: Path = PROJECT_DIR) -> dict[str, CostSnapshot]:
    """Check `stacks` (those that exist there) as the commit `ref` names would, in a temporary worktree."""
    try:
        found = _git(project_dir, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except OSError as exc:
        raise BaselineError(f"{ref} is not a saved report, and git cannot be run to read it as a ref: {exc}") from None
    if found.returncode != 0:
        raise BaselineError(f"{ref} is neither a saved JSON report nor a git ref in {project_dir}")
    commit = found.stdout.strip()
    scratch = Path(tempfile.mkdtemp(prefix="phasegate-base-"))
    tree = scratch / "tree"
    try:
        added = _git(project_dir, "worktree", "add", "--detach", "--quiet", str(tree), commit)
        if added.returncode != 0:
            raise BaselineError(f"cannot check out {ref} in a temporary worktree: {added.stderr.strip()}")
        present = [s for s in stacks if s in known_stacks(tree)]
        if not present:
            return {}
        return _check_there(tree, ref, present, preview)
    finally:
        if tree.exists():
            _git(project_dir, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(scratch, ignore_errors=True)
        _git(project_dir, "worktree", "prune")


def _check_there(tree: Path, ref: str, stacks: Sequence[str], preview: bool) -> dict[str, CostSnapshot]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), str(tree / "policies")] + (
        [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    command = [sys.executable, "-m", "offline", *stacks, "--format", "json"] + (["--preview"] if preview else [])
    try:
        run = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=BASE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise BaselineError(f"the check at {ref} took longer than {BASE_TIMEOUT_S} s") from None
    try:
        return snapshots_from_document(json.loads(run.stdout))
    except (ValueError, ReportFormatError) as exc:
        detail = (run.stderr.strip().splitlines() or [str(exc)])[-1]
        raise BaselineError(f"the check at {ref} did not produce a report (exit {run.returncode}): {detail}") from None
