"""The cost model's public API: the price catalog, declared usage, and `price_stack` over engine resources.

The pack's cost rules and the offline check both price through this API, so they can never disagree.
"""

from .catalog import Catalog, SizedPrice, Spec, Unpriceable, load_catalog
from .estimator import CostLine, Estimate, PricedResource, estimate, price_stack, region_of
from .usage import USAGE_KEYS, Usage, UsageKey, parse_usage

__all__ = ["Catalog", "CostLine", "Estimate", "PricedResource", "SizedPrice", "Spec", "USAGE_KEYS", "Unpriceable",
           "Usage", "UsageKey", "estimate", "load_catalog", "parse_usage", "price_stack", "region_of"]
