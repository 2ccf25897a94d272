"""Lambda functions and the HTTP APIs in front of them.

- A **Lambda function** is charged every request of `phasegate:usage.requestsPerMonth` (each function is assumed to
  serve all of them, an upper bound when several share the traffic) and GB-seconds of `lambdaAvgDurationMs` (which must
  be declared) at its memory size and architecture, capped by its reserved concurrency running all month. The
  always-free 1 M requests and 400,000 GB-seconds are one allowance line for the stack (`allowance`). An image from
  ECR is stored at a price (`ecr`).
- An **HTTP API** is charged every declared request at the first-300-million tier (an upper bound beyond it).
"""

from __future__ import annotations

from typing import Any

from ..engine import as_number, dig
from .base import Context, Line, Resource, StackUsage, UnknownInput, need, number
from .catalog import Unpriceable
from .ecr import ecr_usage

FUNCTION = "aws:lambda/function:Function"
# Lambda's ephemeral /tmp is free up to 512 MB (the default); more is billed per GB-second (not in the catalog).
LAMBDA_FREE_EPHEMERAL_MB = 512
LAMBDA_DEFAULT_MEMORY_MB = 128


def _usage(r: Any, ctx: Context) -> tuple[float, float, str, str]:
    """(requests, GB-seconds, GB-second price key, why) a function bills a month, from declared usage."""
    props = r.props
    if need(dig(props, "capacityProviderConfig"), "capacityProviderConfig") is not None:
        raise Unpriceable("runs on Lambda Managed Instances (capacityProviderConfig), billed as EC2 instances plus a "
                          "management fee the catalog does not list")
    architectures = need(dig(props, "architectures", default=["x86_64"]), "architectures") or ["x86_64"]
    arch = need(architectures[0], "architectures[0]")
    if arch not in ("x86_64", "arm64"):
        raise Unpriceable(f"asks for architecture {arch!r}")
    memory_mb = number(dig(props, "memorySize"), "memorySize", LAMBDA_DEFAULT_MEMORY_MB)
    tmp_mb = number(dig(props, "ephemeralStorage", "size"), "ephemeralStorage.size", LAMBDA_FREE_EPHEMERAL_MB)
    if tmp_mb > LAMBDA_FREE_EPHEMERAL_MB:
        raise Unpriceable(f"asks for {tmp_mb:g} MB of ephemeral storage; beyond the free {LAMBDA_FREE_EPHEMERAL_MB} MB "
                          f"it is billed at a rate the catalog does not list")
    if not ctx.usage.is_declared("lambdaAvgDurationMs"):
        raise UnknownInput("duration is priced from phasegate:usage.lambdaAvgDurationMs, which is not declared: declare "
                           "the average duration per request in ms")
    requests = ctx.usage_of("requestsPerMonth")
    gb_seconds = requests * ctx.usage.lambdaAvgDurationMs / 1000 * memory_mb / 1024
    why = "all of phasegate:usage.requestsPerMonth x lambdaAvgDurationMs"
    reserved = as_number(need(dig(props, "reservedConcurrentExecutions"), "reservedConcurrentExecutions"))
    if reserved is not None and reserved >= 0:
        cap = reserved * ctx.hours * 3600 * memory_mb / 1024
        if cap < gb_seconds:
            gb_seconds, why = cap, f"capped by its reserved concurrency of {reserved:g} running all month"
    return requests, gb_seconds, ("lambdaArmGbSecond" if arch == "arm64" else "lambdaGbSecond"), why


def _function(r: Resource, ctx: Context) -> list[Line]:
    if need(dig(r.props, "packageType", default="Zip"), "packageType") == "Image":
        ecr_usage([dig(r.props, "imageUri")], ctx, "imageUri")
    requests, gb_seconds, key, why = _usage(r, ctx)
    memory = number(dig(r.props, "memorySize"), "memorySize", LAMBDA_DEFAULT_MEMORY_MB)
    arch = "arm64" if key == "lambdaArmGbSecond" else "x86_64"
    return [Line(f"{requests:g} requests (all of phasegate:usage.requestsPerMonth, an upper bound if functions share "
                 f"them)", requests / 1e6 * ctx.catalog.price("lambdaMillionRequests", r.region)),
            Line(f"{gb_seconds:g} GB-seconds at {memory:g} MB, {arch} ({why})",
                 gb_seconds * ctx.catalog.price(key, r.region))]


HTTP_API_FIRST_TIER = 300e6


def _http_api(r: Resource, ctx: Context) -> list[Line]:
    protocol = need(dig(r.props, "protocolType"), "protocolType")
    if protocol != "HTTP":
        raise Unpriceable(f"is a {protocol} API: phasegate prices HTTP APIs only")
    per_million = ctx.catalog.price("apiGatewayHttpMillionRequests", r.region)  # a region without a price comes first
    requests = ctx.usage_of("requestsPerMonth")
    beyond = " (all at the first-300-million price, an upper bound)" if requests > HTTP_API_FIRST_TIER else ""
    return [Line(f"{requests / 1e6:g} M HTTP API requests (phasegate:usage.requestsPerMonth){beyond}",
                 requests / 1e6 * per_million)]


def allowance(stack: StackUsage) -> None:
    """Lambda's always-free 1 M requests and 400,000 GB-seconds a month, account-wide: one line for the stack. The free
    GB-seconds go to the cheapest rate first (arm64), so the total stays an upper bound."""
    functions = stack.priced(FUNCTION)
    if not functions:
        return
    free, price = stack.ctx.catalog.free, stack.ctx.catalog.price
    usage = []
    for fn in functions:
        requests, gb_seconds, key, _ = _usage(fn, stack.ctx)
        usage.append((requests, gb_seconds, price(key, fn.region), price("lambdaMillionRequests", fn.region) / 1e6))
    free_requests, free_seconds = free["lambdaRequests"], free["lambdaGbSeconds"]
    request_credit = seconds_credit = 0.0
    for requests, _, _, per_request in sorted(usage, key=lambda u: u[3]):
        used = min(requests, free_requests)
        request_credit += used * per_request
        free_requests -= used
    for _, gb_seconds, per_second, _ in sorted(usage, key=lambda u: u[2]):
        used = min(gb_seconds, free_seconds)
        seconds_credit += used * per_second
        free_seconds -= used
    if request_credit:
        stack.add(None, f"always-free: first {free['lambdaRequests']:g} Lambda requests", -request_credit)
    if seconds_credit:
        stack.add(None, f"always-free: first {free['lambdaGbSeconds']:g} Lambda GB-seconds", -seconds_credit)


PRICERS = {
    FUNCTION: _function,
    "aws:apigatewayv2/api:Api": _http_api,
}
# How `ecr` reads the images of the resources this module prices.
ECR_IMAGES = {FUNCTION: lambda props: [dig(props, "imageUri")]}
