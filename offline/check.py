"""The offline check: run a stack's real program under mocks and report its resource graph, no AWS needed."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .program import PROJECT_DIR, ProgramError, run_program
from .tree import render_tree


def known_stacks() -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in PROJECT_DIR.glob("Pulumi.*.yaml"))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="check", description=__doc__)
    parser.add_argument("stacks", nargs="*", help=f"stacks to check (default: all of {', '.join(known_stacks())})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    failed = False
    for stack in args.stacks or known_stacks():
        try:
            run = run_program(stack)
        except ProgramError as exc:
            print(f"== {stack}: the program did not run", file=sys.stderr)
            for message in exc.messages:
                print(f"error: {message}", file=sys.stderr)
            failed = True
            continue
        print(f"== {stack}: {len(run.resources)} resources")
        print("\n".join(render_tree(run.resources)))
    return 1 if failed else 0
