"""Backups (disabled backups are mandatory, short ones advisory), IMDSv2, deletion protection, tags, log retention."""

from __future__ import annotations

import json
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from ..contract import REQUIRED_TAGS
from ..declare import ADVISORY, MANDATORY, resource_policy, stack_policy
from ..engine import UNKNOWN, as_bool, as_number, dig, plain
from ..props import with_config_defaults
from ..stack import current_stack
from ..stackview import StackView, each

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
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "aws:lambda/permission:Permission",
    "aws:lambda/functionUrl:FunctionUrl", "aws:apigatewayv2/integration:Integration", "aws:apigatewayv2/route:Route",
    "aws:apigatewayv2/apiMapping:ApiMapping", "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
    "aws:rds/proxyTarget:ProxyTarget", "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy", "aws:cloudwatch/eventTarget:EventTarget",
    # Other programs' REST APIs, website buckets and Transit Gateway routing: no `tags` input in pulumi_aws 7.
    "aws:apigateway/deployment:Deployment", "aws:apigateway/resource:Resource", "aws:apigateway/method:Method",
    "aws:apigateway/integration:Integration", "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:ec2transitgateway/route:Route", "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
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


DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
# CloudFront's security policies, oldest first (ViewerCertificate.MinimumProtocolVersion, CloudFront API reference).
TLS_POLICIES = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021",
                "TLSv1.2_2025", "TLSv1.3_2025")
CDN_TLS_SCHEMA = {"minimumProtocolVersion": {"type": "string", "enum": list(TLS_POLICIES), "default": "TLSv1.2_2021",
                                             "description": "Oldest CloudFront security policy a custom domain may use."}}


def _cdn_tls(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A distribution's TLS minimum is what CloudFront applies, never only what the program asks for.

    On the default *.cloudfront.net certificate "CloudFront automatically sets the security policy to TLSv1
    regardless of the value that you set here" (ViewerCertificate, CloudFront API reference,
    https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html)."""
    if args.resource_type != DISTRIBUTION:
        return
    viewer = dig(plain(args.props), "viewerCertificate")
    asked = dig(viewer, "minimumProtocolVersion")
    if as_bool(dig(viewer, "cloudfrontDefaultCertificate")) is True:
        if asked not in (None, UNKNOWN, "TLSv1"):
            report_violation(f"{args.name} asks for minimum_protocol_version {asked} on CloudFront's default "
                             f"certificate, where CloudFront applies TLSv1 whatever it says: serve a custom domain "
                             f"with an ACM certificate from us-east-1 (ssl_support_method 'sni-only'), or remove the "
                             f"setting so nothing claims a minimum that is not in effect.")
        return
    minimum = with_config_defaults(args.get_config(), CDN_TLS_SCHEMA)["minimumProtocolVersion"]
    if isinstance(asked, str) and asked in TLS_POLICIES and TLS_POLICIES.index(asked) < TLS_POLICIES.index(minimum):
        report_violation(f"{args.name} accepts {asked} on its custom domain: set minimum_protocol_version to "
                         f"{minimum} or newer.")


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


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION = "aws:lambda/function:Function"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"


def _validate_log_retention(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Log groups keep logs a bounded time; so do the groups Lambda and ECS write to. Lambda creates /aws/lambda/<name>
    without a retention unless the stack declares it (or the function's logging_config names one); an ECS container's
    awslogs-group must be a log group of the stack, not one `awslogs-create-group` makes with no retention."""
    maximum = int(with_config_defaults(args.get_config(), RETENTION_SCHEMA)["maximumDays"])
    view = StackView(args.resources)
    groups = view.of_type(LOG_GROUP)
    names = {dig(view.props(g), "name") for g in groups} | {dig(view.outputs(g), "name") for g in groups}

    def retention(group):
        days = as_number(dig(view.props(group), "retentionInDays"))
        if days is UNKNOWN:
            return
        if not days:
            yield f"Log group {group.name} keeps logs forever: set retention_in_days.", group.urn
        elif days > maximum:
            yield (f"Log group {group.name} keeps logs {int(days)} days; keep at most {maximum} or archive to S3.",
                   group.urn)

    def declared_for(resource, prop: str) -> bool:
        """A log group of the stack whose `prop` came from `resource` (a name built from the function's)."""
        return any(resource.urn in [d.urn for d in (g.property_dependencies or {}).get(prop) or []] for g in groups)

    def function(fn):
        props = view.props(fn)
        target = dig(props, "loggingConfig", "logGroup")
        if target is not None:
            if target is UNKNOWN or target in names or view.targets(fn, "loggingConfig"):
                return
            yield (f"Lambda function {fn.name} logs to {target}, which is not a log group of this stack, so its "
                   f"retention cannot be shown: declare it with retention_in_days.", fn.urn)
            return
        name = dig(view.outputs(fn), "name")
        if name is UNKNOWN or name is None:
            name = dig(props, "name")
        if declared_for(fn, "name") or (isinstance(name, str) and f"/aws/lambda/{name}" in names):
            return
        yield (f"Lambda function {fn.name} writes to the log group Lambda creates (/aws/lambda/<function name>), which "
               f"keeps logs forever: declare that log group with retention_in_days, or set logging_config log_group to "
               f"one of this stack's.", fn.urn)

    def task_definition(task):
        raw = dig(view.props(task), "containerDefinitions")
        if raw is UNKNOWN or raw is None:
            return
        try:
            containers = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            return  # no-plaintext-secrets reports the broken JSON
        linked = {g.urn for g in view.targets(task, "containerDefinitions")} & {g.urn for g in groups}
        for container in containers if isinstance(containers, list) else []:
            log = dig(container, "logConfiguration")
            if dig(log, "logDriver") != "awslogs":
                continue
            group = dig(log, "options", "awslogs-group")
            if group in names or (linked and group is not None):
                continue
            yield (f"Task definition {task.name}: container {dig(container, 'name')} logs to {group}, which is not a "
                   f"log group of this stack, so its retention cannot be shown (awslogs-create-group makes one that "
                   f"keeps logs forever): declare it with retention_in_days.", task.urn)

    each(groups, retention, report_violation, "log-retention")
    each(view.of_type(FUNCTION), function, report_violation, "log-retention")
    each(view.of_type(TASK_DEFINITION), task_definition, report_violation, "log-retention")


POLICIES = [
    resource_policy("backups-enabled", "Databases have automated backups (a retention of 0 days disables them).",
                    MANDATORY, _backups_enabled),
    resource_policy("imdsv2-required", "EC2 instances and launch templates require IMDSv2 tokens.", ADVISORY, _imdsv2,
                    IMDS_SCHEMA),
    resource_policy("cdn-tls-minimum", "CloudFront distributions ask only for a TLS minimum CloudFront applies, and a "
                    "custom domain's is recent.", ADVISORY, _cdn_tls, CDN_TLS_SCHEMA),
    resource_policy("backup-retention", "Databases keep automated backups for at least a week.", ADVISORY, _backups,
                    BACKUP_SCHEMA),
    resource_policy("deletion-protection", "Production databases have deletion protection and Pulumi protect.",
                    ADVISORY, _deletion_protection, DELETION_SCHEMA),
    resource_policy("required-tags", "Taggable resources carry the phasegate phase, stack and app tags.", ADVISORY,
                    _tags, TAGS_SCHEMA),
    stack_policy("log-retention", "Log groups, including those Lambda functions and ECS containers write to, have a "
                 "bounded retention period.", ADVISORY, _validate_log_retention, RETENTION_SCHEMA),
]
