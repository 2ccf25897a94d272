"""The path README promises a new user, run as written: its setup command, its `./dev init` example and the check of
the new stack, in a copy of the project (so nothing is left behind here), without a terminal, as CI would run it.

The copy reuses this checkout's `.venv` (a fresh one needs the network and a minute or two; `./dev`'s first run is
tested in tests/offline_check/test_dev_script.py), so what runs is the copy's own `./dev`, program, pack and stack
files."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from components.config import build_stack_config
from conftest import ROOT
from project import stack_config
from project.newstack import create_secret_commands

README = (ROOT / "README.md").read_text()
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", ".benchmarks",
                                    ".phasegate", "check-report.*")


def section(title: str) -> str:
    return README.split(f"\n## {title}", 1)[1].split("\n## ", 1)[0]


def blocks(text: str, language: str = "bash") -> list[str]:
    """The fenced code blocks of `text` in `language` ("" for blocks without one), read fence by fence."""
    found, current, opened = [], [], None
    for line in text.splitlines():
        if line.startswith("```"):
            if opened is None:
                opened, current = line[3:].strip(), []
            else:
                if opened == language:
                    found.append("\n".join(current) + "\n")
                opened = None
        elif opened is not None:
            current.append(line)
    return found


def commands(block: str) -> list[str]:
    """The block's command lines, continuation lines joined and comments dropped."""
    joined = block.replace("\\\n", " ")
    return [line.split("  #", 1)[0].strip() for line in joined.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory):
    copy = tmp_path_factory.mktemp("clone") / "phasegate"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    return copy


def run(command: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def test_readme_takes_a_new_user_from_a_fresh_copy_to_a_passing_check_of_their_own_stack(fresh_copy):
    setup = commands(blocks(section("Try it: two commands"))[0])[0]
    assert setup.startswith("./dev check")
    assert run(setup, fresh_copy).returncode == 0

    init, check = commands(blocks(section("Make it yours: `./dev init`"))[0])
    assert init.startswith("./dev init ") and check.startswith("./dev check ")
    stack = re.search(r"--stack (\S+)", init).group(1)
    made = run(init, fresh_copy)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr
    assert run(check, fresh_copy).returncode == 0
    assert (fresh_copy / f"Pulumi.{stack}.yaml").is_file() and not (ROOT / f"Pulumi.{stack}.yaml").exists()

    # What README shows it printed, it printed (its "..." stands for the cost lines).
    shown = blocks(section("Make it yours: `./dev init`"), "")[0]
    for line in shown.splitlines():
        if line.strip() and line.strip() != "...":
            assert line in made.stdout.splitlines(), line

    again = run(init, fresh_copy)  # the same command again: refused, the file is kept
    assert again.returncode == 6 and "never overwrites" in again.stderr


def test_readme_creates_every_secret_the_shipped_mvp_reads():
    config = build_stack_config(stack_config("mvp"), "Pulumi.mvp.yaml")
    shown = [line for line in commands(blocks(section("Deploy for real: `./dev deploy`"))[0])
             if line.startswith("aws secretsmanager create-secret")]
    assert shown == create_secret_commands(config)
    assert {"acme/jwt-secret", "acme/nextauth-secret"} <= {name for line in shown for name in line.split()}
