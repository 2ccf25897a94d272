"""CloudFront in front of the assets bucket, through origin access control: the bucket itself stays private.

TLS: on its own `*.cloudfront.net` name CloudFront applies TLSv1 whatever `minimumProtocolVersion` says ("If the
distribution uses the CloudFront domain name ... CloudFront automatically sets the security policy to TLSv1
regardless of the value that you set here", ViewerCertificate in the CloudFront API reference,
https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html), so a distribution without
`cdn.domain` asks for nothing it would not get. With `cdn.domain` it serves that name with an ACM certificate from
us-east-1 (the only region CloudFront takes certificates from) over SNI, with a TLS 1.2 minimum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudfront as cloudfront
import pulumi_aws.s3 as s3

from phasegate_policies.contract import BILLING_REGION

from ..config.models import Cdn as CdnConfig
from ..endpoints import Bucket
from .certificates import alias_record, validated_certificate
from .tags import Tagger

# AWS's managed "CachingOptimized" cache policy.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# CloudFront uses ACM certificates from us-east-1 only (ViewerCertificate.ACMCertificateArn, CloudFront API reference).
CERTIFICATE_REGION = BILLING_REGION
# CloudFront's security policy for custom certificates: TLS 1.2 minimum with the 2021 ciphers
# (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html).
MINIMUM_TLS = "TLSv1.2_2021"


@dataclass(frozen=True)
class CdnArgs:
    config: CdnConfig
    bucket: Bucket
    tags: Tagger
    region: str  # the stack's region: the certificate needs a us-east-1 provider when it is elsewhere


class Cdn(pulumi.ComponentResource):
    domain_name: pulumi.Output[str]

    def __init__(self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:cdn:Cdn", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        access = cloudfront.OriginAccessControl(
            f"{name}-oac", description="Signed requests from CloudFront to the private assets bucket",
            origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4", opts=child)
        origin_id = "assets"
        served = self._certificate(name, args) if args.config.domain else None
        self.distribution = cloudfront.Distribution(
            f"{name}-distribution", enabled=True, is_ipv6_enabled=True, http_version="http2and3",
            comment=f"{name}: assets", price_class=args.config.price_class,
            origins=[cloudfront.DistributionOriginArgs(domain_name=args.bucket.regional_domain, origin_id=origin_id,
                                                       origin_access_control_id=access.id)],
            default_cache_behavior=cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=origin_id, viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"], cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED, compress=True),
            restrictions=cloudfront.DistributionRestrictionsArgs(
                geo_restriction=cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")),
            aliases=[args.config.domain] if served else None,
            viewer_certificate=cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=served.certificate_arn, ssl_support_method="sni-only",
                minimum_protocol_version=MINIMUM_TLS) if served else
            cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True),
            tags=args.tags(f"{name}-distribution"), opts=child)
        if served:
            alias_record(f"{name}-domain", args.config.domain, served.zone_id, self.distribution.domain_name,
                         self.distribution.hosted_zone_id, parent=self.distribution, evaluate_target_health=False)
        # Only this distribution may read the bucket: a service principal pinned by SourceArn is not "public",
        # so the bucket's public access block stays fully on.
        s3.BucketPolicy(
            f"{name}-bucket-policy", bucket=args.bucket.name,
            policy=pulumi.Output.all(bucket_arn=args.bucket.arn, distribution_arn=self.distribution.arn).apply(
                lambda v: bucket_policy(**v)),
            opts=pulumi.ResourceOptions(parent=self.distribution))
        self.domain_name = pulumi.Output.from_input(args.config.domain) if served else self.distribution.domain_name
        self.register_outputs({"domainName": self.domain_name})

    def _certificate(self, name: str, args: CdnArgs):
        provider = None
        if args.region != CERTIFICATE_REGION:
            provider = aws.Provider(f"{name}-{CERTIFICATE_REGION}", region=CERTIFICATE_REGION,
                                    opts=pulumi.ResourceOptions(parent=self))
        return validated_certificate(name, args.config.domain, args.config.zone_name, args.tags, parent=self,
                                     provider=provider)


def bucket_policy(*, bucket_arn: str, distribution_arn: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CloudFrontReadsAssets", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
        }],
    })
