"""phasegate: load the stack's typed config, build it through the one composition, export what operators need."""

import pulumi

from components.composition import build_phase, render_problems
from components.config import load_stack_config

config = load_stack_config(checks=[render_problems])
for key, value in build_phase(config).items():
    pulumi.export(key, value)
