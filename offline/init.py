"""`./dev init`: a stack file for your own app, then its offline check.

It asks on a terminal, or takes every answer as a flag (scripts, CI, the fresh-clone test). The file is made by
`project/newstack.py` and validated with the stack-file models before it is written; an existing file is never
overwritten. It then prints the Secrets Manager secrets to create and the next command, and runs the offline check
of the new stack, whose exit code it ends with. It lives here, not in `project/`, because it runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from components.config import ConfigError
from project import EXIT_REFUSED, EXIT_USAGE, PROJECT_DIR
from project.newstack import STARTER_USAGE, NewStack, Service, create_secret_commands, number, render, validate

from . import check

SERVICE_FORMAT = "name=web,image=ghcr.io/you/web:1.0.0,port=3000[,health=/health][,path=/][,secret=ENV:secret/name]"
SERVICE_KEYS = {"name", "image", "port", "health", "path", "secret"}
REQUIRED = ("stack", "phase", "region", "app", "service", "alert_email")
QUESTIONS = {"stack": "Stack name (the file will be Pulumi.<name>.yaml)", "phase": "Phase (mvp, growth, production)",
             "region": "AWS region (e.g. us-east-1)", "app": "App name (lower-case, prefixes every resource)",
             "service": f"A service, as {SERVICE_FORMAT}",
             "alert_email": "E-mail address for the alarms",
             "domain": "Domain (optional, enables HTTPS; empty for none)",
             "hosted_zone": "Route 53 hosted zone of that domain (optional)",
             "billing_email": "E-mail address for the billing alerts (optional; default: the alarms' address)",
             "budget": "Monthly budget in USD (optional; default: the phase's cost ceiling)"}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="./dev init", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Without flags on a terminal it asks; otherwise every required flag must be given. Exit: the offline "
               "check's (0 passes, 1 a mandatory policy failed), 2 a bad answer, 6 the file exists.")
    parser.add_argument("--stack", help="the stack's name: writes Pulumi.<stack>.yaml")
    parser.add_argument("--phase", help="mvp, growth or production")
    parser.add_argument("--region", help="the AWS region, e.g. us-east-1")
    parser.add_argument("--app", help="the app's name (lower-case letters, digits, hyphens)")
    parser.add_argument("--service", action="append", default=[], metavar="SPEC",
                        help=f"a container of the app, repeatable: {SERVICE_FORMAT} (secret= repeats)")
    parser.add_argument("--domain", help="the app's public DNS name (optional: enables HTTPS)")
    parser.add_argument("--hosted-zone", help="the Route 53 hosted zone of --domain (optional)")
    parser.add_argument("--alert-email", action="append", default=[], help="who gets the alarms (repeatable)")
    parser.add_argument("--billing-email", action="append", default=[],
                        help="who gets the billing alerts (repeatable; default: --alert-email)")
    parser.add_argument("--budget", help="monthly budget in USD (default: the phase's cost ceiling)")
    parser.add_argument("--runtime", help="compute runtime, if not the phase's default (docs/runtimes.md)")
    parser.add_argument("--usage", action="append", default=[], metavar="KEY=VALUE",
                        help="declared usage, repeatable (default: a small app's month; docs/costs.md)")
    return parser.parse_args(argv)


class BadAnswer(ValueError):
    """An answer that cannot even be handed to the models (a service spec that is not key=value pairs)."""


def parse_service(spec: str) -> Service:
    fields: dict[str, str] = {}
    secrets: dict[str, str] = {}
    for part in filter(None, spec.split(",")):
        key, sep, value = part.partition("=")
        if not sep or key not in SERVICE_KEYS:
            raise BadAnswer(f"--service {spec!r}: {part!r} is not one of {', '.join(sorted(SERVICE_KEYS))} "
                            f"as key=value; e.g. {SERVICE_FORMAT}")
        if key == "secret":
            env, colon, name = value.partition(":")
            if not colon:
                raise BadAnswer(f"--service {spec!r}: secret={value!r} must be ENV_VAR:secret-name")
            secrets[env] = name
        else:
            fields[key] = value
    missing = [key for key in ("name", "image", "port") if key not in fields]
    if missing:
        raise BadAnswer(f"--service {spec!r}: {', '.join(missing)} missing; e.g. {SERVICE_FORMAT}")
    return Service(name=fields["name"], image=fields["image"], port=number(fields["port"]),
                   health_check_path=fields.get("health", "/health"), path_prefix=fields.get("path", "/"),
                   secrets=secrets)


def ask_missing(args: argparse.Namespace, ask: Callable[[str], str]) -> None:
    """Fill what the flags left out by asking; services and e-mail addresses are asked until an empty answer."""
    for key, question in QUESTIONS.items():
        current = getattr(args, key)
        if isinstance(current, list):
            while not current or key == "service":
                answer = ask("Another service, the same way (empty to go on): " if current else f"{question}: ").strip()
                if not answer:
                    break
                current.append(answer)
        elif current is None:
            setattr(args, key, ask(f"{question}: ").strip() or None)


def new_stack(args: argparse.Namespace) -> NewStack:
    usage = dict(STARTER_USAGE)
    for item in args.usage:
        key, sep, value = item.partition("=")
        if not sep:
            raise BadAnswer(f"--usage {item!r}: use KEY=VALUE, e.g. gbServedPerMonth=50")
        usage[key] = number(value)
    return NewStack(stack=args.stack, phase=args.phase, region=args.region, app=args.app,
                    services=[parse_service(spec) for spec in args.service], alert_emails=args.alert_email,
                    domain=args.domain, hosted_zone=args.hosted_zone, billing_emails=args.billing_email,
                    monthly_budget_usd=None if args.budget is None else number(args.budget), runtime=args.runtime,
                    usage=usage)


def run_check(stack: str) -> int:
    return check.main([stack, "--no-tree"])


def main(argv: Sequence[str] | None = None, *, project_dir: Path = PROJECT_DIR, ask: Callable[[str], str] = input,
         interactive: bool | None = None, run: Callable[[str], int] = run_check) -> int:
    args = parse_args(argv)
    if sys.stdin.isatty() if interactive is None else interactive:
        ask_missing(args, ask)
    missing = [f"--{key.replace('_', '-')}" for key in REQUIRED if not getattr(args, key)]
    if missing:
        print(f"init: missing {', '.join(missing)}: give them as flags, or run it on a terminal to be asked "
              f"(./dev init --help shows every flag)", file=sys.stderr)
        return EXIT_USAGE
    try:
        new = new_stack(args)
        config = validate(new)
    except BadAnswer as exc:
        print(f"init: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print("\n".join(f"error: {problem}" for problem in exc.problems), file=sys.stderr)
        return EXIT_USAGE
    path = project_dir / new.file_name
    try:
        with path.open("x") as out:  # "x": never overwrite, even a file made since we looked
            out.write(render(new))
    except FileExistsError:
        print(f"init: {new.file_name} exists; init never overwrites a stack file: edit it, or pick another --stack",
              file=sys.stderr)
        return EXIT_REFUSED
    print(f"wrote {new.file_name}")
    commands = create_secret_commands(config)
    if commands:
        print(f"\nCreate the app's secrets once, in {config.region} (a random value each; put your own where the "
              f"app needs a given one):")
        print("\n".join(f"  {command}" for command in commands))
    else:
        print("\nNo app secrets to create (the database password is RDS's own, in Secrets Manager).")
    print(f"\nThe offline check of {new.stack}:\n", flush=True)
    status = run(new.stack)
    print(f"\nNext: ./dev deploy {new.stack}   (the gated preview; needs the pulumi CLI, `pulumi login` and AWS "
          f"credentials; add --yes to apply)" if status == 0 else
          f"\nNext: change {new.file_name} until `./dev check {new.stack}` passes, then ./dev deploy {new.stack}")
    return status


if __name__ == "__main__":
    sys.exit(main())
