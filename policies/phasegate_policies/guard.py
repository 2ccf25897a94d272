"""A policy that crashes must not take the whole analysis down with it, nor pass silently.

pulumi_policy turns an exception in one policy into a failed gRPC call, which aborts the preview with an
opaque error. Instead, an unexpected exception becomes a violation of that policy naming the error, and
values unknown at preview keep their standard advisory handling.
"""

from __future__ import annotations

import functools
import traceback

from pulumi_policy import Policy
from pulumi_policy.proxy import UnknownValueError


def guarded(policy: Policy) -> Policy:
    validate = policy.validate

    @functools.wraps(validate)
    def safe_validate(args, report_violation):
        try:
            return validate(args, report_violation)
        except UnknownValueError:
            raise  # pulumi_policy reports these as "can't run during preview" advisories
        except Exception as exc:  # noqa: BLE001 - reported as a violation, with where it happened
            where = traceback.extract_tb(exc.__traceback__)[-1]
            report_violation(f"policy {policy.name} failed on this input ({type(exc).__name__}: {exc} at "
                             f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}); please report it.")
            return None

    policy.validate = safe_validate
    return policy
