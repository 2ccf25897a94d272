"""The project on disk, below both `offline/` and `automation/`: its name, its stack files and its exit codes.

The offline check and the Automation API commands read the same `Pulumi.<stack>.yaml` files the same way (as the
Pulumi CLI does, `stackfile.py`), refuse an unknown stack with the same error, and end with the same codes where
they mean the same thing, so a script can treat "a mandatory policy failed" alike whichever command found it.
The name of a stack file is the config loader's (`components.config`), which the program uses in its messages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from components.config import stack_file_name

from .stackfile import StackFileError, config_as_engine_text, read_stack_file

__all__ = ["EXIT_AWS", "EXIT_INTERRUPTED", "EXIT_MOVE", "EXIT_NOT_APPLIED", "EXIT_NOTHING_CHANGED", "EXIT_OK", "EXIT_POLICY", "EXIT_REFUSED",
           "EXIT_STACK", "EXIT_UNBUILDABLE", "EXIT_USAGE", "EXIT_VERIFICATION", "PROJECT", "PROJECT_DIR",
           "NoStackFile", "ProgramError", "config_as_engine_text", "ensure_stack_files", "known_stacks",
           "read_stack_file", "stack_config", "stack_file_name", "stack_named", "urn_name"]

PROJECT = "phasegate"  # Pulumi.yaml's name: the project part of every URN
PROJECT_DIR = Path(__file__).resolve().parent.parent

# Exit codes of `./dev check` (0-3) and of `./dev deploy|migrate|advise` (all); `automation.errors` says when.
EXIT_OK = 0
EXIT_POLICY = 1  # a mandatory policy failed
EXIT_USAGE = 2
EXIT_UNBUILDABLE = 3  # a stack could not be built
EXIT_STACK = 4
EXIT_AWS = 5
EXIT_REFUSED = 6
EXIT_VERIFICATION = 7
EXIT_NOT_APPLIED = 8
EXIT_NOTHING_CHANGED = 9  # a rollback found nothing that the migration had changed
EXIT_MOVE = 10
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


class ProgramError(Exception):
    """A stack that cannot be built: its stack file is missing or broken, its config is invalid, or its program
    failed; `messages` are what Pulumi would print as errors, one line each."""

    def __init__(self, stack: str, messages: list[str]):
        self.stack = stack
        self.messages = messages
        super().__init__("\n".join(messages))


class NoStackFile(ProgramError):
    """Stacks named that have no stack file here (a usage error where a command line named them)."""

    def __init__(self, stacks: Sequence[str], project_dir: Path = PROJECT_DIR):
        files = ", ".join(stack_file_name(stack) for stack in stacks)
        super().__init__(", ".join(stacks), [f"no stack file {files}; stacks here: "
                                             f"{', '.join(known_stacks(project_dir))}"])


class StackFileElsewhere(NoStackFile):
    """A stack file named by a path outside the project: Pulumi reads `Pulumi.<stack>.yaml` next to Pulumi.yaml."""

    def __init__(self, path: str, project_dir: Path = PROJECT_DIR):
        ProgramError.__init__(self, path, [f"{path}: a stack file must be in the project directory ({project_dir}), "
                                           f"next to Pulumi.yaml; move it there and name it by its stack"])


STACK_FILE = re.compile(r"Pulumi\.(?P<stack>.+)\.yaml")


def stack_named(argument: str, project_dir: Path = PROJECT_DIR) -> str:
    """The stack a command line names: by name (`mine`) or by its file (`Pulumi.mine.yaml`, relative to the project
    directory, where `./dev` runs, or absolute)."""
    path = Path(argument)
    found = STACK_FILE.fullmatch(path.name)
    if found is None:
        return argument
    if (project_dir / path).resolve().parent != project_dir.resolve():
        raise StackFileElsewhere(argument, project_dir)
    return found["stack"]


def known_stacks(project_dir: Path = PROJECT_DIR) -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob(stack_file_name("*")))


def ensure_stack_files(stacks: Sequence[str], project_dir: Path = PROJECT_DIR) -> None:
    """Refuse, all at once, the stacks that have no stack file in `project_dir`."""
    missing = [stack for stack in stacks if stack not in known_stacks(project_dir)]
    if missing:
        raise NoStackFile(missing, project_dir)


def stack_config(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """Read `Pulumi.<stack>.yaml` the way the engine hands it over: every value as text, objects as JSON."""
    ensure_stack_files([stack], project_dir)
    try:
        return config_as_engine_text(read_stack_file(project_dir / stack_file_name(stack)))
    except StackFileError as exc:
        raise ProgramError(stack, exc.problems) from None


def urn_name(urn: str) -> str:
    """The resource name a URN ends with; "(stack)" for what concerns the whole stack (no URN)."""
    return urn.rsplit("::", 1)[-1] if urn else "(stack)"
