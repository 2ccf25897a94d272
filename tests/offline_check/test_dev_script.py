"""`./dev`: help that exits 0 and lists the commands, a clear refusal of old Python, a first run that says what it
does (on stderr, so `./dev check --format json` stays machine-readable), `--format` explained in `check --help`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

COMMANDS = ("check", "init", "test", "bench", "docs", "deploy", "migrate", "advise", "setup", "version", "help")


@pytest.mark.parametrize("spelling", ["help", "--help", "-h"])
def test_help_exits_zero_and_lists_every_command(spelling):
    result = subprocess.run([str(ROOT / "dev"), spelling], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in COMMANDS:
        assert f"./dev {command}" in result.stdout
    assert "set -euo" not in result.stdout  # the comment block only


def test_an_unknown_command_is_a_usage_error_with_the_list():
    result = subprocess.run([str(ROOT / "dev"), "chek"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("dev: unknown command: chek\n") and "./dev check" in result.stderr


def test_check_help_explains_every_format():
    result = subprocess.run([sys.executable, "-m", "offline", "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    flat = " ".join(result.stdout.split())
    assert "--format {text,json,markdown}" in flat
    for words in ("text: for people", "json: for machines", "docs/schemas/check-report.schema.json",
                  "markdown: one pull-request comment", "--compare-to REF", "--against STACK"):
        assert words in flat


def _sandbox(tmp_path, python_version: str):
    """A copy of ./dev beside a fake python3 that reports `python_version` and makes a fake venv whose pip only
    records what it was asked."""
    shutil.copy(ROOT / "dev", tmp_path / "dev")
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-lint.txt"):
        (tmp_path / name).write_text("")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "requirements.txt").write_text("")
    (tmp_path / "policies" / "pyproject.toml").write_text('version = "9.9.9"\n')
    fake = tmp_path / "python3"
    fake.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        case "$1" in
          -c) echo {python_version} ;;
          --version) echo "Python {python_version}.0" ;;
          -m) if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
              else echo "$*" >> "$(dirname "$0")/pip.log"; fi ;;
        esac
        """))
    fake.chmod(0o755)
    return {**os.environ, "PYTHON": str(fake)}


def test_python_older_than_3_10_gets_a_clear_message_not_a_resolver_error(tmp_path):
    env = _sandbox(tmp_path, "3.9")
    result = subprocess.run(["./dev", "setup"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith(f"dev: phasegate needs Python 3.10 or newer; {env['PYTHON']} is Python 3.9.\n")
    assert not (tmp_path / ".venv").exists()


def test_the_first_run_says_what_it_is_doing_on_stderr(tmp_path):
    env = _sandbox(tmp_path, "3.11")
    result = subprocess.run(["./dev", "setup"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "dev: first run: creating .venv with Python 3.11.0"
    assert lines[1].startswith("dev: installing dependencies into .venv: Pulumi, ") and "about a minute" in lines[1]
    assert lines[-1] == "dev: dependencies ready"
    again = subprocess.run(["./dev", "setup"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert again.stderr == ""  # set up once: quiet from then on


def test_version_is_read_from_its_one_place(tmp_path):
    env = _sandbox(tmp_path, "3.11")
    result = subprocess.run(["./dev", "version"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout == "9.9.9\n"
