"""encryption-at-rest and encryption-at-rest-s3 (rules/encryption.py), over gRPC at a first preview and at an update
(the `mode` fixture): the passing MVP graph, then one break per test."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import DELETE, extra_resource, find, set_prop

from .helpers import TAGS, check, config_tightens, messages


@pytest.mark.parametrize("name, path, value, expected", [
    ("acme-db-postgres", "storageEncrypted", False,
     "acme-db-postgres: storageEncrypted is not true: set storage_encrypted=True (it cannot be turned on later "
     "without a restore)."),
    ("acme-db-postgres", "storageEncrypted", DELETE,
     "acme-db-postgres: storageEncrypted is not true: set storage_encrypted=True (it cannot be turned on later "
     "without a restore)."),
    ("acme-app-host", "rootBlockDevice.encrypted", False,
     "acme-app-host: the root volume is not encrypted: set root_block_device.encrypted=True."),
    ("acme-app-host", "rootBlockDevice", DELETE,
     "acme-app-host: no root_block_device: the instance gets the image's default root volume, unencrypted unless "
     "the account encrypts EBS by default; set root_block_device with encrypted=True."),
    ("acme-app-host", "ebsBlockDevices", [{"deviceName": "/dev/sdf", "volumeSize": 10}],
     "acme-app-host: ebsBlockDevices[0] is not encrypted: set encrypted=True."),
])
def test_unencrypted_storage_is_a_violation(mode, name, path, value, expected):
    graph = mode.graph()
    set_prop(find(graph, name), path, value)
    evaluation = check(mode, graph)
    assert messages(evaluation, "encryption-at-rest") == [expected]
    assert evaluation.violations[0].urn == find(graph, name).urn


def test_caches_file_systems_volumes_templates_and_kubernetes_secrets_must_be_encrypted(mode):
    extras = [
        extra_resource("aws:elasticache/replicationGroup:ReplicationGroup", "c", {
            "engine": "valkey", "nodeType": "cache.t4g.micro", "atRestEncryptionEnabled": "false",
            "transitEncryptionEnabled": False, "tags": TAGS}),
        extra_resource("aws:eks/cluster:Cluster", "k", {"roleArn": "arn", "tags": TAGS}),
        extra_resource("aws:efs/fileSystem:FileSystem", "files", {"tags": TAGS}),
        extra_resource("aws:ebs/volume:Volume", "data", {"size": 10, "type": "gp3", "tags": TAGS}),
        extra_resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes", {
            "metadataOptions": {"httpTokens": "required"}, "tags": TAGS}),
        extra_resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes2", {
            "metadataOptions": {"httpTokens": "required"}, "tags": TAGS,
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 20, "encrypted": "false"}}]}),
    ]
    evaluation = check(mode, mode.graph() + extras, pack_config={"cost-ceiling": {"ceilings": {"mvp": 1000},
                                                                 "allowUnpriced": ["aws:efs/fileSystem:FileSystem"]}})
    assert sorted({v.policy for v in evaluation.mandatory_failures}) == ["encryption-at-rest"]
    assert messages(evaluation, "encryption-at-rest") == [
        "data: the EBS volume is not encrypted: set encrypted=True.",
        "nodes: no block device mapping with ebs for the root device: instances get the image's default root volume, "
        "unencrypted unless the account encrypts EBS by default; map the AMI's root device (/dev/xvda for Amazon "
        "Linux 2023 and EKS AMIs, /dev/sda1 for Ubuntu) with ebs.encrypted='true'.",
        "nodes2: blockDeviceMappings[0].ebs is not encrypted: set ebs.encrypted='true'.",
        "files: the file system is not encrypted: set encrypted=True (it cannot be turned on later).",
        "k: Kubernetes secrets are not envelope-encrypted: set encryption_config with a KMS key for 'secrets'.",
        "c: atRestEncryptionEnabled is not true: set at_rest_encryption_enabled=True.",
        "c: transitEncryptionEnabled is not true: set transit_encryption_enabled=True (and use TLS clients)."]


@pytest.mark.parametrize("mappings, expected", [
    ([{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "encrypted": "true"}}], []),
    ([{"deviceName": "/dev/sda1", "ebs": {"volumeSize": 30, "encrypted": "true"}}], []),
    ([{"deviceName": "/dev/sdf", "ebs": {"volumeSize": 100, "encrypted": "true"}}],
     ["lt: no block device mapping with ebs for the root device: instances get the image's default root volume, "
      "unencrypted unless the account encrypts EBS by default; map the AMI's root device (/dev/xvda for Amazon Linux "
      "2023 and EKS AMIs, /dev/sda1 for Ubuntu) with ebs.encrypted='true'."]),
    ([{"deviceName": UNKNOWN_STRING_VALUE, "ebs": {"volumeSize": 30, "encrypted": "true"}}],
     ["lt: no block device mapping can be shown to cover the root device (/dev/xvda or /dev/sda1): a device name is "
      "unknown at preview; map the AMI's root device with a literal device_name and ebs.encrypted='true'."]),
])
def test_a_launch_template_must_map_the_root_device_encrypted(mode, mappings, expected):
    template = extra_resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
        "metadataOptions": {"httpTokens": "required"}, "blockDeviceMappings": mappings, "tags": TAGS})
    assert messages(check(mode, mode.graph() + [template]), "encryption-at-rest") == expected


def test_a_customer_managed_key_not_created_yet_counts_as_present(mode):
    graph = mode.graph()
    arn = UNKNOWN_STRING_VALUE if mode.preview else "arn:aws:kms:us-east-1:123456789012:key/1"
    key = extra_resource("aws:kms/key:Key", "data-key", {"enableKeyRotation": True, "tags": TAGS})
    key.outputs["arn"] = arn
    for name, prop in (("acme-db-postgres", "kmsKeyId"), ("acme-app-host", "rootBlockDevice.kmsKeyId")):
        set_prop(find(graph, name), prop, arn)
    evaluation = check(mode, graph + [key], pack_config={"encryption-at-rest": {"requireCustomerManagedKey": True}})
    assert messages(evaluation, "encryption-at-rest") == []


# --- encryption-at-rest-s3 never takes the provider's report as evidence --------------------------------------

def test_a_bucket_without_an_explicit_encryption_configuration_is_a_violation(mode):
    graph = [r for r in mode.graph() if r.name != "acme-assets-sse"]
    bucket = find(graph, "acme-assets-bucket")
    evaluation = check(mode, graph)
    assert messages(evaluation, "encryption-at-rest-s3") == [
        "Bucket acme-assets-bucket has no server-side encryption configuration with an allowed algorithm (AES256, "
        "aws:kms, aws:kms:dsse): add an aws.s3.BucketServerSideEncryptionConfiguration for it."]
    assert evaluation.violations[0].urn == bucket.urn
    assert evaluation.violations[0].level == "mandatory"


def test_awss_own_report_of_default_encryption_is_not_an_explicit_configuration(mode):
    """Since 2023 AWS reports AES256 for every bucket; that output is no evidence of a reviewed configuration."""
    graph = [r for r in mode.graph() if r.name != "acme-assets-sse"]
    bucket = find(graph, "acme-assets-bucket")
    bucket.outputs["serverSideEncryptionConfiguration"] = {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}
    assert len(messages(check(mode, graph), "encryption-at-rest-s3")) == 1


def test_a_second_bucket_without_its_own_configuration_is_a_violation(mode):
    graph = mode.graph() + [extra_resource("aws:s3/bucket:Bucket", "logs", {"tags": TAGS})]
    assert messages(check(mode, graph), "encryption-at-rest-s3") == [
        "Bucket logs has no server-side encryption configuration with an allowed algorithm (AES256, aws:kms, "
        "aws:kms:dsse): add an aws.s3.BucketServerSideEncryptionConfiguration for it."]


S3_ONLY = {"all": "disabled", "encryption-at-rest-s3": "mandatory"}


def test_with_only_the_bucket_policy_enabled_awss_reported_encryption_is_still_no_evidence(mode):
    """With every resource policy disabled the pack records no declared inputs; the bucket's outputs (AES256, as AWS
    reports for every bucket) must not pass for an explicit configuration."""
    graph = [r for r in mode.graph() if r.name != "acme-assets-sse"]
    bucket = find(graph, "acme-assets-bucket")
    bucket.outputs["serverSideEncryptionConfiguration"] = {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}
    evaluation = check(mode, graph, pack_config=S3_ONLY)
    assert [(v.policy, v.level, v.urn) for v in evaluation.violations] == [
        ("encryption-at-rest-s3", "mandatory", bucket.urn)]
    assert check(mode, mode.graph(), pack_config=S3_ONLY).violations == []  # its own configuration still counts


@pytest.mark.parametrize("pack_config, change, policy, expected", [
    ({"encryption-at-rest": {"requireCustomerManagedKey": True}}, None, "encryption-at-rest",
     ["acme-app-host: encrypted with an AWS-managed key; set rootBlockDevice.kmsKeyId to a customer-managed KMS key.",
      "acme-db-postgres: encrypted with an AWS-managed key; set kmsKeyId to a customer-managed KMS key."]),
    ({"encryption-at-rest": {"requireCustomerManagedKey": True}},
     ("acme-app-host", "ebsBlockDevices", [{"encrypted": True, "volumeSize": 10, "kmsKeyId": "alias/aws/ebs"}]),
     "encryption-at-rest",
     ["acme-app-host: encrypted with an AWS-managed key; set rootBlockDevice.kmsKeyId to a customer-managed KMS key.",
      "acme-app-host: encrypted with an AWS-managed key; set ebsBlockDevices[0].kmsKeyId to a customer-managed KMS "
      "key.",
      "acme-db-postgres: encrypted with an AWS-managed key; set kmsKeyId to a customer-managed KMS key."]),
    ({"encryption-at-rest-s3": {"allowedAlgorithms": ["aws:kms"]}}, None, "encryption-at-rest-s3",
     ["Bucket acme-assets-bucket has no server-side encryption configuration with an allowed algorithm (aws:kms): "
      "add an aws.s3.BucketServerSideEncryptionConfiguration for it."]),
])
def test_policy_config_tightens_encryption(mode, pack_config, change, policy, expected):
    assert messages(config_tightens(mode, pack_config, change, policy), policy) == expected
