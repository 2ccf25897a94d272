"""Domain types for stack config: each one validates a value once, at the edge, with a message a user can act on."""

from __future__ import annotations

import ipaddress
import re
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, Field

from phasegate_policies.contract import PHASES
from phasegate_policies.cost.catalog import load_catalog

# The phases are the pack's contract; the enum gives the program named members (Phase.MVP, ...).
Phase = Enum("Phase", [(phase.upper(), phase) for phase in PHASES], type=str)
Phase.__doc__ = "A stack's phase; defined by the policy pack's contract."


class Egress(str, Enum):
    """How private subnets reach the internet; the cost difference between these is the reason it is a choice."""

    NONE = "none"  # no outbound internet from private subnets (S3 still reachable through the free gateway endpoint)
    INSTANCE = "instance"  # one NAT instance (tiny Graviton): a few dollars a month, no HA
    GATEWAY = "gateway"  # one managed NAT gateway: ~$33/month plus $0.045/GB
    GATEWAY_PER_AZ = "gatewayPerAz"  # one NAT gateway per AZ: survives an AZ outage, costs that many times more


class CacheEngine(str, Enum):
    REDIS = "redis"
    VALKEY = "valkey"


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 network in CIDR notation such as 10.0.0.0/16 ({exc})") from None
    if not network.is_private:
        raise ValueError(f"{value} is not a private range; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
    if not 16 <= network.prefixlen <= 24:
        raise ValueError(f"{value} has a /{network.prefixlen} prefix; a VPC needs a prefix from /16 to /24")
    return value


_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address such as ops@example.com")
    return value


_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _domain(value: str) -> str:
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(_DNS_LABEL.match(label) for label in labels):
        raise ValueError(f"{value!r} is not a lower-case DNS name such as app.example.com")
    return value


def _slug(value: str) -> str:
    if not re.match(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$", value):
        raise ValueError(
            f"{value!r} must be 2-32 characters of lower-case letters, digits and hyphens, starting with a letter"
        )
    return value


def _region(value: str) -> str:
    regions = load_catalog().regions
    if value not in regions:
        raise ValueError(f"{value!r} has no prices in the catalog; use one of {', '.join(regions)}")
    return value


def _ascending(values: list[int]) -> list[int]:
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError(f"{values} must be strictly ascending, e.g. [50, 80, 100]")
    return values


_LOG_RETENTIONS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                   3288, 3653)


def _log_retention(value: int) -> int:
    if value not in _LOG_RETENTIONS:
        raise ValueError(f"{value} is not a CloudWatch Logs retention; use one of {', '.join(map(str, _LOG_RETENTIONS))}")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
LogRetentionDays = Annotated[int, AfterValidator(_log_retention)]
Email = Annotated[str, AfterValidator(_email)]
Domain = Annotated[str, AfterValidator(_domain)]
Slug = Annotated[str, AfterValidator(_slug)]
Region = Annotated[str, AfterValidator(_region)]
Percent = Annotated[int, Field(gt=0, le=100)]
AscendingPercents = Annotated[list[Annotated[int, Field(gt=0, le=500)]], AfterValidator(_ascending)]
