"""A pack with phasegate's exact shape (same policy names, kinds and levels) whose policies do nothing.

Evaluating it measures the floor: pulumi_policy's deserialisation and gRPC. phasegate's own cost is the
difference. Started as a process by the benchmarks, like the real pack; never imported.
"""

from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy

from phasegate_policies.pack import all_policies  # installed with the program's dependencies (`-e ./policies`)


def _nothing(args, report_violation):
    return None


def _hollow(policy):
    kind = StackValidationPolicy if isinstance(policy, StackValidationPolicy) else ResourceValidationPolicy
    return kind(name=policy.name, description=policy.description, enforcement_level=policy.enforcement_level,
                validate=_nothing, config_schema=policy.config_schema)


PolicyPack(name="phasegate-empty", policies=[_hollow(p) for p in all_policies()])
