"""The CDN part: it never asks for a TLS minimum that AWS does not apply, and serves its own domain with one.

Source: with the default *.cloudfront.net certificate "CloudFront automatically sets the security policy to TLSv1
regardless of the value that you set here" (ViewerCertificate, CloudFront API reference,
https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html); CloudFront takes ACM
certificates from us-east-1 only (same page, ACMCertificateArn).
"""

from __future__ import annotations

import pytest

from conftest import run_with, stack_values
from offline.program import ProgramError, run_program


def test_on_cloudfronts_own_name_the_distribution_claims_no_tls_minimum():
    distribution = run_program("growth").one("aws:cloudfront/distribution:Distribution").inputs
    assert distribution["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert "aliases" not in distribution


def with_cdn_domain(stack: str = "growth", **cdn):
    values = stack_values(stack)
    values["phasegate:cdn"] = {**values.get("phasegate:cdn", {}), "enabled": True, **cdn}
    return run_with(stack, values)


def test_a_cdn_domain_is_served_with_a_us_east_1_certificate_and_tls_1_2():
    run = with_cdn_domain(domain="assets.acme.example", hostedZone="acme.example")  # growth lives in us-west-2
    distribution = run.one("aws:cloudfront/distribution:Distribution")
    certificate = next(r for r in run.of_type("aws:acm/certificate:Certificate")
                       if r.inputs["domainName"] == "assets.acme.example")
    provider = next(r for r in run.resources if r.urn == certificate.provider_urn)
    assert provider.type == "pulumi:providers:aws" and provider.inputs["region"] == "us-east-1"
    viewer = distribution.inputs["viewerCertificate"]
    assert (viewer["sslSupportMethod"], viewer["minimumProtocolVersion"]) == ("sni-only", "TLSv1.2_2021")
    assert "cloudfrontDefaultCertificate" not in viewer
    assert distribution.inputs["aliases"] == ["assets.acme.example"]
    alias = next(r for r in run.of_type("aws:route53/record:Record") if r.inputs.get("name") == "assets.acme.example")
    assert alias.inputs["aliases"][0]["evaluateTargetHealth"] is False  # Route 53 refuses True for CloudFront
    assert run.outputs["cdnDomainName"] == "assets.acme.example"


def test_in_us_east_1_the_certificate_needs_no_second_provider():
    run = with_cdn_domain("mvp", domain="assets.acme.example")
    certificate = next(r for r in run.of_type("aws:acm/certificate:Certificate")
                       if r.inputs["domainName"] == "assets.acme.example")
    assert certificate.provider == ""


@pytest.mark.parametrize("cdn, message", [
    ({"hostedZone": "acme.example"}, "phasegate:cdn.hostedZone: is set but domain is not; set domain too, or remove "
                                     "hostedZone"),
    ({"domain": "assets.other.example", "hostedZone": "acme.example"},
     "phasegate:cdn.domain: assets.other.example is not inside hostedZone acme.example"),
])
def test_a_cdn_zone_must_hold_its_domain(cdn, message):
    with pytest.raises(ProgramError) as error:
        with_cdn_domain(**cdn)
    assert error.value.messages == [f"Pulumi.growth.yaml: {message}"]
