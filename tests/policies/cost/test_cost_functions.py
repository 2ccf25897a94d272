"""Lambda functions after the always-free allowance, and HTTP APIs with their responses as egress."""

from __future__ import annotations

from cost_helpers import node
from phasegate_policies.cost import Usage, estimate
from runtime_pricing import named_lines, usage


def test_lambda_requests_and_gb_seconds_after_the_always_free_allowance():
    fn = node("aws:lambda/function:Function", "fn", {"packageType": "Image", "imageUri": "ghcr.io/acme/web:1",
                                                     "memorySize": 1024, "architectures": ["x86_64"]})
    result = estimate([fn], usage(requestsPerMonth=5_000_000, lambdaAvgDurationMs=100), "us-east-1")
    # 5 M requests x $0.20/M = $1.00; 5 M x 0.1 s x 1 GB = 500,000 GB-s x $0.0000166667 = $8.33; free: 1 M requests
    # ($0.20) and 400,000 GB-s ($6.67).
    assert named_lines(result) == [
        ("fn", "5e+06 requests (all of phasegate:usage.requestsPerMonth, an upper bound if functions share them)", 1.0),
        ("fn", "500000 GB-seconds at 1024 MB, x86_64 (all of phasegate:usage.requestsPerMonth x lambdaAvgDurationMs)",
         8.3334),
        ("(stack usage)", "always-free: first 1e+06 Lambda requests", -0.2),
        ("(stack usage)", "always-free: first 400000 Lambda GB-seconds", -6.6667)]
    assert result.total == 2.47
    arm = estimate([node(fn.type, "fn", {**fn.props, "architectures": ["arm64"]})],
                   usage(requestsPerMonth=5_000_000, lambdaAvgDurationMs=100), "us-east-1")
    assert named_lines(arm)[1][2] == round(500_000 * 0.0000133334, 4) == 6.6667

def test_lambda_reserved_concurrency_caps_the_gb_seconds_and_the_duration_must_be_declared():
    fn = node("aws:lambda/function:Function", "fn", {"memorySize": 512, "reservedConcurrentExecutions": 1})
    capped = estimate([fn], usage(requestsPerMonth=1e9, lambdaAvgDurationMs=1000), "us-east-1")
    # 1 concurrent execution x 730 h x 3600 s x 0.5 GB = 1,314,000 GB-s, not 500,000,000.
    assert named_lines(capped)[1] == ("fn", "1.314e+06 GB-seconds at 512 MB, x86_64 (capped by its reserved concurrency of 1 "
                                      "running all month)", 21.9)
    missing = estimate([fn], usage(requestsPerMonth=1000), "us-east-1")
    assert missing.unknown == [("urn:aws:lambda/function:Function::fn", "aws:lambda/function:Function",
                                "duration is priced from phasegate:usage.lambdaAvgDurationMs, which is not declared: "
                                "declare the average duration per request in ms")]
    managed = estimate([node(fn.type, "fn", {"capacityProviderConfig": {"lambdaManagedInstancesCapacityProviderConfig":
                                                                         {"capacityProviderArn": "arn"}}})],
                       usage(lambdaAvgDurationMs=10), "us-east-1")
    assert managed.unpriced[0][2].startswith("runs on Lambda Managed Instances")

def test_http_api_requests_and_its_responses_as_internet_egress():
    api = node("aws:apigatewayv2/api:Api", "api", {"protocolType": "HTTP"})
    result = estimate([api], usage(requestsPerMonth=12_000_000, gbServedPerMonth=150), "us-east-1")
    assert named_lines(result) == [
        ("api", "12 M HTTP API requests (phasegate:usage.requestsPerMonth)", 12.0),
        ("(stack usage)", "150 GB data transfer out to the internet", 13.5),
        ("(stack usage)", "always-free: first 100 GB out", -9.0)]
    websocket = estimate([node(api.type, "ws", {"protocolType": "WEBSOCKET"})], Usage(), "us-east-1")
    assert websocket.unpriced[0][2] == "is a WEBSOCKET API: phasegate prices HTTP APIs only"
    frankfurt = estimate([node(api.type, "api", {"protocolType": "HTTP"}, region="eu-central-1")], Usage(),
                         "eu-central-1")
    assert frankfurt.unpriced[0][2] == "no apiGatewayHttpMillionRequests price for region eu-central-1"
