"""Renders a recorded resource graph as an indented tree with the properties a reviewer cares about."""

from __future__ import annotations

from typing import Any, Iterable

from .recording import RecordedResource

# Per type, the input paths worth showing in a review (dotted paths into camelCase inputs).
KEY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"),
    "aws:ec2/instance:Instance": ("instanceType", "metadataOptions.httpTokens", "rootBlockDevice.encrypted",
                                  "rootBlockDevice.volumeSize", "sourceDestCheck", "keyName"),
    "aws:ec2/eip:Eip": ("domain",),
    "aws:ec2/natGateway:NatGateway": ("connectivityType",),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("serviceName", "vpcEndpointType"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("ipProtocol", "fromPort", "toPort", "cidrIpv4",
                                                                   "cidrIpv6", "referencedSecurityGroupId"),
    "aws:rds/instance:Instance": ("engine", "engineVersion", "instanceClass", "allocatedStorage", "multiAz",
                                  "publiclyAccessible", "storageEncrypted", "backupRetentionPeriod",
                                  "deletionProtection", "manageMasterUserPassword"),
    "aws:rds/parameterGroup:ParameterGroup": ("family",),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm",),
    "aws:s3/bucketVersioning:BucketVersioning": ("versioningConfiguration.status",),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("namespace", "metricName", "comparisonOperator", "threshold"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "retentionInDays"),
    "aws:budgets/budget:Budget": ("limitAmount", "timeUnit"),
    "aws:sns/topicSubscription:TopicSubscription": ("protocol", "endpoint"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("engine", "nodeType", "numCacheClusters",
                                                          "atRestEncryptionEnabled", "transitEncryptionEnabled"),
    "aws:lb/loadBalancer:LoadBalancer": ("loadBalancerType", "internal"),
    "aws:lb/listener:Listener": ("port", "protocol", "sslPolicy", "defaultActions.0.type"),
    "aws:lb/targetGroup:TargetGroup": ("port", "protocol", "healthCheck.path"),
    "aws:acm/certificate:Certificate": ("domainName", "validationMethod"),
    "aws:route53/record:Record": ("name", "type"),
    "aws:cloudfront/distribution:Distribution": ("priceClass", "defaultCacheBehavior.viewerProtocolPolicy"),
    "aws:ssm/parameter:Parameter": ("name", "type"),
    "pulumi:providers:aws": ("region",),
}


def lookup(props: Any, path: str) -> Any:
    """Follow a dotted path (list indices as numbers) through nested props; None where it stops."""
    current = props
    for part in path.split("."):
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return None
    return current


def summary(resource: RecordedResource) -> str:
    shown = []
    for path in KEY_PROPERTIES.get(resource.type, ()):
        value = lookup(resource.inputs, path)
        if value is not None:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            shown.append(f"{path.split('.')[-1]}={value}")
    flags = [flag for flag, on in (("protected", resource.protect),
                                   (f"ignoreChanges={','.join(resource.ignore_changes)}", resource.ignore_changes))
             if on]
    return " ".join(shown + [f"[{f}]" for f in flags])


def render_tree(resources: Iterable[RecordedResource]) -> list[str]:
    resources = list(resources)
    urns = {r.urn for r in resources}
    children: dict[str, list[RecordedResource]] = {}
    for r in resources:
        parent = r.parent if r.parent in urns else ""
        children.setdefault(parent, []).append(r)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda x: (x.custom, x.type, x.name)):
            detail = summary(r)
            lines.append(f"{'  ' * depth}{r.type}  {r.name}" + (f"  {detail}" if detail else ""))
            walk(r.urn, depth + 1)

    walk("", 0)
    return lines
