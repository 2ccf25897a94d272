"""`--format markdown` is one pull-request comment: found by its hidden marker, mandatory violations first, then the
cost table and the change against the base, details folded, and never over GitHub's comment limit."""

from __future__ import annotations

import dataclasses
import re

import pytest

from offline.analyzer import Violation
from offline.check import check_stack
from offline.diff import Baseline, CostSnapshot, compare
from offline.markdown import COMMENT_LIMIT, DEFAULT_MAX_CHARS, MARKER, render_markdown
from stack_variants import mvp_with_host


@pytest.fixture(scope="module")
def growth():
    return check_stack("growth")


@pytest.fixture(scope="module")
def failing_mvp():
    """The MVP with a bigger host class: over its ceiling (a stack-level violation)."""
    return mvp_with_host("m6i.large")


def test_the_comment_starts_with_its_marker_and_puts_mandatory_violations_before_the_costs(failing_mvp, growth):
    text = render_markdown([growth, failing_mvp])
    assert text.splitlines()[0] == MARKER
    assert text.index("### :x: Mandatory violations") < text.index("### Cost") < text.index("<details")
    assert re.search(r"- \*\*mvp\*\* · `cost-ceiling` · the stack as a whole: Estimated \$\d+\.\d\d/month exceeds the "
                     r"mvp ceiling of \$45\.00", text)
    assert "| mvp | mvp | $" in text and ":x: fail |" in text


def test_a_passing_comment_says_so_up_front(growth):
    text = render_markdown([growth])
    assert text.splitlines()[2:4] == ["", ":white_check_mark: **No mandatory violations** in 1 stack."]


def test_the_cost_change_against_the_base_is_in_the_table_and_folded_below(growth):
    base = dataclasses.replace(CostSnapshot.of(growth), total=CostSnapshot.of(growth).total - 1758,
                               components={**CostSnapshot.of(growth).components,
                                           "acme-k3s": CostSnapshot.of(growth).components["acme-k3s"] - 1758})
    diff = compare(CostSnapshot.of(growth), base, Baseline("gitRef", "origin/main"), "growth")
    text = render_markdown([growth], [diff])
    assert "| stack | phase | estimate / ceiling | vs origin/main | mandatory | advisory | result |" in text
    assert "| growth | growth | $99.75 / $105.00 | +$17.58 | 0 | 0 | :white_check_mark: pass |" in text
    assert "<details open><summary>growth: cost change, $82.17 -> $99.75 (+$17.58)</summary>" in text
    assert "| acme-k3s | 20.08 | 37.66 | +$17.58 |" in text


def test_details_are_folded_and_hold_costs_and_the_diagram(growth):
    text = render_markdown([growth])
    assert "<details><summary>growth: cost by component ($99.75 of $105.00)</summary>" in text
    assert "<details><summary>growth: architecture</summary>\n\n```mermaid\nflowchart LR" in text
    assert text.count("<details") == text.count("</details>")


def test_the_comment_stays_under_the_limit_however_many_findings(failing_mvp):
    many = [Violation("required-tags", "advisory", f"acme-thing-{i} lacks tag(s) owner: cost allocation needs them.",
                      f"urn:pulumi:mvp::phasegate::aws:s3/bucket:Bucket::acme-thing-{i}") for i in range(3000)]
    noisy = dataclasses.replace(failing_mvp, evaluation=dataclasses.replace(
        failing_mvp.evaluation, violations=failing_mvp.evaluation.violations + many))
    text = render_markdown([noisy])
    assert DEFAULT_MAX_CHARS < COMMENT_LIMIT and len(text) <= DEFAULT_MAX_CHARS
    assert "### :x: Mandatory violations" in text  # what matters is never the part left out
    assert "folded section(s) left out to keep this comment under 60,000 characters" in text
    assert len(render_markdown([noisy], max_chars=0)) > DEFAULT_MAX_CHARS  # 0: everything


def test_even_the_essentials_are_cut_to_the_limit(failing_mvp):
    many = [Violation("cost-ceiling", "mandatory", f"problem {i} " + "x" * 200, "") for i in range(1000)]
    flood = dataclasses.replace(failing_mvp, evaluation=dataclasses.replace(failing_mvp.evaluation, violations=many))
    text = render_markdown([flood], max_chars=20000)
    assert len(text) <= 20000 and text.startswith(MARKER)
    assert text.rstrip().endswith("run `./dev check --format markdown` for the whole report.")
