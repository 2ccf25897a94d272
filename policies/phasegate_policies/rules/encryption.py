"""Encryption at rest: databases, volumes, launch templates, file systems, caches, buckets and Kubernetes secrets.

Per-resource rules read what the program declared (the inputs `Analyze` receives); a value unknown at
preview counts as present where only presence matters (a KMS key ARN not created yet), and as "cannot show
it is encrypted" where the value itself matters.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from ..contract import ROOT_DEVICE_NAMES
from ..declare import MANDATORY, resource_policy, stack_policy
from ..engine import UNKNOWN, as_bool, declared_inputs, dig, items, plain
from ..props import with_config_defaults
from ..stackview import StackView, each

Check = Callable[[Any], Iterable[str]]


def _must_be_true(value: Any, failed: str, unknown: str) -> Iterable[str]:
    """`failed` when the flag is absent or false; `unknown` names the flag when it is unknown at preview."""
    flag = as_bool(value)
    if flag is UNKNOWN:
        yield f"{unknown} is unknown at preview, so encryption cannot be shown; set it to a literal true."
    elif flag is not True:
        yield failed


def _rds(props: Any) -> Iterable[str]:
    if dig(props, "replicateSourceDb") is not None:
        return  # a read replica inherits its source's encryption
    yield from _must_be_true(dig(props, "storageEncrypted"), "storageEncrypted is not true: set storage_encrypted=True "
                             "(it cannot be turned on later without a restore).", "storageEncrypted")


def _instance(props: Any) -> Iterable[str]:
    root = dig(props, "rootBlockDevice")
    if root is None:
        yield ("no root_block_device: the instance gets the image's default root volume, unencrypted unless the "
               "account encrypts EBS by default; set root_block_device with encrypted=True.")
    else:
        yield from _must_be_true(dig(root, "encrypted"), "the root volume is not encrypted: set "
                                 "root_block_device.encrypted=True.", "rootBlockDevice.encrypted")
    for index, device in enumerate(items(props, "ebsBlockDevices")):
        yield from _must_be_true(dig(device, "encrypted"), f"ebsBlockDevices[{index}] is not encrypted: set "
                                 f"encrypted=True.", f"ebsBlockDevices[{index}].encrypted")


def _launch_template(props: Any) -> Iterable[str]:
    """Every EBS device encrypted, and the root device among them (as for instances: an unmapped root is the image's).

    The root device is /dev/xvda on Amazon Linux 2023 and the EKS AL2023 AMIs, /dev/sda1 on Ubuntu."""
    mappings = [m for m in items(props, "blockDeviceMappings") if m is UNKNOWN or dig(m, "ebs") is not None]
    devices = [UNKNOWN if m is UNKNOWN else dig(m, "deviceName") for m in mappings]
    roots = " or ".join(ROOT_DEVICE_NAMES)
    if not any(d in ROOT_DEVICE_NAMES for d in devices):
        if UNKNOWN in devices:
            yield (f"no block device mapping can be shown to cover the root device ({roots}): a device name is unknown "
                   f"at preview; map the AMI's root device with a literal device_name and ebs.encrypted='true'.")
        else:
            yield ("no block device mapping with ebs for the root device: instances get the image's default root "
                   "volume, unencrypted unless the account encrypts EBS by default; map the AMI's root device "
                   "(/dev/xvda for Amazon Linux 2023 and EKS AMIs, /dev/sda1 for Ubuntu) with ebs.encrypted='true'.")
    for index, mapping in enumerate(mappings):
        yield from _must_be_true(dig(mapping, "ebs", "encrypted"), f"blockDeviceMappings[{index}].ebs is not "
                                 f"encrypted: set ebs.encrypted='true'.", f"blockDeviceMappings[{index}].ebs.encrypted")


def _volume(props: Any) -> Iterable[str]:
    yield from _must_be_true(dig(props, "encrypted"), "the EBS volume is not encrypted: set encrypted=True.",
                             "encrypted")


def _file_system(props: Any) -> Iterable[str]:
    yield from _must_be_true(dig(props, "encrypted"), "the file system is not encrypted: set encrypted=True (it "
                             "cannot be turned on later).", "encrypted")


def _replication_group(props: Any) -> Iterable[str]:
    yield from _must_be_true(dig(props, "atRestEncryptionEnabled"), "atRestEncryptionEnabled is not true: set "
                             "at_rest_encryption_enabled=True.", "atRestEncryptionEnabled")
    yield from _must_be_true(dig(props, "transitEncryptionEnabled"), "transitEncryptionEnabled is not true: set "
                             "transit_encryption_enabled=True (and use TLS clients).", "transitEncryptionEnabled")


def _eks_cluster(props: Any) -> Iterable[str]:
    resources = dig(props, "encryptionConfig", "resources", default=[])
    if resources is UNKNOWN or UNKNOWN in (resources if isinstance(resources, list) else []):
        yield "encryption_config.resources is unknown at preview, so 'secrets' cannot be shown to be encrypted."
    elif "secrets" not in (resources if isinstance(resources, list) else []):
        yield "Kubernetes secrets are not envelope-encrypted: set encryption_config with a KMS key for 'secrets'."


def _eks_component(props: Any) -> Iterable[str]:
    if dig(props, "encryptionConfigKeyArn") is None:
        yield "Kubernetes secrets are not envelope-encrypted: set encryption_config_key_arn to a KMS key ARN."


CHECKS: dict[str, Check] = {
    "aws:rds/instance:Instance": _rds,
    "aws:rds/cluster:Cluster": _rds,
    "aws:ec2/instance:Instance": _instance,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ebs/volume:Volume": _volume,
    "aws:efs/fileSystem:FileSystem": _file_system,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "eks:index:Cluster": _eks_component,
}


AT_REST_SCHEMA = {"requireCustomerManagedKey": {
    "type": "boolean", "default": False,
    "description": "Also demand a customer-managed KMS key on databases, volumes, templates, file systems, caches "
                   "and EKS secrets."}}

# Where each type names its KMS key(s), for requireCustomerManagedKey: a path, with "*" for every list item.
KMS_KEY_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "aws:rds/instance:Instance": (("kmsKeyId",),),
    "aws:rds/cluster:Cluster": (("kmsKeyId",),),
    "aws:ec2/instance:Instance": (("rootBlockDevice", "kmsKeyId"), ("ebsBlockDevices", "*", "kmsKeyId")),
    "aws:ec2/launchTemplate:LaunchTemplate": (("blockDeviceMappings", "*", "ebs", "kmsKeyId"),),
    "aws:ebs/volume:Volume": (("kmsKeyId",),),
    "aws:efs/fileSystem:FileSystem": (("kmsKeyId",),),
    "aws:elasticache/replicationGroup:ReplicationGroup": (("kmsKeyId",),),
    "aws:eks/cluster:Cluster": (("encryptionConfig", "provider", "keyArn"),),
    "eks:index:Cluster": (("encryptionConfigKeyArn",),),
}


def _key_slots(props: Any, path: tuple[str, ...], label: str = "") -> Iterable[tuple[str, Any]]:
    """(dotted path, key value) for each place `path` names; `*` expands a list (mappings without ebs are skipped)."""
    head, *rest = path
    if head == "*":
        for index, item in enumerate(props if isinstance(props, list) else []):
            if rest and rest[0] == "ebs" and dig(item, "ebs") is None:
                continue
            yield from _key_slots(item, tuple(rest), f"{label}[{index}]")
        return
    value = dig(props, head)
    where = f"{label}.{head}" if label else head
    if not rest:
        yield where, value
    elif value is not None:
        yield from _key_slots(value, tuple(rest), where)


def _is_aws_managed(key: Any) -> bool:
    return isinstance(key, str) and (key.startswith("alias/aws/") or ":alias/aws/" in key)


def _validate_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    check = CHECKS.get(args.resource_type)
    key_paths = KMS_KEY_PATHS.get(args.resource_type)
    if check is None and key_paths is None:
        return
    props = plain(args.props)
    for problem in check(props) if check else ():
        report_violation(f"{args.name}: {problem}")
    if key_paths and with_config_defaults(args.get_config(), AT_REST_SCHEMA)["requireCustomerManagedKey"]:
        for path in key_paths:
            for where, key in _key_slots(props, path):
                if key is None or _is_aws_managed(key):
                    report_violation(f"{args.name}: encrypted with an AWS-managed key; set {where} to a "
                                     f"customer-managed KMS key.")


BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_TYPES = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
             "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")


BUCKET_SCHEMA = {"allowedAlgorithms": {"type": "array", "items": {"type": "string"},
                                      "default": ["AES256", "aws:kms", "aws:kms:dsse"],
                                      "description": "Accepted SSE algorithms; ['aws:kms'] demands KMS keys."}}


def _algorithm(rules: Any) -> Any:
    """The default SSE algorithm a configuration's rules set: a string, UNKNOWN, or None."""
    algorithms = [dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") for rule in
                  (rules if isinstance(rules, list) else [rules] if rules is not None else [])]
    if UNKNOWN in algorithms or rules is UNKNOWN:
        return UNKNOWN
    return next((a for a in algorithms if a is not None), None)


def _validate_buckets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """S3 encrypts by default since 2023, but only an explicit configuration is reviewable and enforced.

    The configuration is found through its `bucket` property dependency (known at a first preview), or by
    the bucket's name or id once both are known. The bucket's own reported encryption is not evidence: AWS
    reports AES256 for every bucket. An inline configuration counts only as the program declared it (the inputs
    `Analyze` saw), never from the outputs, whichever other policies are enabled.
    """
    allowed = with_config_defaults(args.get_config(), BUCKET_SCHEMA)["allowedAlgorithms"]
    view = StackView(args.resources)
    configured: dict[str, list[Any]] = {}
    for config in view.of_type(*SSE_TYPES):
        algorithm = _algorithm(dig(view.props(config), "rules"))
        for bucket in view.targets(config, "bucket"):
            configured.setdefault(bucket.urn, []).append(algorithm)

    def check(bucket: Any):
        # Only what Analyze saw the program declare: with every resource policy disabled, nothing was recorded and
        # the props left are the outputs, where AWS reports its default AES256 for every bucket.
        inputs = declared_inputs(bucket)
        inline = dig(inputs, "serverSideEncryptionConfiguration", "rule") if inputs is not None else None
        algorithms = configured.get(bucket.urn, []) + ([_algorithm(inline)] if inline is not None else [])
        if any(a in allowed for a in algorithms if a is not UNKNOWN):
            return
        if UNKNOWN in algorithms:
            yield (f"Bucket {bucket.name}'s encryption algorithm is unknown at preview, so it cannot be shown to be "
                   f"one of {', '.join(allowed)}.", bucket.urn)
            return
        yield (f"Bucket {bucket.name} has no server-side encryption configuration with an allowed algorithm "
               f"({', '.join(allowed)}): add an aws.s3.BucketServerSideEncryptionConfiguration for it.", bucket.urn)

    each(view.of_type(*BUCKET_TYPES), check, report_violation, "encryption-at-rest-s3")


POLICIES = [
    resource_policy("encryption-at-rest", "Data at rest is encrypted: RDS storage, EBS volumes and launch templates, "
                    "EFS, ElastiCache, EKS secrets.", MANDATORY, _validate_resource, AT_REST_SCHEMA),
    stack_policy("encryption-at-rest-s3", "Every S3 bucket has an explicit server-side encryption configuration.",
                 MANDATORY, _validate_buckets, BUCKET_SCHEMA),
]
