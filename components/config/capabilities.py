"""What a compute runtime needs from the rest of the stack and what it offers, declared on its config model.

Rules, the composition, the render placeholders and the registry read these facts, never a runtime's name, so a
rule written once holds for every runtime, including one added later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional


class Ingress(Enum):
    """How requests from the internet reach the compute."""

    ITSELF = "itself"  # it serves the internet itself (an Elastic IP, an API Gateway API): no load balancer
    NODE_PORT = "node port"  # the load balancer forwards to one port on every node
    PER_SERVICE = "per service"  # the load balancer forwards to each public service's own targets (by IP)


@dataclass(frozen=True)
class Capabilities:
    ingress: Ingress
    # Its EC2 instances boot from user data, which EC2 limits to 16 KB (the render side checks the size).
    boots_from_user_data: bool = False
    # It needs a way out of the private subnets, for what this says (e.g. "tasks pull their images ..."); None: it
    # needs none, or finds its own.
    egress_for: Optional[str] = None
    # It serves only public services, each behind the ... (e.g. "load balancer"); None: private services too.
    public_only_behind: Optional[str] = None
    # It runs images only from ECR in the stack's region, whatever the egress, because of this (the message's start).
    ecr_in_region_only: Optional[str] = None
    # Why AWS WAF cannot protect it, when it serves the internet itself (the message a WAF in its stack gets).
    waf_refusal: Optional[str] = None
    # State it keeps on its own nodes, which a migration to another phase leaves behind (e.g. "the K3s cluster's
    # state"); None: the compute is stateless.
    state_on_nodes: Optional[str] = None

    @property
    def behind_load_balancer(self) -> bool:
        """A load balancer fronts it, so AWS WAF has something to attach to."""
        return self.ingress is not Ingress.ITSELF
