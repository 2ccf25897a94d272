"""cdn-tls-minimum (advisory): a distribution never claims a TLS minimum that CloudFront does not apply.

Source: ViewerCertificate, CloudFront API reference
(https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html): on the default
*.cloudfront.net certificate "CloudFront automatically sets the security policy to TLSv1 regardless of the value that
you set here".
"""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource
from offline.analyzer import evaluate

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def tls_findings(mode, viewer: dict, pack_config=None) -> list[str]:
    graph = mode.graph() + [extra_resource(DISTRIBUTION, "site-cdn", {"viewerCertificate": viewer})]
    evaluation = evaluate(graph, stack="mvp", project="phasegate", config=mode.run.config, pack_config=pack_config,
                          preview=mode.preview)
    return [v.message.split("\n", 1)[1] for v in evaluation.violations if v.policy == "cdn-tls-minimum"]


@pytest.mark.parametrize("viewer", [
    {"cloudfrontDefaultCertificate": True},
    {"cloudfrontDefaultCertificate": True, "minimumProtocolVersion": "TLSv1"},
    {"acmCertificateArn": UNKNOWN_STRING_VALUE, "sslSupportMethod": "sni-only",
     "minimumProtocolVersion": "TLSv1.2_2021"},
])
def test_what_cloudfront_applies_passes(mode, viewer):
    assert tls_findings(mode, viewer) == []


def test_a_tls_1_2_claim_on_the_default_certificate_is_reported(mode):
    assert tls_findings(mode, {"cloudfrontDefaultCertificate": True, "minimumProtocolVersion": "TLSv1.2_2021"}) == [
        "site-cdn asks for minimum_protocol_version TLSv1.2_2021 on CloudFront's default certificate, where CloudFront "
        "applies TLSv1 whatever it says: serve a custom domain with an ACM certificate from us-east-1 "
        "(ssl_support_method 'sni-only'), or remove the setting so nothing claims a minimum that is not in effect."]


def test_an_old_policy_on_a_custom_domain_is_reported_and_the_minimum_is_configurable(mode):
    viewer = {"acmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "sslSupportMethod": "sni-only",
              "minimumProtocolVersion": "TLSv1.1_2016"}
    assert tls_findings(mode, viewer) == [
        "site-cdn accepts TLSv1.1_2016 on its custom domain: set minimum_protocol_version to TLSv1.2_2021 or newer."]
    assert tls_findings(mode, viewer, pack_config={"cdn-tls-minimum": {"minimumProtocolVersion": "TLSv1"}}) == []
