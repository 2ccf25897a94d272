"""What a user looks for first: the license, the changelog, one version."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT
from offline.version import VERSION


def test_the_license_is_apache_2():
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_version_is_defined_once_and_repeated_only_where_pulumi_needs_it():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    manifest = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert str(manifest["version"]) == VERSION, (
        "policies/PulumiPolicy.yaml's version (read by `pulumi policy publish`) must equal policies/pyproject.toml's")


def test_the_changelog_has_an_entry_for_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(VERSION)}\b", changelog, re.MULTILINE)


def test_the_docs_show_a_pull_request_comment_as_it_renders():
    from offline.markdown import MARKER

    section = (ROOT / "docs" / "pull-requests.md").read_text().split("## The pull-request comment", 1)[1].split("\n## ", 1)[0]
    comment = "\n".join(line[2:] for line in section.splitlines() if line.startswith("> ") or line == ">")
    assert comment.startswith(MARKER + "\n## phasegate offline check")
    assert comment.index("### :x: Mandatory violations") < comment.index("### Cost") < comment.index("<details")
    assert "| vs origin/main | mandatory | advisory | result |" in comment
    assert "```mermaid\nflowchart LR" in comment and comment.count("<details") == comment.count("</details>")
    assert "```" not in section.split("> " + MARKER, 1)[0]  # rendered, not shown as source
