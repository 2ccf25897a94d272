"""The one door into Pulumi stacks: a small protocol, its real implementation, and the translation of errors.

Orchestration talks to `Stack`, a protocol that `pulumi.automation.Stack` satisfies as it is (preview with policy
packs, up with a plan, config, outputs) and that tests satisfy with a recording fake. Every call goes through
`GuardedStack`, which turns the SDK's `CommandError` family (and a missing CLI) into a `StackError` with one
line saying what to do. There is deliberately no `destroy` here: nothing in automation can remove a stack.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Protocol, Sequence

from pulumi.automation import ConfigValue
from pulumi.automation.errors import (
    CommandError,
    ConcurrentUpdateError,
    InvalidVersionError,
    StackAlreadyExistsError,
    StackNotFoundError,
)

from project import PROJECT_DIR

from .errors import StackError

OnEvent = Callable[[Any], None]
NO_SUMMARY = "summary event never found"  # pulumi.automation's RuntimeError after preview/up/refresh/destroy


class Stack(Protocol):
    """What automation needs of a stack; `pulumi.automation.Stack` has exactly these names and keywords."""

    name: str

    def preview(self, *, policy_packs: Optional[list[str]] = None, policy_pack_configs: Optional[list[str]] = None,
                on_event: Optional[OnEvent] = None, plan: Optional[str] = None,
                refresh: Optional[bool] = None) -> Any: ...

    def up(self, *, policy_packs: Optional[list[str]] = None, policy_pack_configs: Optional[list[str]] = None,
           on_event: Optional[OnEvent] = None, plan: Optional[str] = None, refresh: Optional[bool] = None) -> Any: ...

    def get_config(self, key: str, *, path: bool = False) -> ConfigValue: ...

    def set_config(self, key: str, value: ConfigValue, *, path: bool = False) -> None: ...

    def remove_config(self, key: str, *, path: bool = False) -> None: ...

    def outputs(self) -> Mapping[str, Any]: ...


class StackOpener(Protocol):
    def __call__(self, name: str, *, create: bool) -> Stack: ...


def pulumi_opener(work_dir: Path = PROJECT_DIR) -> StackOpener:
    """Stacks of the project on disk, through the pulumi CLI (LocalWorkspace reads and writes Pulumi.<stack>.yaml)."""

    def open_stack(name: str, *, create: bool) -> Stack:
        from pulumi import automation as auto

        if create:
            return auto.create_or_select_stack(stack_name=name, work_dir=str(work_dir))
        return auto.select_stack(stack_name=name, work_dir=str(work_dir))

    return open_stack


class Stacks:
    """Opens stacks through an opener (the real CLI by default) and hands out guarded ones."""

    def __init__(self, opener: StackOpener | None = None, work_dir: Path = PROJECT_DIR):
        self._opener = opener or pulumi_opener(work_dir)
        self.work_dir = work_dir

    def open(self, name: str, *, create: bool = False) -> "GuardedStack":
        with translated(name, "stack init" if create else "stack select"):
            return GuardedStack(name, self._opener(name, create=create))


class GuardedStack:
    """A stack whose every call reports failures as one-line `StackError`s; values come back as plain Python."""

    def __init__(self, name: str, stack: Stack):
        self.name = name
        self._stack = stack

    def preview(self, *, policy_packs: Sequence[str], policy_pack_configs: Sequence[str], on_event: OnEvent,
                plan: Optional[str], refresh: bool = False) -> Any:
        with translated(self.name, "preview"):
            return self._stack.preview(policy_packs=list(policy_packs), policy_pack_configs=list(policy_pack_configs),
                                       on_event=on_event, plan=plan, refresh=refresh or None)

    def up(self, *, policy_packs: Sequence[str], policy_pack_configs: Sequence[str], on_event: OnEvent,
           plan: Optional[str], refresh: bool = False) -> Any:
        with translated(self.name, "up"):
            return self._stack.up(policy_packs=list(policy_packs), policy_pack_configs=list(policy_pack_configs),
                                  on_event=on_event, plan=plan, refresh=refresh or None)

    def config(self, key: str, *, path: bool = False) -> Optional[str]:
        """The value, or None when the key is not set (the CLI reports that as an error)."""
        try:
            with translated(self.name, f"config get {key}"):
                return self._stack.get_config(key, path=path).value
        except StackError as exc:
            if "not found" in str(exc).lower() or "configuration key" in str(exc).lower():
                return None
            raise

    def set_config(self, key: str, value: str, *, path: bool = False, secret: bool = False) -> None:
        with translated(self.name, f"config set {key}"):
            self._stack.set_config(key, ConfigValue(value=value, secret=secret), path=path)

    def remove_config(self, key: str, *, path: bool = False) -> None:
        with translated(self.name, f"config rm {key}"):
            self._stack.remove_config(key, path=path)

    def outputs(self) -> "Outputs":
        with translated(self.name, "stack output"):
            raw = self._stack.outputs()
        return Outputs({key: getattr(value, "value", value) for key, value in raw.items()},
                       secrets={key for key, value in raw.items() if getattr(value, "secret", False)})


class Outputs(dict):
    """A stack's outputs as plain values; `secrets` names those Pulumi keeps secret, which are never written down."""

    def __init__(self, values: Mapping[str, Any] = (), secrets: Iterable[str] = ()):
        super().__init__(values)
        self.secrets = frozenset(secrets)

    def public(self) -> dict[str, Any]:
        return {key: value for key, value in self.items() if key not in self.secrets}


