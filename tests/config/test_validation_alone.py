"""A stack file validates with the config package alone: no pulumi_aws, no rendering, no runtime (and no cycle)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import ROOT

# Any import of these makes the import fail, as on a machine where they are not installed (or must not be needed).
REFUSED = ("pulumi_aws", "pulumi_kubernetes", "components.render", "components.runtimes", "components.parts")

SCRIPT = textwrap.dedent("""
    import importlib.abc, json, pathlib, sys, yaml

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.startswith({refused!r}):
                raise ModuleNotFoundError(f"No module named {{name!r}} (refused by the test)")
            return None

    sys.meta_path.insert(0, Refuse())
    from components.config import build_stack_config

    for path in sorted(pathlib.Path(".").glob("Pulumi.*.yaml")):
        config = build_stack_config(yaml.safe_load(path.read_text())["config"], path.name)
        print(path.name, config.compute.runtime)
    print(json.dumps(sorted(name for name in sys.modules if name.startswith("components."))))
""")


def test_every_shipped_stack_file_validates_without_pulumi_aws_rendering_or_runtimes():
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(refused=REFUSED)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    *validated, modules = result.stdout.splitlines()
    assert [line.split()[0] for line in validated] == sorted(p.name for p in ROOT.glob("Pulumi.*.yaml"))
    assert all(name.startswith("components.config") for name in json.loads(modules))
