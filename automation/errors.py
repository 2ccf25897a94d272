"""Why an automation run stopped: one exception family, each kind carrying the exit code the CLI ends with.

The codes are the project's (`project`), shared with `./dev check` where they mean the same thing (0, 1, 2, 3),
so a script can treat "a mandatory policy failed" alike whether the offline check or the engine's preview found it.

exit status:
  0  done: deployed, migrated, plan printed, or (advise) stay in this phase
  1  a mandatory policy failed (offline check or preview); nothing was applied
  2  usage error: bad arguments, an unknown stack, an invalid policy pack config
  3  a stack could not be built: its stack file or config is invalid
  4  a Pulumi operation failed: no CLI, no such stack, the stack is locked by another update, an engine error
  5  an AWS call failed: no credentials, no permission, a resource that is not there
  6  refused: a safety rule (the target database exists, stale data at the cutover, weighted DNS over HTTPS,
     another run of the same migration holds its lock, ...); nothing was changed
  7  a verification failed; any DNS change was rolled back to the source, which keeps serving
  8  not applied: --yes was not given (the preview or the plan was shown)
  9  nothing to roll back: no step of the migration changed anything yet; every step's status is left as it was
 10  advise: plan the move to the next phase (a trigger fired)
130  interrupted (Ctrl-C); a migration's progress so far is saved, and a re-run resumes
"""

from __future__ import annotations

from project import (EXIT_AWS, EXIT_INTERRUPTED, EXIT_MOVE, EXIT_NOT_APPLIED, EXIT_NOTHING_CHANGED, EXIT_OK,
                     EXIT_POLICY, EXIT_REFUSED, EXIT_STACK, EXIT_UNBUILDABLE, EXIT_USAGE, EXIT_VERIFICATION)

__all__ = ["EXIT_AWS", "EXIT_INTERRUPTED", "EXIT_MOVE", "EXIT_NOT_APPLIED", "EXIT_NOTHING_CHANGED", "EXIT_OK",
           "EXIT_POLICY", "EXIT_REFUSED", "EXIT_STACK", "EXIT_UNBUILDABLE", "EXIT_USAGE", "EXIT_VERIFICATION",
           "AutomationError", "AwsError", "NothingChanged", "PolicyGateError", "Refused", "StackError",
           "UnbuildableStack", "UsageError", "VerificationFailed"]


class AutomationError(Exception):
    """A run stopped for a reason the user can act on; `str()` is the one-line message, `exit_code` the status."""

    exit_code = EXIT_STACK


class UsageError(AutomationError):
    exit_code = EXIT_USAGE


class UnbuildableStack(AutomationError):
    exit_code = EXIT_UNBUILDABLE


class PolicyGateError(AutomationError):
    exit_code = EXIT_POLICY


class StackError(AutomationError):
    """A Pulumi operation failed; raised only by the door in `automation.stacks`."""

    exit_code = EXIT_STACK


class AwsError(AutomationError):
    """An AWS call failed; raised only by `automation.aws`."""

    exit_code = EXIT_AWS


class Refused(AutomationError):
    exit_code = EXIT_REFUSED


class VerificationFailed(AutomationError):
    exit_code = EXIT_VERIFICATION


class NothingChanged(AutomationError):
    """A rollback of a migration that changed nothing yet: said, and nothing is marked rolled back."""

    exit_code = EXIT_NOTHING_CHANGED
