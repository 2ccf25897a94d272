"""What the cost model's tests share: a resource priced alone or with its links, and the lines of an estimate."""

from __future__ import annotations

from phasegate_policies.cost import PricedResource, Usage, estimate
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

NO_USAGE = Usage()


def priced(typ: str, props: dict, region: str = "us-east-1", usage: Usage = NO_USAGE, name: str = "r",
           parent: str | None = None):
    resource = PricedResource(urn=f"urn:{typ}::{name}", type=typ, name=name, props=props, region=region, parent=parent)
    return estimate([resource], usage, region)


def lines(result) -> list[tuple[str, float]]:
    return [(line.item, round(line.monthly_usd, 4)) for line in result.lines]


def node(typ: str, name: str, props: dict, *, region: str = "us-east-1", deps: dict | None = None,
         outputs: dict | None = None, parent: str | None = None) -> PricedResource:
    """A resource as the engine describes it: its inputs, property dependencies (URNs) and outputs."""
    return PricedResource.from_engine(urn=f"urn:{typ}::{name}", type=typ, name=name, props=props,
                                      default_region=region, parent=parent, property_dependencies=deps or {},
                                      outputs=outputs if outputs is not None else props)


UNKNOWN = UNKNOWN_STRING_VALUE
