"""Every policy fails closed: a crash, an unknown value it did not expect, or a pack config it cannot read is
reported as a violation of that policy (at its enforcement level), never swallowed and never an aborted preview.

pulumi_policy turns an exception in a policy into a failed gRPC call (the whole preview aborts with an
opaque error) and an unknown value into an *advisory* "can't run during preview", even for a mandatory
policy: the guard replaces both. It also records every resource's declared inputs as resource policies see
them (`engine.remember_inputs`), for the stack policies that run after.
"""

from __future__ import annotations

import functools
import threading

from pulumi_policy import Policy, ResourceValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from .engine import remember_inputs
from .stackview import crash_message


def config_problems(policy: Policy, config: object) -> list[str]:
    """Properties the policy does not define: the engine passes them on silently, so a typo would be ignored."""
    schema = policy.config_schema.properties if policy.config_schema else {}
    if not isinstance(config, dict):
        return []
    unknown = sorted(key for key in config if key not in schema and key != "enforcementLevel")
    return [f"policy pack config for {policy.name}: unknown property {key!r}; known: {', '.join(sorted(schema)) or 'none'}"
            for key in unknown]


_reported: set[str] = set()
_reported_lock = threading.Lock()


def _first_time(problem: str) -> bool:
    """A resource policy meets its config once per resource; say what is wrong with it once per run."""
    with _reported_lock:
        if problem in _reported:
            return False
        _reported.add(problem)
        return True


def guarded(policy: Policy) -> Policy:
    validate = policy.validate
    records_inputs = isinstance(policy, ResourceValidationPolicy)

    @functools.wraps(validate)
    def safe_validate(args, report_violation):
        if records_inputs:
            remember_inputs(args.urn, args.props)
        problems = config_problems(policy, args.get_config())
        if problems:
            for problem in problems:
                if not records_inputs or _first_time(problem):
                    report_violation(problem)
            return None
        try:
            return validate(args, report_violation)
        except UnknownValueError as exc:
            report_violation(f"policy {policy.name} cannot decide while {exc.message}, so it cannot pass; this is "
                             f"a gap in the rule: please report it.")
        except Exception as exc:  # noqa: BLE001 - reported as a violation, with where it happened
            report_violation(crash_message(policy.name, exc))
        return None

    policy.validate = safe_validate
    return policy
