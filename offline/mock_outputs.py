"""The computed outputs AWS (and pulumi-eks, random) would return, per resource type, for the offline mocks.

Each maker turns a resource's name, inputs and region into its id and the outputs AWS computes (ARNs, endpoints,
addresses), shaped like the real ones and deterministic per name so runs are reproducible. `OUTPUTS` is the table
`RealisticMocks` reads; a type missing from it gets `generic_outputs` (an id and an ARN).
"""

from __future__ import annotations

import hashlib
import json

import pulumi

ACCOUNT_ID = "123456789012"


def digest(seed: str, length: int = 17) -> str:
    """A stable hex string standing in for what AWS generates (ids, suffixes, hashes)."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"


def _physical(name: str) -> str:
    """Pulumi auto-naming appends a random suffix to the logical name."""
    return f"{name}-{digest(name, 7)}"


def generic_outputs(typ: str, name: str, region: str):
    """Any type the table lacks: an id and an ARN of its service."""
    service = typ.split(":")[1].split("/")[0]
    return f"{name}-{digest(name, 8)}", {"arn": _arn(service, region, f"{typ.split(':')[-1].lower()}/{name}")}


def _prefixed(prefix: str, service: str, kind: str):
    def make(name: str, inputs: dict, region: str):
        resource_id = f"{prefix}-{digest(name)}"
        return resource_id, {"id": resource_id, "arn": _arn(service, region, f"{kind}/{resource_id}")}
    return make


def _instance(name, inputs, region):
    resource_id = f"i-{digest(name)}"
    octet = int(digest(name, 2), 16)
    out = {"arn": _arn("ec2", region, f"instance/{resource_id}"), "primaryNetworkInterfaceId": f"eni-{digest(name + 'eni')}",
           "privateIp": f"10.0.{octet % 250}.{10 + octet % 200}", "instanceState": "running"}
    if inputs.get("associatePublicIpAddress"):
        out["publicIp"] = f"198.51.100.{octet % 250}"
    return resource_id, out


def _eip(name, inputs, region):
    resource_id = f"eipalloc-{digest(name)}"
    return resource_id, {"allocationId": resource_id, "publicIp": f"203.0.113.{int(digest(name, 2), 16) % 250}",
                         "arn": _arn("ec2", region, f"elastic-ip/{resource_id}")}


def _rds_instance(name, inputs, region):
    identifier = inputs.get("identifier") or _physical(name)
    address = f"{identifier}.c{digest(name, 11)}.{region}.rds.amazonaws.com"
    secret = _arn("secretsmanager", region, f"secret:rds!db-{digest(name, 8)}-{digest(name, 4)}-{digest(name + 's', 6)}")
    return f"db-{digest(name, 26).upper()}", {
        "identifier": identifier, "address": address, "endpoint": f"{address}:5432", "port": 5432,
        "arn": _arn("rds", region, f"db:{identifier}"), "engineVersionActual": f"{inputs.get('engineVersion', '17')}.4",
        "masterUserSecrets": [{"secretArn": secret, "secretStatus": "active",
                               "kmsKeyId": _arn("kms", region, "key/aws-secretsmanager")}],
    }


def _named(service: str, kind: str, name_key: str = "name"):
    def make(name, inputs, region):
        physical = inputs.get(name_key) or _physical(name)
        return physical, {name_key: physical, "arn": _arn(service, region, f"{kind}{physical}")}
    return make


def _bucket(name, inputs, region):
    physical = inputs.get("bucket") or _physical(name)
    return physical, {"bucket": physical, "arn": f"arn:aws:s3:::{physical}",
                      "bucketRegionalDomainName": f"{physical}.s3.{region}.amazonaws.com"}


def _topic(name, inputs, region):
    arn = _arn("sns", region, inputs.get("name") or _physical(name))
    return arn, {"arn": arn}


def _iam(kind: str):
    def make(name, inputs, region):
        physical = inputs.get("name") or _physical(name)
        return physical, {"name": physical, "arn": f"arn:aws:iam::{ACCOUNT_ID}:{kind}/{physical}",
                          "uniqueId": f"AROA{digest(name, 16).upper()}"}
    return make


def _certificate(name, inputs, region):
    arn = _arn("acm", region, f"certificate/{digest(name, 8)}-{digest(name + 'c', 4)}")
    domain = inputs.get("domainName", "example.com")
    return arn, {"arn": arn, "status": "PENDING_VALIDATION", "domainValidationOptions": [{
        "domainName": domain, "resourceRecordName": f"_{digest(domain, 32)}.{domain}.",
        "resourceRecordType": "CNAME", "resourceRecordValue": f"_{digest(domain + 'v', 32)}.acm-validations.aws."}]}


def _record(name, inputs, region):
    fqdn = str(inputs.get("name", name)).rstrip(".")
    return f"{inputs.get('zoneId', 'Z')}_{fqdn}_{inputs.get('type', 'A')}", {"fqdn": fqdn}


def _load_balancer(name, inputs, region):
    physical = _physical(name)[:32]
    suffix = f"app/{physical}/{digest(name, 16)}"
    arn = _arn("elasticloadbalancing", region, f"loadbalancer/{suffix}")
    return arn, {"arn": arn, "arnSuffix": suffix, "dnsName": f"{physical}-{int(digest(name, 8), 16)}.{region}.elb.amazonaws.com",
                 "zoneId": "Z35SXDOTRQ7X7K", "name": physical}


def _target_group(name, inputs, region):
    physical = _physical(name)[:32]
    suffix = f"targetgroup/{physical}/{digest(name, 16)}"
    arn = _arn("elasticloadbalancing", region, suffix)
    return arn, {"arn": arn, "arnSuffix": suffix, "name": physical}


def _replication_group(name, inputs, region):
    group_id = inputs.get("replicationGroupId") or _physical(name)
    nodes = int(inputs.get("numCacheClusters") or 1)
    return group_id, {"arn": _arn("elasticache", region, f"replicationgroup:{group_id}"),
                      "primaryEndpointAddress": f"master.{group_id}.{digest(name, 6)}.{region[:6]}.cache.amazonaws.com",
                      "memberClusters": [f"{group_id}-{i:03d}" for i in range(1, nodes + 1)]}


def _serverless_cache(name, inputs, region):
    cache = inputs.get("name") or _physical(name)
    address = f"{cache}-{digest(name, 6)}.serverless.{region[:6]}.cache.amazonaws.com"
    return cache, {"arn": _arn("elasticache", region, f"serverlesscache:{cache}"), "status": "available",
                   "endpoints": [{"address": address, "port": 6379}],
                   "readerEndpoints": [{"address": address, "port": 6380}]}


def _cache_user(name, inputs, region):
    user_id = inputs.get("userId") or _physical(name)
    return user_id, {"userId": user_id, "arn": _arn("elasticache", region, f"user:{user_id}")}


def _cache_user_group(name, inputs, region):
    group_id = inputs.get("userGroupId") or _physical(name)
    return group_id, {"userGroupId": group_id, "arn": _arn("elasticache", region, f"usergroup:{group_id}")}


def _backup_vault(name, inputs, region):
    vault = inputs.get("name") or _physical(name)
    return vault, {"name": vault, "arn": _arn("backup", region, f"backup-vault:{vault}"), "recoveryPoints": 0}


def _backup_plan(name, inputs, region):
    plan_id = f"{digest(name, 8)}-{digest(name + 'p', 4)}-{digest(name + 'q', 4)}-{digest(name + 'r', 12)}"
    return plan_id, {"arn": _arn("backup", region, f"backup-plan:{plan_id}"), "version": digest(name + "v", 32)}


def _http_api(name, inputs, region):
    api_id = digest(name, 10)
    return api_id, {"apiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com",
                    "executionArn": f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api_id}",
                    "arn": f"arn:aws:apigateway:{region}::/apis/{api_id}"}


def _api_domain(name, inputs, region):
    domain = inputs.get("domainName", name)
    config = dict(inputs.get("domainNameConfiguration") or {})
    config.update({"targetDomainName": f"d-{digest(name, 10)}.execute-api.{region}.amazonaws.com",
                   "hostedZoneId": "Z1UJRXOUMOOFQ8"})
    return domain, {"domainNameConfiguration": config,
                    "arn": f"arn:aws:apigateway:{region}::/domainnames/{domain}"}


def _lambda_function(name, inputs, region):
    function = inputs.get("name") or _physical(name)
    arn = _arn("lambda", region, f"function:{function}")
    return function, {"arn": arn, "name": function, "qualifiedArn": f"{arn}:$LATEST", "version": "$LATEST",
                      "invokeArn": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"}


def _ecs_cluster(name, inputs, region):
    cluster = inputs.get("name") or _physical(name)
    arn = _arn("ecs", region, f"cluster/{cluster}")
    return arn, {"arn": arn, "name": cluster}


def _ecs_service(name, inputs, region):
    service = inputs.get("name") or _physical(name)
    cluster = str(inputs.get("cluster", "cluster")).rsplit("/", 1)[-1]
    arn = _arn("ecs", region, f"service/{cluster}/{service}")
    return arn, {"name": service}


def _task_definition(name, inputs, region):
    family = inputs.get("family") or _physical(name)
    arn = _arn("ecs", region, f"task-definition/{family}:1")
    return arn, {"arn": arn, "arnWithoutRevision": arn.rsplit(":", 1)[0], "revision": 1}


def _random_password(name, inputs, region):
    return f"{name}-none", {"result": digest(name + "secret", int(inputs.get("length", 32)) % 64 or 32),
                            "bcryptHash": "$2a$10$mock"}


def _distribution(name, inputs, region):
    resource_id = f"E{digest(name, 13).upper()}"
    return resource_id, {"arn": f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{resource_id}",
                         "domainName": f"d{digest(name, 13)}.cloudfront.net", "hostedZoneId": "Z2FDTNDATAQYW2",
                         "status": "Deployed"}


def _secret(name, inputs, region):
    arn = _arn("secretsmanager", region, f"secret:{_physical(name)}-{digest(name, 6)}")
    return arn, {"arn": arn}


def _ssm_parameter(name, inputs, region):
    physical = inputs.get("name") or _physical(name)
    return physical, {"name": physical, "arn": _arn("ssm", region, f"parameter{physical}"), "version": 1}


def _launch_template(name, inputs, region):
    resource_id, extra = _prefixed("lt", "ec2", "launch-template")(name, inputs, region)
    return resource_id, {**extra, "latestVersion": 1, "defaultVersion": 1}


def _node_group(name, inputs, region):
    group = inputs.get("nodeGroupName") or _physical(name)
    cluster = inputs.get("clusterName", "cluster")
    asg = f"eks-{group}-{digest(name + 'asg', 8)}"
    return f"{cluster}:{group}", {"nodeGroupName": group, "status": "ACTIVE",
                                  "arn": _arn("eks", region, f"nodegroup/{cluster}/{group}/{digest(name, 8)}"),
                                  "resources": [{"autoscalingGroups": [{"name": asg}], "remoteAccessSecurityGroupId": ""}]}


def _kms_key(name, inputs, region):
    key_id = f"{digest(name, 8)}-{digest(name + '1', 4)}-{digest(name + '2', 4)}-{digest(name + '3', 4)}-{digest(name + '4', 12)}"
    return key_id, {"keyId": key_id, "arn": _arn("kms", region, f"key/{key_id}")}


def _web_acl(name, inputs, region):
    acl_id = f"{digest(name, 8)}-{digest(name + 'w', 4)}"
    acl_name = inputs.get("name") or _physical(name)
    return acl_id, {"arn": _arn("wafv2", region, f"regional/webacl/{acl_name}/{acl_id}"), "capacity": 1000}


OUTPUTS = {
    "aws:ec2/vpc:Vpc": _prefixed("vpc", "ec2", "vpc"),
    "aws:ec2/subnet:Subnet": _prefixed("subnet", "ec2", "subnet"),
    "aws:ec2/internetGateway:InternetGateway": _prefixed("igw", "ec2", "internet-gateway"),
    "aws:ec2/routeTable:RouteTable": _prefixed("rtb", "ec2", "route-table"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _prefixed("rtbassoc", "ec2", "route-table-association"),
    "aws:ec2/route:Route": _prefixed("r-rtb", "ec2", "route"),
    "aws:ec2/natGateway:NatGateway": _prefixed("nat", "ec2", "natgateway"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _prefixed("vpce", "ec2", "vpc-endpoint"),
    "aws:ec2/securityGroup:SecurityGroup": _prefixed("sg", "ec2", "security-group"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _prefixed("sgr", "ec2", "security-group-rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _prefixed("sgr", "ec2", "security-group-rule"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:kms/key:Key": _kms_key,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:ec2/instance:Instance": _instance,
    "aws:ec2/eip:Eip": _eip,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/subnetGroup:SubnetGroup": _named("rds", "subgrp:"),
    "aws:rds/parameterGroup:ParameterGroup": _named("rds", "pg:"),
    "aws:s3/bucket:Bucket": _bucket,
    "aws:sns/topic:Topic": _topic,
    "aws:cloudwatch/logGroup:LogGroup": _named("logs", "log-group:"),
    # Step Functions ARNs are arn:aws:states:...:stateMachine:NAME (Service Authorization Reference, AWS Step Functions).
    "aws:sfn/stateMachine:StateMachine": _named("states", "stateMachine:"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named("cloudwatch", "alarm:"),
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/instanceProfile:InstanceProfile": _iam("instance-profile"),
    "aws:budgets/budget:Budget": _named("budgets", "budget/"),
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": lambda n, i, r: (i.get("certificateArn", n), {}),
    "aws:route53/record:Record": _record,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _prefixed("listener", "elasticloadbalancing", "listener/app"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/subnetGroup:SubnetGroup": _named("elasticache", "subnetgroup:"),
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:elasticache/user:User": _cache_user,
    "aws:elasticache/userGroup:UserGroup": _cache_user_group,
    "aws:backup/vault:Vault": _backup_vault,
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:apigatewayv2/domainName:DomainName": _api_domain,
    "aws:lambda/function:Function": _lambda_function,
    "aws:ecs/cluster:Cluster": _ecs_cluster,
    "aws:ecs/service:Service": _ecs_service,
    "aws:ecs/taskDefinition:TaskDefinition": _task_definition,
    "aws:backup/plan:Plan": _backup_plan,
    "random:index/randomPassword:RandomPassword": _random_password,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/originAccessControl:OriginAccessControl": _prefixed("E", "cloudfront", "origin-access-control"),
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:ssm/parameter:Parameter": _ssm_parameter,
}


def remote_component_outputs(args: pulumi.runtime.MockResourceArgs, region: str,
                              preview: bool) -> tuple[str, dict]:
    """Remote components (pulumi-eks) run in their provider; under mocks we must supply their outputs.

    At a first preview a new cluster's outputs are all unknown (the engine sends none). At an update, pulumi-eks's
    Cluster answers with the plain outputs a program reads: `kubeconfig` (an object), `kubeconfigJson` and
    `clusterSecurityGroupId`. `eksCluster` and `core` are resource references to the component's children, which
    the mocks cannot mint, so the program reads neither. What the mocks cannot show: those children
    (the aws:eks/cluster, its IAM role, security groups, access entries and addons) that a real preview hands to
    the pack, nor anything EKS does at runtime (node bootstrap, the VPC CNI's pod addresses, Pod Identity tokens);
    `tests/policies/cost/test_cost_estimator.py` prices that shape from a hand-built graph.
    """
    if preview:
        return "", dict(args.inputs)
    outputs = dict(args.inputs)
    if args.typ == "eks:index:Cluster":
        cluster = args.inputs.get("name") or _physical(args.name)
        endpoint = f"https://{digest(cluster, 32).upper()}.gr7.{region}.eks.amazonaws.com"
        kubeconfig = {
            "apiVersion": "v1", "kind": "Config", "current-context": "aws",
            "clusters": [{"name": "kubernetes", "cluster": {"server": endpoint,
                                                            "certificate-authority-data": "TU9DSw=="}}],
            "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
            "users": [{"name": "aws", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
                "args": ["eks", "get-token", "--cluster-name", cluster, "--output", "json"]}}}]}
        outputs.update({"kubeconfig": kubeconfig, "kubeconfigJson": json.dumps(kubeconfig),
                        "clusterSecurityGroupId": f"sg-{digest(cluster + 'cluster-sg')}"})
    return f"{args.name}-component", outputs
