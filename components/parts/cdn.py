"""CloudFront in front of the assets bucket, through origin access control: the bucket itself stays private."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws.cloudfront as cloudfront
import pulumi_aws.s3 as s3

from ..config.models import Cdn as CdnConfig
from ..endpoints import Bucket
from .tags import Tagger

# AWS's managed "CachingOptimized" cache policy.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


@dataclass(frozen=True)
class CdnArgs:
    config: CdnConfig
    bucket: Bucket
    tags: Tagger


class Cdn(pulumi.ComponentResource):
    domain_name: pulumi.Output[str]

    def __init__(self, name: str, args: CdnArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:cdn:Cdn", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        access = cloudfront.OriginAccessControl(
            f"{name}-oac", description="Signed requests from CloudFront to the private assets bucket",
            origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4", opts=child)
        origin_id = "assets"
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
            viewer_certificate=cloudfront.DistributionViewerCertificateArgs(
                cloudfront_default_certificate=True, minimum_protocol_version="TLSv1.2_2021"),
            tags=args.tags(f"{name}-distribution"), opts=child)
        # Only this distribution may read the bucket: a service principal pinned by SourceArn is not "public",
        # so the bucket's public access block stays fully on.
        s3.BucketPolicy(
            f"{name}-bucket-policy", bucket=args.bucket.name,
            policy=pulumi.Output.all(bucket_arn=args.bucket.arn, distribution_arn=self.distribution.arn).apply(
                lambda v: bucket_policy(**v)),
            opts=pulumi.ResourceOptions(parent=self.distribution))
        self.domain_name = self.distribution.domain_name
        self.register_outputs({"domainName": self.domain_name})


def bucket_policy(*, bucket_arn: str, distribution_arn: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CloudFrontReadsAssets", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
        }],
    })
