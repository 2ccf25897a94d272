"""Typed stack config: models, per-phase presets and the loader that validates a stack file once, at the edge."""

from .loader import ConfigError, build_stack_config, load_stack_config, stack_file_name
from .models import StackConfig
from .types import Egress, Phase

__all__ = ["ConfigError", "Egress", "Phase", "StackConfig", "build_stack_config", "load_stack_config", "stack_file_name"]
