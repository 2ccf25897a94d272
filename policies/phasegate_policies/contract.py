"""The contract between the program and the pack: the one place these names and numbers are defined.

The pack must stay self-contained when published (`pulumi policy publish`), so the contract lives here and
the program imports it; the pack never imports the program. Pure data: importing this module pulls in
nothing but the standard library.
"""

from __future__ import annotations

# Phases in the order a stack grows through them.
PHASES = ("mvp", "growth", "production")

# Monthly cost ceilings per phase, from the reference plans' decision matrix ($45, $105, $412). The platform
# owner overrides them in the pack config; a stack file cannot.
DEFAULT_CEILINGS = {"mvp": 45, "growth": 105, "production": 412}

# Tags every taggable resource carries, so cost allocation and policies can tell stacks apart.
PHASE_TAG = "phasegate:phase"
STACK_TAG = "phasegate:stack"
APP_TAG = "phasegate:app"
REQUIRED_TAGS = (PHASE_TAG, STACK_TAG, APP_TAG)

# An instance's role tag says what it is; Kubernetes nodes must never be reachable from the internet.
ROLE_TAG = "phasegate:role"
K3S_SERVER_ROLE = "k3s-server"
K3S_AGENT_ROLE = "k3s-agent"
EKS_NODE_ROLE = "eks-node"
NODE_ROLES = (K3S_SERVER_ROLE, K3S_AGENT_ROLE, EKS_NODE_ROLE)

# AWS publishes billing metrics (EstimatedCharges) only in this region.
BILLING_REGION = "us-east-1"
