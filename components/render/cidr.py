"""Subnet planning for the VPC: pure, deterministic, and independent of AWS."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

# A VPC is cut into 16 equal blocks: public subnets take the first ones, private subnets start halfway,
# so adding an AZ later never renumbers an existing subnet (which would replace it and everything in it).
_BLOCKS_BITS = 4
_PRIVATE_OFFSET = 8


@dataclass(frozen=True)
class SubnetPlan:
    public: tuple[str, ...]
    private: tuple[str, ...]


def plan_subnets(vpc_cidr: str, az_count: int) -> SubnetPlan:
    network = ipaddress.IPv4Network(vpc_cidr)
    if not 1 <= az_count <= _PRIVATE_OFFSET:
        raise ValueError(f"az_count must be 1..{_PRIVATE_OFFSET}, got {az_count}")
    if network.prefixlen + _BLOCKS_BITS > 28:
        raise ValueError(f"{vpc_cidr} is too small to split into /{network.prefixlen + _BLOCKS_BITS} subnets (AWS minimum is /28)")
    blocks = list(network.subnets(prefixlen_diff=_BLOCKS_BITS))
    return SubnetPlan(
        public=tuple(str(b) for b in blocks[:az_count]),
        private=tuple(str(b) for b in blocks[_PRIVATE_OFFSET:_PRIVATE_OFFSET + az_count]),
    )