def public_outputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs fit to persist: without the secret ones (a plain mapping is taken as having none)."""
    return outputs.public() if isinstance(outputs, Outputs) else dict(outputs)


@contextlib.contextmanager
def translated(stack: str, action: str) -> Iterator[None]:
    """The SDK's errors as one line each; the most specific first (they subclass CommandError)."""
    try:
        yield
    except StackNotFoundError:
        raise StackError(f"{stack}: no such stack in the backend you are logged in to (`pulumi whoami -v`); "
                         f"deploy it first: ./dev deploy {stack} --yes") from None
    except ConcurrentUpdateError:
        raise StackError(f"{stack}: another update holds the stack's lock; wait for it to finish, or if it crashed "
                         f"run `pulumi cancel -s {stack}` and try again") from None
    except StackAlreadyExistsError:
        raise StackError(f"{stack}: the stack already exists; select it instead of creating it") from None
    except CommandError as exc:
        raise StackError(f"{stack}: pulumi {action} failed: {engine_error(str(exc))}") from None
    except RuntimeError as exc:  # the SDK's own, when the engine's event log never carried a summary
        if str(exc) != NO_SUMMARY:
            raise
        raise StackError(f"{stack}: pulumi {action} ended without a summary: the engine stopped before it finished "
                         f"(killed, out of memory, or a plugin crashed); run `pulumi {action} -s {stack}` to see "
                         f"why") from None
    except (FileNotFoundError, InvalidVersionError) as exc:
        raise StackError(f"{stack}: cannot run the pulumi CLI ({exc}); install it "
                         f"(https://www.pulumi.com/docs/install/) and log in (`pulumi login`, or "
                         f"`pulumi login --local` with PULUMI_CONFIG_PASSPHRASE set)") from None


_CODE = re.compile(r"^\s*code:\s*(-?\d+)", re.MULTILINE)
_STREAM = re.compile(r"^\s*(stdout|stderr):\s*")  # how CommandResult labels its two streams


def engine_error(text: str) -> str:
    """The line of a CommandError worth reading: the engine's first `error:` line, else the last non-empty one."""
    lines = [_STREAM.sub("", line).strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if line and not _CODE.match(line)]
    errors = [line for line in lines if line.lower().startswith("error:")]
    picked = errors[0][len("error:"):].strip() if errors else (lines[-1] if lines else "no output")
    code = _CODE.search(text)
    return f"{picked} (exit {code.group(1)})" if code else picked
