"""Tags every taggable resource carries: Name first, then the stack-wide tags (terraform-aws-modules order).

Tags are passed explicitly rather than through a stack transform, because transforms do not run under
mocks (and so could not be tested) and because the policy pack can then see them on every resource. The tag
keys are the pack's contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from phasegate_policies.contract import APP_TAG, PHASE_TAG, REQUIRED_TAGS, STACK_TAG

__all__ = ["REQUIRED_TAGS", "Tagger"]


@dataclass(frozen=True)
class Tagger:
    base: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_stack(cls, app: str, phase: str, stack: str) -> "Tagger":
        return cls({APP_TAG: app, PHASE_TAG: phase, STACK_TAG: stack})

    def __call__(self, name: str, **extra: str) -> dict[str, str]:
        return {"Name": name, **self.base, **extra}
