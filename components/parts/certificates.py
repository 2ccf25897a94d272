"""A public domain served by this stack: a DNS-validated ACM certificate, and the alias record that takes it over.

Shared by the load balancer and the API Gateway custom domain, so both validate and point a domain the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws.acm as acm
import pulumi_aws.route53 as route53

from .tags import Tagger


@dataclass(frozen=True)
class ServedDomain:
    certificate_arn: pulumi.Output[str]  # known once the certificate is validated
    zone_id: pulumi.Output[str]


def validated_certificate(name: str, domain: str, zone_name: str, tags: Tagger,
                          parent: pulumi.Resource, provider: Optional[pulumi.ProviderResource] = None) -> ServedDomain:
    """A certificate for `domain`, validated through a record in the existing public zone `zone_name`.

    `provider` places the certificate in another region (CloudFront takes certificates from us-east-1 only);
    its children inherit it, which does not matter for Route 53, a global service."""
    zone_id = route53.get_zone_output(name=zone_name, private_zone=False,
                                      opts=pulumi.InvokeOutputOptions(parent=parent)).zone_id
    certificate = acm.Certificate(f"{name}-cert", domain_name=domain, validation_method="DNS",
                                  tags=tags(f"{name}-cert"),
                                  opts=pulumi.ResourceOptions(parent=parent, provider=provider))
    option = certificate.domain_validation_options[0]
    record = route53.Record(
        f"{name}-cert-validation", zone_id=zone_id, name=option.resource_record_name,
        type=option.resource_record_type, records=[option.resource_record_value], ttl=60, allow_overwrite=True,
        opts=pulumi.ResourceOptions(parent=certificate))
    validation = acm.CertificateValidation(f"{name}-cert", certificate_arn=certificate.arn,
                                           validation_record_fqdns=[record.fqdn],
                                           opts=pulumi.ResourceOptions(parent=certificate))
    return ServedDomain(certificate_arn=validation.certificate_arn, zone_id=zone_id)


def alias_record(name: str, domain: str, zone_id: pulumi.Input[str], target_name: pulumi.Input[str],
                 target_zone_id: pulumi.Input[str], parent: pulumi.Resource,
                 evaluate_target_health: bool = True) -> route53.Record:
    """The domain's A record as an alias of an AWS endpoint (free to query).

    allow_overwrite: at cutover the domain may still point at the previous phase; setting phasegate:app.domain in
    this stack is the deliberate act that moves it here. Route 53 refuses `evaluate_target_health` for a CloudFront
    target (AliasTarget, Route 53 API reference: "You can't set EvaluateTargetHealth to true when the alias target
    is a CloudFront distribution")."""
    return route53.Record(f"{name}-alias", zone_id=zone_id, name=domain, type="A", allow_overwrite=True,
                          aliases=[route53.RecordAliasArgs(name=target_name, zone_id=target_zone_id,
                                                           evaluate_target_health=evaluate_target_health)],
                          opts=pulumi.ResourceOptions(parent=parent))
