"""The cost model: price catalog, usage assumptions and the estimator."""

from .catalog import Catalog, Unpriceable, load_catalog
from .estimator import CostLine, Estimate, PricedResource, estimate
from .usage import Usage, parse_usage

__all__ = ["Catalog", "CostLine", "Estimate", "PricedResource", "Unpriceable", "Usage", "estimate", "load_catalog",
           "parse_usage"]
