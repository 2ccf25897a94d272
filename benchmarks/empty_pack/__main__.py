"""A pack with phasegate's exact shape (same policy names, kinds and levels) whose policies do nothing.

Evaluating it measures the floor: pulumi_policy's deserialisation and gRPC. phasegate's own cost is the
difference. Started as a process by the benchmarks, like the real pack; never imported.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "policies"))

from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy  # noqa: E402

from phasegate_policies import all_policies  # noqa: E402


def _nothing(args, report_violation):
    return None


def _hollow(policy):
    kind = StackValidationPolicy if isinstance(policy, StackValidationPolicy) else ResourceValidationPolicy
    return kind(name=policy.name, description=policy.description, enforcement_level=policy.enforcement_level,
                validate=_nothing, config_schema=policy.config_schema)


PolicyPack(name="phasegate-empty", policies=[_hollow(p) for p in all_policies()])
