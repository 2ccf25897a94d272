"""Advisory good practice: IMDSv2, backups, deletion protection in production, tags, log retention."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from .props import dig, with_config_defaults
from .stack import current_stack

REQUIRED_TAGS = ("phasegate:phase", "phasegate:stack", "phasegate:app")
# aws: types that take no tags (sub-resources and attachments); every other aws: resource should be tagged.
UNTAGGABLE = frozenset({
    "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/route:Route",
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
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
})


def _imdsv2(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type in ("aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"):
        if dig(args.props, "metadataOptions", "httpTokens") != "required":
            report_violation(f"{args.name} allows IMDSv1: set metadata_options.http_tokens='required'.")


BACKUP_SCHEMA = {"minimumDays": {"type": "integer", "minimum": 1, "maximum": 35, "default": 7}}


def _backups(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type in ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        minimum = int(with_config_defaults(args.get_config(), BACKUP_SCHEMA)["minimumDays"])
        days = float(dig(args.props, "backupRetentionPeriod", default=1))  # RDS's own default is 1 day
        if days < minimum:
            report_violation(f"{args.name} keeps backups {days:g} day(s); keep at least {minimum} "
                             f"(backup_retention_period).")


def _deletion_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        return
    if current_stack().phase == "production" and dig(args.props, "deletionProtection") is not True:
        report_violation(f"{args.name} is a production database without deletion protection: set "
                         f"deletion_protection=True.")
    if not args.opts.protect and current_stack().phase == "production":
        report_violation(f"{args.name} is not protected in Pulumi: set ResourceOptions(protect=True).")


def _tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not args.resource_type.startswith("aws:") or args.resource_type in UNTAGGABLE:
        return
    tags = dig(args.props, "tags", default={})
    missing = [t for t in REQUIRED_TAGS if t not in tags]
    if missing:
        report_violation(f"{args.name} lacks tag(s) {', '.join(missing)}: cost allocation and ownership need them.")


def _log_retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == "aws:cloudwatch/logGroup:LogGroup" and not dig(args.props, "retentionInDays"):
        report_violation(f"Log group {args.name} keeps logs forever: set retention_in_days.")


def _advisory(name: str, description: str, validate, schema=None) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(name=name, description=description, enforcement_level=EnforcementLevel.ADVISORY,
                                    validate=validate,
                                    config_schema=PolicyConfigSchema(properties=schema) if schema else None)


POLICIES = [
    _advisory("imdsv2-required", "EC2 instances and launch templates require IMDSv2 tokens.", _imdsv2),
    _advisory("backup-retention", "Databases keep automated backups for at least a week.", _backups, BACKUP_SCHEMA),
    _advisory("deletion-protection", "Production databases have deletion protection and Pulumi protect.",
              _deletion_protection),
    _advisory("required-tags", "Taggable resources carry the phasegate phase, stack and app tags.", _tags),
    _advisory("log-retention", "Log groups have a retention period.", _log_retention),
]
