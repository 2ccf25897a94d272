"""API Gateway REST APIs: requests on the API, and the cache of a stage that enables one.

"With API Gateway, you only pay when your APIs are in use ... for the API calls you receive and the amount of data
transferred out"; "you can optionally provision a dedicated cache for your API, billed per hour by cache size"
(aws.amazon.com/api-gateway/pricing/). Every request of `phasegate:usage.requestsPerMonth` is charged at the first
tier (333 million a month; an upper bound beyond it) on each REST API. A stage without a cache costs nothing.
"""

from __future__ import annotations

from ..engine import as_bool, dig
from .base import Context, Line, Resource, need
from .catalog import Unpriceable

DEFAULT_CACHE_GB = "0.5"  # the smallest cache, API Gateway's default cacheClusterSize


def _rest_api(r: Resource, ctx: Context) -> list[Line]:
    per_million = ctx.catalog.price("apiGatewayRestMillionRequests", r.region)  # a region without a price comes first
    requests = ctx.usage_of("requestsPerMonth")
    return [Line(f"{requests / 1e6:g} M REST API requests (phasegate:usage.requestsPerMonth, first-tier price)",
                 requests / 1e6 * per_million)]


def _stage(r: Resource, ctx: Context) -> list[Line]:
    if need(as_bool(dig(r.props, "cacheClusterEnabled")), "cacheClusterEnabled") is not True:
        return []
    size = str(need(dig(r.props, "cacheClusterSize", default=DEFAULT_CACHE_GB), "cacheClusterSize"))
    if size not in ctx.catalog.sizes("apiGatewayCacheHour", r.region):
        raise Unpriceable(f"no price for a {size} GB stage cache in {r.region}")
    hourly = ctx.catalog.sized("apiGatewayCacheHour", r.region, size).usd
    return [Line(f"{size} GB stage cache, 730 h", hourly * ctx.hours)]


PRICERS = {
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/stage:Stage": _stage,
}
