"""The thin command line over the library: `./dev deploy|migrate|advise ...` (python -m automation ...).

Parsing and printing only; every decision is in `deploy`, `migration` and `advise`. Errors arrive as
`AutomationError`s and leave as one line on stderr and their exit code (see `automation.errors`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import errors
from .advise import ADVICE_SCHEMA_VERSION, advise, render_json as advice_json, render_text as advice_text
from .deploy import deploy
from .errors import EXIT_INTERRUPTED, EXIT_MOVE, EXIT_NOT_APPLIED, EXIT_OK, AutomationError
from .migration.facts import MigrateOptions
from .migration.plan import PLAN_SCHEMA_VERSION
from .migration.runner import migrate, plan_migration, recorded_migration, rollback
from .settings import parse_setting


def _write(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="./dev", description=__doc__, epilog=errors.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    d = commands.add_parser("deploy", help="offline check, preview behind the policy gate, then up (with --yes)",
                            epilog=errors.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("stack")
    d.add_argument("--yes", action="store_true", help="apply; without it the preview is shown and nothing changes")
    d.add_argument("-c", "--config", action="append", default=[], metavar="KEY=VALUE",
                   help="config to use and save to the stack file, as `pulumi up --config` (repeatable)")
    d.add_argument("--config-path", action="store_true", help="config keys are paths into objects (app.domain)")
    d.add_argument("--policy-pack-config", type=Path, help="policy pack config JSON, as `pulumi preview` takes it")
    d.add_argument("--no-plan", action="store_true", help="up without constraining it to the previewed plan")
    d.add_argument("--refresh", action="store_true", help="refresh the stack's state before previewing")

    m = commands.add_parser("migrate", help="move an app from one phase's stack to the next, with a rollback",
                            epilog=errors.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("source")
    m.add_argument("target")
    m.add_argument("--plan", action="store_true", help="print the plan and its progress; touches nothing in AWS or "
                   "Pulumi (the first plan records the migration, fixing its snapshot's name)")
    m.add_argument("--format", choices=("text", "json"), default="text", help="format of --plan")
    m.add_argument("--yes", action="store_true", help="run the plan (resuming a run that stopped)")
    m.add_argument("--rollback", action="store_true", help="point DNS back at the source now (with --yes)")
    m.add_argument("--cutover", choices=("domain", "weighted"), default="domain",
                   help="domain: set app.domain on the target (default); weighted: Route 53 weights")
    m.add_argument("--domain", help="the domain to move (default: the target's app.domain, else the source's)")
    m.add_argument("--weights", default="10,50,100", help="weighted cutover stages, percent (default 10,50,100)")
    m.add_argument("--stage-minutes", type=int, default=10, help="weighted: minutes watched per stage (10)")
    m.add_argument("--soak-minutes", type=int, default=30, help="minutes to watch the alarms after the cutover (30)")
    m.add_argument("--kms-key", default="alias/aws/rds", help="KMS key in the target region for the snapshot copy")
    m.add_argument("--database-restored", action="store_true",
                   help="the target's database already holds the data (restored with pg_dump/pg_restore)")
    m.add_argument("--policy-pack-config", type=Path, help="policy pack config JSON for the target's deploy")
    m.add_argument("--max-snapshot-age-minutes", type=int, default=120,
                   help="refuse the cutover when the snapshot is older than this (120)")
    m.add_argument("--accept-stale-data", action="store_true",
                   help="cut over although the data is stale (an old snapshot, or a re-run after a rollback): "
                        "writes to the source since the snapshot are lost, or were restored by hand")
    m.add_argument("--health-check-wait-minutes", type=int, default=5,
                   help="weighted: minutes a new Route 53 health check may take to turn healthy (5)")

    a = commands.add_parser("advise", help="stay in this phase, or plan the move? (exit 10: plan the move)",
                            epilog=errors.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("stack")
    a.add_argument("--next", dest="next_stack", help="the next phase's stack file (default: found by its phase)")
    a.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _options(args: argparse.Namespace) -> MigrateOptions:
    try:
        weights = tuple(int(w) for w in args.weights.split(","))
    except ValueError:
        raise errors.UsageError(f"--weights {args.weights!r}: comma-separated percentages, e.g. 10,50,100") from None
    return MigrateOptions(cutover=args.cutover, domain=args.domain, kms_key=args.kms_key, weights=weights,
                          stage_minutes=args.stage_minutes, soak_minutes=args.soak_minutes,
                          database_restored=args.database_restored, pack_config=args.policy_pack_config,
                          max_snapshot_age_minutes=args.max_snapshot_age_minutes,
                          accept_stale_data=args.accept_stale_data,
                          health_check_wait_minutes=args.health_check_wait_minutes)


def run(args: argparse.Namespace) -> int:
    if args.command == "deploy":
        settings = [parse_setting(text, path=args.config_path) for text in args.config]
        result = deploy(args.stack, yes=args.yes, pack_config=args.policy_pack_config, settings=settings,
                        use_plan=not args.no_plan, refresh=args.refresh, write=_write)
        return EXIT_OK if result.applied else EXIT_NOT_APPLIED
    if args.command == "migrate":
        options = _options(args)
        if args.plan:
            sys.stdout.write(plan_migration(args.source, args.target, options, record=True).render(args.format))
            return EXIT_OK
        if args.rollback:
            recorded_migration(args.source, args.target, options)  # nothing recorded: a usage error, --yes or not
            if not args.yes:
                _write(f"Not rolled back: re-run with --yes to point DNS back at {args.source}.")
                return EXIT_NOT_APPLIED
            rollback(args.source, args.target, options=options, write=_write)
            return EXIT_OK
        migrate(args.source, args.target, yes=args.yes, options=options, write=_write)
        if not args.yes:
            _write("Not applied: re-run with --yes to run this plan.")
            return EXIT_NOT_APPLIED
        return EXIT_OK
    advice = advise(args.stack, next_stack=args.next_stack)
    sys.stdout.write(advice_json(advice) if args.format == "json" else advice_text(advice))
    return EXIT_MOVE if advice.verdict == "move" else EXIT_OK


def error_document(command: str, exc: AutomationError) -> str:
    """The error object of docs/schemas/advise.schema.json and migration-plan.schema.json."""
    version = ADVICE_SCHEMA_VERSION if command == "advise" else PLAN_SCHEMA_VERSION
    return json.dumps({"schemaVersion": version, "error": {"command": command, "message": str(exc),
                                                           "exitCode": exc.exit_code}}, indent=2) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except AutomationError as exc:
        if getattr(args, "format", "text") == "json":  # a machine reading stdout gets JSON, errors included
            sys.stdout.write(error_document(args.command, exc))
        sys.stdout.flush()
        print(f"{args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{args.command}: interrupted; progress so far is saved, re-run to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
