"""The offline check: a stack's real program under mocks, priced and judged by the real policy pack over gRPC.

No AWS credentials and no pulumi CLI are needed. With --preview it emulates a stack's very first `pulumi
preview`: every id, ARN and generated name is unknown, and the pack gets the engine's unknown sentinels plus
property dependencies; without it, an update (every value known).

exit status:
  0  every stack passes every mandatory policy
  1  a mandatory policy failed (the report says which)
  2  usage error: bad arguments, an unknown stack, an unreadable or invalid policy pack config, a --compare-to
     that is neither a saved report nor a git ref
  3  a stack could not be built: its stack file or config is invalid, or its program failed
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

from components.config.loader import parse_config_value as parse_value
from phasegate_policies.contract import PHASES
from phasegate_policies.cost import PricedResource, parse_usage, price_stack
from phasegate_policies.props import with_config_defaults
from phasegate_policies.rules.cost import CEILING_SCHEMA, ceiling_for
from phasegate_policies.stack import DEFAULT_REGION
from project import (EXIT_OK, EXIT_POLICY, EXIT_UNBUILDABLE, EXIT_USAGE, PROJECT, NoStackFile, ProgramError,
                     ensure_stack_files, known_stacks, stack_config, stack_named, urn_name)

from .analyzer import PackConfigError, PackError, evaluate, parse_pack_config
from .baseline import BaselineError, resolve
from .contract import render_json
from .diff import Baseline, CostDiff, CostSnapshot, compare, render_text as render_diff
from .markdown import DEFAULT_MAX_CHARS, render_markdown
from .packconfig import summarize
from .program import run_program
from .report import STACK_USAGE, CostRow, StackReport, render_text


def check_stack(stack: str, pack_config: Mapping[str, Any] | None = None,
                config: Mapping[str, str] | None = None, preview: bool = False) -> StackReport:
    """Build, price and judge one stack. A pack config the pack refuses raises PackConfigError (a usage error)."""
    report = StackReport(stack=stack, mode="preview" if preview else "update")
    try:
        config = dict(config) if config is not None else stack_config(stack)
        values = {key: parse_value(value) for key, value in config.items()}
        phase, region = values.get("phasegate:phase"), values.get("aws:region", DEFAULT_REGION)
        report.phase = phase if isinstance(phase, str) else None
        report.region = region if isinstance(region, str) else None
        run = run_program(stack, config=config, preview=preview)
    except ProgramError as exc:
        report.errors = exc.messages
        return report
    report.resources = run.resources
    report.rows, result = price(run.resources, values, report.region)
    report.total_usd = result.total
    report.unpriced = [{"name": urn_name(urn), "type": typ, "reason": why} for urn, typ, why in result.unpriced]
    report.unknown = [{"name": urn_name(urn), "type": typ, "reason": why} for urn, typ, why in result.unknown]
    ceiling_entry = parse_pack_config(pack_config or {}).get("cost-ceiling", {})
    ceiling_config = with_config_defaults({k: v for k, v in ceiling_entry.items() if k != "enforcementLevel"},
                                          CEILING_SCHEMA)
    report.ceiling = ceiling_for(ceiling_config, report.phase) if report.phase in PHASES else 0.0
    try:
        report.evaluation = evaluate(run.resources, stack=stack, project=PROJECT, config=run.config,
                                     pack_config=pack_config, preview=preview)
    except PackConfigError:
        raise
    except PackError as exc:
        report.errors = [str(exc)]
    return report


def price(resources, values: Mapping[str, Any], region: str):
    """The same estimator the pack runs, fed what the program declared (the inputs the pack sees in Analyze)."""
    by_urn = {r.urn: r for r in resources}
    view = [PricedResource.from_engine(urn=r.urn, type=r.type, name=r.name, props=r.inputs, default_region=region,
                                       provider_props=by_urn[r.provider_urn].inputs if r.provider_urn in by_urn else None,
                                       parent=r.parent, property_dependencies=r.property_dependencies,
                                       outputs=r.outputs)
            for r in resources]
    usage, _ = parse_usage(values.get("phasegate:usage") if isinstance(values.get("phasegate:usage"), dict) else None)
    result = price_stack(view, usage, region)
    rows = [CostRow(resource=line.name, type=line.type, component=_component(line.urn, by_urn), item=line.item,
                    monthly_usd=round(line.monthly_usd, 2), derived=line.derived) for line in result.lines]
    rows.sort(key=lambda row: (row.component == STACK_USAGE, row.component, row.resource))
    return rows, result


def _component(urn: str | None, by_urn: Mapping[str, Any]) -> str:
    """The top-level component a resource belongs to (the one directly under the stack)."""
    if urn is None:
        return STACK_USAGE
    current = by_urn.get(urn)
    while current is not None and current.parent in by_urn:
        current = by_urn[current.parent]
    return current.name if current is not None else urn_name(urn)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./dev check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stacks", nargs="*", help=f"stacks to check, by name or stack file (Pulumi.<stack>.yaml) "
                                                  f"(default: all of {', '.join(known_stacks())})")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="text: for people (default); json: for machines, versioned by its schemaVersion and "
                             "described by docs/schemas/check-report.schema.json; markdown: one pull-request "
                             "comment, mandatory violations first")
    parser.add_argument("--preview", action="store_true",
                        help="judge the stack as at its first `pulumi preview`: ids, ARNs and names unknown")
    parser.add_argument("--pack-config", type=Path,
                        help="policy pack config JSON, as given to `pulumi preview --policy-pack-config`")
    base = parser.add_mutually_exclusive_group()
    base.add_argument("--compare-to", metavar="REF",
                      help="show the cost change from REF: a git ref (its own program and pack, checked in a "
                           "temporary worktree) or a saved `--format json` report")
    base.add_argument("--against", metavar="STACK",
                      help="show each stack's costs against another stack's, e.g. `growth --against mvp`")
    parser.add_argument("--no-tree", action="store_true", help="text format: leave out the resource tree")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, metavar="N",
                        help=f"markdown format: fold away details beyond N characters (default {DEFAULT_MAX_CHARS:,}, "
                             f"under GitHub's comment limit; 0: no limit)")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    return parser.parse_args(argv)


def cost_diffs(reports: Sequence[StackReport], args: argparse.Namespace,
               pack_config: Mapping[str, Any] | None) -> list[CostDiff]:
    """The cost change of each checked stack against the base the arguments name (none: no diffs)."""
    if args.against:
        base = check_stack(args.against, pack_config, preview=args.preview)
        baseline = Baseline("stack", args.against)
        return [compare(CostSnapshot.of(r), CostSnapshot.of(base), baseline, args.against)
                for r in reports if r.stack != args.against]
    if args.compare_to:
        baseline, snapshots = resolve(args.compare_to, [r.stack for r in reports], preview=args.preview)
        return [compare(CostSnapshot.of(r), snapshots.get(r.stack), baseline, r.stack) for r in reports]
    return []


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        stacks = [stack_named(s) for s in args.stacks] or [s for s in known_stacks() if s != args.against]
        ensure_stack_files(stacks + ([args.against] if args.against else []))
    except NoStackFile as exc:
        print(f"check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    pack_config, shown_config = None, None
    if args.pack_config:
        try:
            pack_config = json.loads(args.pack_config.read_text())
            shown_config = summarize(args.pack_config.name, pack_config)
        except (OSError, ValueError, PackError) as exc:
            print(f"check: cannot use policy pack config {args.pack_config}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        reports = [check_stack(stack, pack_config, preview=args.preview) for stack in stacks]
        for report in reports:
            report.pack_config = shown_config
        diffs = cost_diffs(reports, args, pack_config)
    except PackConfigError as exc:
        print(f"check: {args.pack_config}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BaselineError as exc:
        print(f"check: --compare-to {args.compare_to}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        text = render_json(reports, diffs)
    elif args.format == "markdown":
        text = render_markdown(reports, diffs, max_chars=args.max_chars)
    else:
        text = "\n\n".join([render_text(r, tree=not args.no_tree) for r in reports]
                            + [render_diff(d) for d in diffs]) + "\n"
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text)
    if any(r.errors for r in reports):
        return EXIT_UNBUILDABLE
    return EXIT_OK if all(r.passed for r in reports) else EXIT_POLICY
