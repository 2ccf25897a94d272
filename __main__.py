"""phasegate: load the stack's typed config, build its phase, export what operators need."""

import pulumi

from components.config import load_stack_config
from components.phases import build_phase

config = load_stack_config()
for key, value in build_phase(config).items():
    pulumi.export(key, value)
