"""The declared usage keys (`cost/usage.py`): one attribute each, declared and not declared told apart."""

from __future__ import annotations

from dataclasses import fields

from phasegate_policies.cost import USAGE_KEYS, Usage, parse_usage


def test_usage_has_one_attribute_per_usage_key_listed_once():
    assert [f.name for f in fields(Usage)] == list(USAGE_KEYS) + ["declared"]
    assert {"cacheDataGb", "cacheRequestsPerMonth", "endpointGbPerMonth", "lambdaAvgDurationMs",
            "ecrStorageGb"} <= set(USAGE_KEYS)
    assert not USAGE_KEYS["cacheDataGb"].required and not USAGE_KEYS["cacheRequestsPerMonth"].required
    usage, problems = parse_usage({"gbServedPerMonth": 5, "requestsPerMonth": 1, "assetsStorageGb": 1,
                                   "logsGbPerMonth": 1, "cacheDataGb": "2.5"})
    assert problems == [] and usage.cacheDataGb == 2.5 and usage.cacheRequestsPerMonth == 0
    # Declared as 0 and not declared are told apart, for the keys some resources need stated.
    stated, _ = parse_usage({"gbServedPerMonth": 5, "requestsPerMonth": 1, "assetsStorageGb": 1, "logsGbPerMonth": 1,
                             "ecrStorageGb": 0})
    assert stated.is_declared("ecrStorageGb") and not usage.is_declared("ecrStorageGb")
    assert Usage(lambdaAvgDurationMs=80).is_declared("lambdaAvgDurationMs")  # a value other than 0 was stated
