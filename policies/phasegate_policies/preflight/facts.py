"""Facts the published models lack, each with the page it comes from. Keep this table small: a fact a model has
belongs to the model (and to tools/refresh_preflight.py), not here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Limit:
    """A limit on one input of one Pulumi type: a string's longest length and pattern, or a number's range."""

    path: str
    source: str
    max_length: Optional[int] = None
    pattern: Optional[str] = None
    minimum: Optional[int] = None
    maximum: Optional[int] = None


_ELB_NAME = ("Elastic Load Balancing API reference, CreateTargetGroup/CreateLoadBalancer Name: \"a maximum of 32 "
             "characters, must contain only alphanumeric characters or hyphens, and must not begin or end with a "
             "hyphen\" (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html)")
_ELB_NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"

AWS_LIMITS: dict[str, tuple[Limit, ...]] = {
    "aws:lb/targetGroup:TargetGroup": (Limit("name", _ELB_NAME, max_length=32, pattern=_ELB_NAME_PATTERN),),
    "aws:lb/loadBalancer:LoadBalancer": (Limit("name", _ELB_NAME, max_length=32, pattern=_ELB_NAME_PATTERN),),
}

# The API server refuses a port outside 1-65535 (IsValidPortNum in k8s.io/apimachinery/pkg/util/validation,
# called from the core validation of Services and Pods); the OpenAPI schema only says int32.
_PORT = ("Kubernetes API validation, IsValidPortNum: \"must be between 1 and 65535, inclusive\" "
         "(https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go)")
_POD_PORTS = ("spec.template.spec.containers[].ports[].containerPort",
              "spec.template.spec.initContainers[].ports[].containerPort")
KUBERNETES_PORTS: dict[str, tuple[str, ...]] = {
    "v1/Service": ("spec.ports[].port", "spec.ports[].targetPort", "spec.ports[].nodePort"),
    "apps/v1/Deployment": _POD_PORTS, "apps/v1/StatefulSet": _POD_PORTS, "apps/v1/DaemonSet": _POD_PORTS,
    "v1/Pod": ("spec.containers[].ports[].containerPort",),
}
PORT_SOURCE = _PORT

# Global condition keys valid in any policy (IAM User Guide, "AWS global condition context keys",
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html). Those ending in "/"
# take a tag key after it.
GLOBAL_CONDITION_KEYS = frozenset(key.lower() for key in (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgPaths", "aws:PrincipalOrgID", "aws:PrincipalTag/",
    "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType",
    "aws:userid", "aws:username", "aws:AssumedRoot", "aws:FederatedProvider", "aws:TokenIssueTime",
    "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:ChatbotSourceArn", "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceIdentity", "ec2:RoleDelivery", "ec2:SourceInstanceArn",
    "glue:RoleAssumedBy", "glue:CredentialIssuingService", "lambda:SourceFunctionArn", "ssm:SourceInstanceArn",
    "identitystore:UserId", "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:VpceAccount",
    "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:VpcSourceIp", "aws:ResourceAccount", "aws:ResourceOrgPaths",
    "aws:ResourceOrgID", "aws:ResourceTag/", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
    "aws:ViaAWSService", "aws:CurrentTime", "aws:EpochTime", "aws:referer", "aws:RequestedRegion", "aws:RequestTag/",
    "aws:TagKeys", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgPaths",
    "aws:SourceOrgID", "aws:UserAgent", "aws:SourceOwner"))
