"""Compute runtimes, one module each, registered in `RUNTIMES` when this package is imported."""

from . import compose, eks, fargate, k3s, lambda_  # noqa: F401 - registers the runtimes
from .registry import RUNTIMES, Compute, Runtime, RuntimeArgs, RuntimeRegistry

__all__ = ["RUNTIMES", "Compute", "Runtime", "RuntimeArgs", "RuntimeRegistry"]
