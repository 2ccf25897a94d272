"""The Markdown report: one pull-request comment that updates itself.

Its first line is a hidden marker (`MARKER`) by which the workflow finds the comment it posted before and edits it
in place. What must not be missed comes first: every mandatory violation, then the cost table with the change
against the base, then per stack, folded in `<details>`: the cost change per component and per resource, the cost
by component, advisory findings, what could not be priced, and the architecture diagram. The whole stays under
`max_chars` (GitHub refuses comments over 65,536 characters): folded sections that do not fit are left out, and
the comment says so.
"""

from __future__ import annotations

import sys
from typing import Iterable, Optional

from project import urn_name

from .diagram import mermaid
from .diff import CostDiff, headline, markdown_tables
from .money import cents, decimal_text, signed
from .preflight import render_markdown as preflight_markdown
from .report import StackReport, preflight_of, short_message

MARKER = "<!-- phasegate:check-report -->"
COMMENT_LIMIT = 65536  # characters GitHub accepts in an issue or pull-request comment
DEFAULT_MAX_CHARS = 60000  # leaves room for what a workflow adds around the report
ICONS = {"pass": ":white_check_mark:", "fail": ":x:", "error": ":x:"}


def _usd(usd: Optional[float]) -> str:
    return "-" if usd is None else f"${decimal_text(cents(usd))}"


def _cell(text: str) -> str:
    """Text inside a table cell: pipes escaped, one line."""
    return text.replace("|", "\\|").replace("\n", " ")


def _mandatory(reports: list[StackReport]) -> list[str]:
    failing = [(r, v) for r in reports for v in r.violations if v.mandatory]
    errors = [r for r in reports if r.errors]
    if not failing and not errors:
        return [f"{ICONS['pass']} **No mandatory violations** in {len(reports)} stack{'s' if len(reports) != 1 else ''}."]
    out = [f"### {ICONS['fail']} Mandatory violations", ""]
    for r in errors:
        out += [f"- **{r.stack}** could not be built:"] + [f"  - {_cell(e)}" for e in r.errors]
    for r, v in failing:
        where = f"`{urn_name(v.urn)}`" if v.urn else "the stack as a whole"
        out.append(f"- **{r.stack}** · `{v.policy}` · {where}: {_cell(short_message(v.message))}")
    return out


def _summary(reports: list[StackReport], diffs: dict[str, CostDiff]) -> list[str]:
    against = {d.baseline.describe() for d in diffs.values()}
    change = f"vs {against.pop()}" if len(against) == 1 else "change"
    head = ("| stack | phase | estimate / ceiling |" + (f" {change} |" if diffs else "")
            + " mandatory | advisory | result |")
    out = ["### Cost", "", head, "|---|---|---:|" + ("---:|" if diffs else "") + "---:|---:|---|"]
    for r in reports:
        diff = diffs.get(r.stack)
        delta = ""
        if diffs:
            delta = " - |" if diff is None or diff.delta is None else (
                f" new: {signed(diff.delta)} |" if diff.base_total is None else f" {signed(diff.delta)} |")
        if r.errors:
            out.append(f"| {r.stack} | {r.phase or '?'} | - |{delta} - | - | {ICONS['error']} error |")
            continue
        mandatory = sum(1 for v in r.violations if v.mandatory)
        out.append(f"| {r.stack} | {r.phase} | {_usd(r.total_usd)} / {_usd(r.ceiling)} |{delta} {mandatory} | "
                   f"{len(r.violations) - mandatory} | {ICONS[r.status]} {r.status} |")
    return out


def _details(summary: str, body: list[str], open_: bool = False) -> str:
    return "\n".join([f"<details{' open' if open_ else ''}><summary>{summary}</summary>", ""] + body + ["", "</details>"])


def _stack_sections(r: StackReport, diff: Optional[CostDiff], diagram: bool) -> list[str]:
    """The folded sections of one stack, most useful first."""
    sections = []
    if diff is not None and (diff.resources or diff.base_problem or diff.delta):  # the table already says $0.00
        components, resources = markdown_tables(diff)
        sections.append(_details(f"{r.stack}: cost change, {_cell(headline(diff).split(': ', 1)[1])}",
                                 components, open_=True))
        if diff.resources:
            sections.append(_details(f"{r.stack}: cost change per resource ({len(diff.resources)} changed)", resources))
    if r.errors:
        return sections
    table = ["| component | USD/month |", "|---|---:|"]
    table += [f"| {name} | {decimal_text(amount)} |" for name, amount in r.by_component_cents().items()]
    table += [f"| **total** | **{decimal_text(cents(r.total_usd))}** |"]
    sections.append(_details(f"{r.stack}: cost by component ({_usd(r.total_usd)} of {_usd(r.ceiling)})", table))
    advisory = [v for v in r.violations if not v.mandatory]
    if advisory:
        lines = [f"- `{v.policy}` · {f'`{urn_name(v.urn)}`' if v.urn else 'the stack as a whole'}: "
                 f"{_cell(short_message(v.message))}" for v in advisory]
        sections.append(_details(f"{r.stack}: {len(advisory)} advisory finding(s)", lines))
    if r.unpriced or r.unknown:
        lines = [f"- `{u['name']}` ({u['type']}): {_cell(u['reason'])}" for u in r.unpriced + r.unknown]
        sections.append(_details(f"{r.stack}: {len(lines)} resource(s) not priced (cost unknown, not $0)", lines))
    summary, lines = preflight_markdown(preflight_of(r))
    sections.append(_details(f"{r.stack}: {summary}", lines))
    if diagram and r.resources:
        sections.append(_details(f"{r.stack}: architecture", ["```mermaid", mermaid(r.resources).rstrip(), "```"]))
    return sections


def render_markdown(reports: Iterable[StackReport], diffs: Iterable[CostDiff] = (),
                    max_chars: int = DEFAULT_MAX_CHARS, diagrams: bool = True) -> str:
    reports = list(reports)
    by_stack = {d.stack: d for d in diffs}
    max_chars = max_chars if max_chars > 0 else sys.maxsize  # 0: no limit (a job summary takes 1 MiB)
    shown = next((r.pack_config for r in reports if r.pack_config), None)  # one run, one pack config
    essentials = "\n".join([MARKER, "## phasegate offline check", ""] + ([f"_{shown.line()}_", ""] if shown else [])
                           + _mandatory(reports) + [""] + _summary(reports, by_stack))
    footer_room = 400
    if len(essentials) > max_chars - footer_room:
        cut = essentials[:max_chars - footer_room].rsplit("\n", 1)[0]
        return cut + "\n\n… the list goes on; run `./dev check --format markdown` for the whole report.\n"
    parts, left_out, size = [essentials], 0, len(essentials)
    for r in reports:
        sections = _stack_sections(r, by_stack.get(r.stack), diagrams)
        for section in sections:
            if size + len(section) + 2 > max_chars - footer_room:
                left_out += 1
                continue
            parts.append(section)
            size += len(section) + 2
    if left_out:
        parts.append(f"_{left_out} folded section(s) left out to keep this comment under {max_chars:,} characters; "
                     f"`./dev check --format markdown --max-chars 0` prints them all._")
    return "\n\n".join(parts) + "\n"
