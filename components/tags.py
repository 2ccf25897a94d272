"""Tags every taggable resource carries: Name first, then the stack-wide tags (terraform-aws-modules order).

Tags are passed explicitly rather than through a stack transform, because transforms do not run under
mocks (and so could not be tested) and because the policy pack can then see them on every resource.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

PHASE_TAG = "phasegate:phase"
STACK_TAG = "phasegate:stack"
APP_TAG = "phasegate:app"
REQUIRED_TAGS = (PHASE_TAG, STACK_TAG, APP_TAG)


@dataclass(frozen=True)
class Tagger:
    base: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_stack(cls, app: str, phase: str, stack: str) -> "Tagger":
        return cls({APP_TAG: app, PHASE_TAG: phase, STACK_TAG: stack})

    def __call__(self, name: str, **extra: str) -> dict[str, str]:
        return {"Name": name, **self.base, **extra}
