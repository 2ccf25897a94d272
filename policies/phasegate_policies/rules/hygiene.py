"""Backups (disabled backups are mandatory, short ones advisory), IMDSv2, deletion protection, tags, log retention."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from ..contract import REQUIRED_TAGS
from ..engine import UNKNOWN, as_bool, as_number, dig, plain
from ..props import with_config_defaults
from ..stack import current_stack

DATABASES = ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster")
# aws: types that take no tags (sub-resources and attachments); every other aws: resource should be tagged.
UNTAGGABLE = frozenset({
    "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/route:Route",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:ec2/eipAssociation:EipAssociation",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicy:RolePolicy",
    "aws:sns/topicSubscription:TopicSubscription", "aws:sns/topicPolicy:TopicPolicy",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:acm/certificateValidation:CertificateValidation", "aws:route53/record:Record",
    "aws:cloudfront/originAccessControl:OriginAccessControl", "aws:kms/alias:Alias",
    "aws:secretsmanager/secretVersion:SecretVersion", "aws:autoscaling/attachment:Attachment",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:backup/selection:Selection", "aws:appautoscaling/policy:Policy",
})


IMDS_SCHEMA = {"maximumHopLimit": {"type": "integer", "minimum": 1, "maximum": 64, "default": 2,
                                    "description": "Highest allowed http_put_response_hop_limit (2 lets containers in)."}}


def _imdsv2(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in ("aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"):
        return
    props = plain(args.props)
    tokens = dig(props, "metadataOptions", "httpTokens")
    if tokens is UNKNOWN:
        report_violation(f"{args.name}'s metadata_options.http_tokens is unknown at preview: set it to 'required'.")
    elif tokens != "required":
        report_violation(f"{args.name} allows IMDSv1: set metadata_options.http_tokens='required'.")
    maximum = int(with_config_defaults(args.get_config(), IMDS_SCHEMA)["maximumHopLimit"])
    hops = as_number(dig(props, "metadataOptions", "httpPutResponseHopLimit"))
    if hops is not None and hops is not UNKNOWN and hops > maximum:
        report_violation(f"{args.name} lets instance credentials travel {int(hops)} network hops; keep "
                         f"http_put_response_hop_limit at most {maximum}.")


def _retention(args: ResourceValidationArgs) -> Any:
    """The database's automated-backup retention in days, UNKNOWN, or None for a read replica (no own backups)."""
    props = plain(args.props)
    if dig(props, "replicateSourceDb") is not None:
        return None
    days = as_number(dig(props, "backupRetentionPeriod"))
    return 1.0 if days is None else days  # RDS's own default is 1 day


def _backups_enabled(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in DATABASES:
        return
    days = _retention(args)
    if days is UNKNOWN:
        report_violation(f"{args.name}'s backup_retention_period is unknown at preview, so backups cannot be shown "
                         f"to be on: set it to a literal number of days.")
    elif days is not None and days <= 0:
        report_violation(f"{args.name} has automated backups disabled (backup_retention_period=0): set it to at "
                         f"least 1, 7 or more recommended.")


BACKUP_SCHEMA = {"minimumDays": {"type": "integer", "minimum": 1, "maximum": 35, "default": 7,
                                 "description": "Fewest days of automated backups recommended."}}


def _backups(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in DATABASES:
        return
    minimum = int(with_config_defaults(args.get_config(), BACKUP_SCHEMA)["minimumDays"])
    days = _retention(args)
    if days is not None and days is not UNKNOWN and 0 < days < minimum:
        report_violation(f"{args.name} keeps backups {days:g} day(s); keep at least {minimum} "
                         f"(backup_retention_period).")


DELETION_SCHEMA = {"phases": {"type": "array", "items": {"type": "string"}, "default": ["production"],
                              "description": "Phases whose databases must be deletion-protected."}}


def _deletion_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in DATABASES:
        return
    phase = current_stack().phase
    if phase not in with_config_defaults(args.get_config(), DELETION_SCHEMA)["phases"]:
        return
    if as_bool(dig(plain(args.props), "deletionProtection")) is not True:
        report_violation(f"{args.name} is a {phase} database without deletion protection: set "
                         f"deletion_protection=True.")
    if not args.opts.protect:
        report_violation(f"{args.name} is not protected in Pulumi: set ResourceOptions(protect=True).")


TAGS_SCHEMA = {"requiredTags": {"type": "array", "items": {"type": "string"}, "default": list(REQUIRED_TAGS),
                                "description": "Tag keys every taggable AWS resource must carry."}}


def _tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not args.resource_type.startswith("aws:") or args.resource_type in UNTAGGABLE:
        return
    tags = dig(plain(args.props), "tags", default={})
    if args.resource_type == "aws:autoscaling/group:Group" and isinstance(tags, list):
        # An autoscaling group lists its tags as {key, value, propagateAtLaunch} blocks.
        tags = {dig(tag, "key"): dig(tag, "value") for tag in tags if isinstance(tag, dict)}
    required = with_config_defaults(args.get_config(), TAGS_SCHEMA)["requiredTags"]
    if tags is UNKNOWN:
        return  # computed tags are present but unknown: nothing to say yet
    if not isinstance(tags, dict):
        report_violation(f"{args.name}'s tags are not a map of key to value ({type(tags).__name__}): give tags as "
                         f"a dict.")
        return
    missing = [t for t in required if t not in tags]
    if missing:
        report_violation(f"{args.name} lacks tag(s) {', '.join(missing)}: cost allocation and ownership need them.")


RETENTION_SCHEMA = {"maximumDays": {"type": "integer", "minimum": 1, "default": 365,
                                    "description": "Longest retention before log storage dominates the bill."}}


def _log_retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "aws:cloudwatch/logGroup:LogGroup":
        return
    days = as_number(dig(plain(args.props), "retentionInDays"))
    maximum = int(with_config_defaults(args.get_config(), RETENTION_SCHEMA)["maximumDays"])
    if days is UNKNOWN:
        return
    if not days:
        report_violation(f"Log group {args.name} keeps logs forever: set retention_in_days.")
    elif days > maximum:
        report_violation(f"Log group {args.name} keeps logs {int(days)} days; keep at most {maximum} or archive to S3.")


def _policy(name: str, description: str, validate, schema: dict | None,
            level: EnforcementLevel = EnforcementLevel.ADVISORY) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(name=name, description=description, enforcement_level=level, validate=validate,
                                    config_schema=PolicyConfigSchema(properties=schema or {}))


POLICIES = [
    _policy("backups-enabled", "Databases have automated backups (a retention of 0 days disables them).",
            _backups_enabled, None, EnforcementLevel.MANDATORY),
    _policy("imdsv2-required", "EC2 instances and launch templates require IMDSv2 tokens.", _imdsv2, IMDS_SCHEMA),
    _policy("backup-retention", "Databases keep automated backups for at least a week.", _backups, BACKUP_SCHEMA),
    _policy("deletion-protection", "Production databases have deletion protection and Pulumi protect.",
            _deletion_protection, DELETION_SCHEMA),
    _policy("required-tags", "Taggable resources carry the phasegate phase, stack and app tags.", _tags, TAGS_SCHEMA),
    _policy("log-retention", "Log groups have a bounded retention period.", _log_retention, RETENTION_SCHEMA),
]
