"""Typed stack config: models, per-phase presets and the loader that validates a stack file once, at the edge."""

from .loader import ConfigError, build_stack_config, load_stack_config, stack_file_name
from .models import RUNTIME_MODELS, StackConfig
from .types import Egress, Phase

__all__ = ["RUNTIME_MODELS", "ConfigError", "Egress", "Phase", "StackConfig", "build_stack_config",
           "load_stack_config", "stack_file_name"]
