"""The app's S3 bucket, built from pulumi-aws v7's split resources: encrypted, versioned, never public."""

from __future__ import annotations

import json

from dataclasses import dataclass

import pulumi
import pulumi_aws.s3 as s3

from ..config.models import Assets as AssetsConfig
from ..endpoints import Bucket
from .tags import Tagger


@dataclass(frozen=True)
class AssetsArgs:
    config: AssetsConfig
    tags: Tagger


class Assets(pulumi.ComponentResource):
    endpoint: Bucket

    def __init__(self, name: str, args: AssetsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:assets:Assets", name, None, opts)
        cfg = args.config
        self.bucket = s3.Bucket(
            f"{name}-bucket", force_destroy=cfg.force_destroy, tags=args.tags(f"{name}-bucket"),
            # Stateful: protected unless the stack explicitly allows destroying a non-empty bucket.
            opts=pulumi.ResourceOptions(parent=self, protect=not cfg.force_destroy),
        )
        of_bucket = pulumi.ResourceOptions(parent=self.bucket)
        s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse", bucket=self.bucket.id,
            rules=[s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"),
                bucket_key_enabled=True,
            )],
            opts=of_bucket,
        )
        s3.BucketVersioning(
            f"{name}-versioning", bucket=self.bucket.id,
            versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=of_bucket,
        )
        s3.BucketPublicAccessBlock(
            f"{name}-public-access", bucket=self.bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=of_bucket,
        )
        # BucketOwnerEnforced disables ACLs entirely: access is decided by policies alone.
        s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=self.bucket.id,
            rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"), opts=of_bucket,
        )
        # Versioning keeps every overwrite; without expiry the bill grows forever.
        s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id,
            rules=[s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-old-versions", status="Enabled",
                filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=cfg.noncurrent_version_days),
                abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=7),
            )],
            opts=of_bucket,
        )
        self.endpoint = Bucket(name=self.bucket.bucket, arn=self.bucket.arn,
                               regional_domain=self.bucket.bucket_regional_domain_name)
        self.register_outputs({"bucketName": self.endpoint.name, "bucketArn": self.endpoint.arn})


def read_write_statements(bucket_arn: str) -> list[dict]:
    """What the app may do with its assets bucket: list it, and read, write and delete its objects."""
    return [
        {"Sid": "ListAssets", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
        {"Sid": "ReadWriteAssets", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": f"{bucket_arn}/*"},
    ]


def read_write_policy(bucket_arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": read_write_statements(bucket_arn)})
