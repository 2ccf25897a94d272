"""Encryption at rest: databases, volumes, caches, buckets and Kubernetes secrets."""

from __future__ import annotations

from typing import Callable, Iterable

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..props import dig, items, with_config_defaults

Check = Callable[[ResourceValidationArgs], Iterable[str]]


def _rds(args: ResourceValidationArgs) -> Iterable[str]:
    if args.props.get("replicateSourceDb"):
        return  # a replica inherits its source's encryption
    if dig(args.props, "storageEncrypted") is not True:
        yield "storageEncrypted is not true: set storage_encrypted=True (it cannot be turned on later without a restore)."


def _instance(args: ResourceValidationArgs) -> Iterable[str]:
    if dig(args.props, "rootBlockDevice", "encrypted") is not True:
        yield "the root volume is not encrypted: set root_block_device.encrypted=True."
    for index, device in enumerate(items(args.props, "ebsBlockDevices")):
        if dig(device, "encrypted") is not True:
            yield f"ebsBlockDevices[{index}] is not encrypted: set encrypted=True."


def _launch_template(args: ResourceValidationArgs) -> Iterable[str]:
    for index, mapping in enumerate(items(args.props, "blockDeviceMappings")):
        if dig(mapping, "ebs") and str(dig(mapping, "ebs", "encrypted")).lower() != "true":
            yield f"blockDeviceMappings[{index}].ebs is not encrypted: set ebs.encrypted='true'."


def _volume(args: ResourceValidationArgs) -> Iterable[str]:
    if dig(args.props, "encrypted") is not True:
        yield "the EBS volume is not encrypted: set encrypted=True."


def _replication_group(args: ResourceValidationArgs) -> Iterable[str]:
    if dig(args.props, "atRestEncryptionEnabled") not in (True, "true"):
        yield "atRestEncryptionEnabled is not true: set at_rest_encryption_enabled=True."
    if dig(args.props, "transitEncryptionEnabled") is not True:
        yield "transitEncryptionEnabled is not true: set transit_encryption_enabled=True (and use TLS clients)."


def _eks_cluster(args: ResourceValidationArgs) -> Iterable[str]:
    resources = dig(args.props, "encryptionConfig", "resources", default=[])
    if "secrets" not in list(resources):
        yield "Kubernetes secrets are not envelope-encrypted: set encryption_config with a KMS key for 'secrets'."


def _eks_component(args: ResourceValidationArgs) -> Iterable[str]:
    if not dig(args.props, "encryptionConfigKeyArn"):
        yield "Kubernetes secrets are not envelope-encrypted: set encryption_config_key_arn to a KMS key ARN."


CHECKS: dict[str, Check] = {
    "aws:rds/instance:Instance": _rds,
    "aws:rds/cluster:Cluster": _rds,
    "aws:ec2/instance:Instance": _instance,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ebs/volume:Volume": _volume,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "eks:index:Cluster": _eks_component,
}


AT_REST_SCHEMA = {"requireCustomerManagedKey": {
    "type": "boolean", "default": False,
    "description": "Also demand a customer-managed KMS key (kmsKeyId) on databases, volumes and caches."}}
# Where each type names its KMS key, for requireCustomerManagedKey.
KMS_KEY_PATHS = {
    "aws:rds/instance:Instance": ("kmsKeyId",), "aws:rds/cluster:Cluster": ("kmsKeyId",),
    "aws:ec2/instance:Instance": ("rootBlockDevice", "kmsKeyId"), "aws:ebs/volume:Volume": ("kmsKeyId",),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("kmsKeyId",),
}


def _validate_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    check = CHECKS.get(args.resource_type)
    if check is None:
        return
    for problem in check(args):
        report_violation(f"{args.name}: {problem}")
    key_path = KMS_KEY_PATHS.get(args.resource_type)
    if key_path and with_config_defaults(args.get_config(), AT_REST_SCHEMA)["requireCustomerManagedKey"]:
        if not dig(args.props, *key_path):
            report_violation(f"{args.name}: encrypted with an AWS-managed key; set {'.'.join(key_path)} to a "
                             f"customer-managed KMS key.")


BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_TYPES = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
             "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")


BUCKET_SCHEMA = {"allowedAlgorithms": {"type": "array", "items": {"type": "string"},
                                      "default": ["AES256", "aws:kms", "aws:kms:dsse"],
                                      "description": "Accepted SSE algorithms; ['aws:kms'] demands KMS keys."}}


def _validate_buckets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """S3 encrypts by default since 2023, but only an explicit configuration is reviewable and enforced."""
    allowed = with_config_defaults(args.get_config(), BUCKET_SCHEMA)["allowedAlgorithms"]
    encrypted = set()
    for resource in args.resources:
        if resource.resource_type in SSE_TYPES:
            algorithm = dig(resource.props, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm")
            if algorithm in allowed:
                encrypted.add(dig(resource.props, "bucket"))
    for resource in args.resources:
        if resource.resource_type not in BUCKET_TYPES:
            continue
        inline = dig(resource.props, "serverSideEncryptionConfiguration", "rule",
                     "applyServerSideEncryptionByDefault", "sseAlgorithm")
        names = {dig(resource.props, "bucket"), dig(resource.props, "id")}
        if inline not in allowed and not (names & encrypted):
            report_violation(
                f"Bucket {resource.name} has no server-side encryption configuration with an allowed algorithm "
                f"({', '.join(allowed)}): add an aws.s3.BucketServerSideEncryptionConfiguration for it.",
                resource.urn)


encryption_at_rest = ResourceValidationPolicy(
    name="encryption-at-rest",
    description="Data at rest is encrypted: RDS storage, EBS volumes, ElastiCache, EKS secrets.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_resource,
    config_schema=PolicyConfigSchema(properties=AT_REST_SCHEMA),
)

encryption_at_rest_s3 = StackValidationPolicy(
    name="encryption-at-rest-s3",
    description="Every S3 bucket has an explicit server-side encryption configuration.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_validate_buckets,
    config_schema=PolicyConfigSchema(properties=BUCKET_SCHEMA),
)

POLICIES = [encryption_at_rest, encryption_at_rest_s3]
