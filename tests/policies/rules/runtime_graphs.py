"""The Fargate and Lambda runtimes' resources as passing graphs (the MVP plus the runtime's resources), linked as the
engine shows them in both modes, for the rule tests to break one thing at a time."""

from __future__ import annotations

import json

from conftest import extra_resource, find

from container_definitions import ACCOUNT, ECR_IMAGE, SECRET_ARN, containers

from .helpers import TAGS, known_or_unknown



def with_usage(mode, **extra):
    """The MVP's config with more usage declared (the runtimes' keys)."""
    usage = {**json.loads(mode.run.config["phasegate:usage"]), **extra}
    return {**mode.run.config, "phasegate:usage": json.dumps(usage)}


def ids(mode, *resources):
    return [known_or_unknown(mode, r.id or f"id-{r.name}") for r in resources]


def fargate(mode, graph, *, subnets=("acme-net-private-0", "acme-net-private-1"), public_ip=False, desired=1,
            definitions=None, strategy=None, arch="X86_64"):
    """The lead's Fargate shape: a cluster, a task definition, a service in private subnets linked to both, its log
    group, and CPU target tracking."""
    cluster = extra_resource("aws:ecs/cluster:Cluster", "acme-ecs", {
        "settings": [{"name": "containerInsights", "value": "disabled"}], "tags": TAGS})
    cluster.outputs["arn"] = known_or_unknown(mode, f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/acme")
    providers = extra_resource("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "acme-ecs-providers", {
        "clusterName": known_or_unknown(mode, "acme"), "capacityProviders": ["FARGATE", "FARGATE_SPOT"]})
    providers.property_dependencies["clusterName"] = [cluster.urn]
    logs = extra_resource("aws:cloudwatch/logGroup:LogGroup", "acme-web-ecs-logs", {
        "name": "/ecs/acme-web", "retentionInDays": 14, "tags": TAGS})
    task = extra_resource("aws:ecs/taskDefinition:TaskDefinition", "acme-web-task", {
        "family": "acme-web", "cpu": "256", "memory": "512", "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc", "runtimePlatform": {"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
        "containerDefinitions": definitions if definitions is not None else containers(), "tags": TAGS})
    task_arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/acme-web:1"
    task.outputs.update(arn=known_or_unknown(mode, task_arn), id=known_or_unknown(mode, task_arn))
    task.property_dependencies["containerDefinitions"] = [logs.urn]
    nets = [find(graph, name) for name in subnets]
    group = find(graph, "acme-web-sg")
    service = extra_resource("aws:ecs/service:Service", "acme-web-service", {
        "cluster": known_or_unknown(mode, cluster.outputs["arn"]), "desiredCount": desired,
        "taskDefinition": known_or_unknown(mode, task_arn),
        "capacityProviderStrategies": strategy or [{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
        "networkConfiguration": {"subnets": ids(mode, *nets), "securityGroups": ids(mode, group),
                                 "assignPublicIp": public_ip},
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}, "tags": TAGS})
    service.property_dependencies.update(cluster=[cluster.urn], taskDefinition=[task.urn],
                                         networkConfiguration=[n.urn for n in nets] + [group.urn])
    service.dependencies = [providers.urn]  # its strategy names providers the association must have added first
    target = extra_resource("aws:appautoscaling/target:Target", "acme-web-scaling", {
        "serviceNamespace": "ecs", "scalableDimension": "ecs:service:DesiredCount", "minCapacity": 1,
        "maxCapacity": 3, "resourceId": known_or_unknown(mode, "service/acme/acme-web"), "tags": TAGS})
    target.property_dependencies["resourceId"] = [cluster.urn, service.urn]
    policy = extra_resource("aws:appautoscaling/policy:Policy", "acme-web-cpu", {
        "policyType": "TargetTrackingScaling", "serviceNamespace": "ecs",
        "targetTrackingScalingPolicyConfiguration": {
            "targetValue": 60, "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}}})
    return [cluster, providers, logs, task, service, target, policy]


def serverless(mode, graph, *, subnets=("acme-net-private-0", "acme-net-private-1"), variables=None,
               permission=None, access_logs=True):
    """The lead's Lambda shape: a container-image function in the VPC, its log group (named from the function), an
    HTTP API with a stage, an integration, a route, and the permission API Gateway invokes it with."""
    nets = [find(graph, name) for name in subnets]
    group = find(graph, "acme-web-sg")
    function = extra_resource("aws:lambda/function:Function", "acme-fn", {
        "packageType": "Image", "imageUri": "ghcr.io/acme/web:1.4.2", "memorySize": 512, "timeout": 30,
        "architectures": ["arm64"], "reservedConcurrentExecutions": 10,
        "vpcConfig": {"subnetIds": ids(mode, *nets), "securityGroupIds": ids(mode, group)},
        "environment": {"variables": variables if variables is not None else {
            "NODE_ENV": "production", "DB_SECRET_ARN": known_or_unknown(mode, SECRET_ARN)}},
        "role": known_or_unknown(mode, f"arn:aws:iam::{ACCOUNT}:role/acme-fn"), "tags": TAGS})
    function.outputs.update(name=known_or_unknown(mode, "acme-fn-1a2b3c"),
                            arn=known_or_unknown(mode, f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:acme-fn-1a2b3c"))
    function.property_dependencies["vpcConfig"] = [n.urn for n in nets] + [group.urn]
    logs = extra_resource("aws:cloudwatch/logGroup:LogGroup", "acme-fn-logs", {
        "name": known_or_unknown(mode, "/aws/lambda/acme-fn-1a2b3c"), "retentionInDays": 14, "tags": TAGS})
    logs.property_dependencies["name"] = [function.urn]
    api = extra_resource("aws:apigatewayv2/api:Api", "acme-api", {"protocolType": "HTTP", "tags": TAGS})
    api.outputs.update(id=known_or_unknown(mode, "a1b2c3"),
                       executionArn=known_or_unknown(mode, f"arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3"))
    api_logs = extra_resource("aws:cloudwatch/logGroup:LogGroup", "acme-api-logs", {
        "retentionInDays": 14, "tags": TAGS})
    stage = extra_resource("aws:apigatewayv2/stage:Stage", "acme-api-stage", {
        "apiId": known_or_unknown(mode, "a1b2c3"), "name": "$default", "autoDeploy": True, "tags": TAGS,
        **({"accessLogSettings": {"destinationArn": known_or_unknown(mode, "arn:aws:logs:us-east-1:1:log-group:x"),
                                  "format": "$context.requestId"}} if access_logs else {})})
    integration = extra_resource("aws:apigatewayv2/integration:Integration", "acme-api-fn", {
        "apiId": known_or_unknown(mode, "a1b2c3"), "integrationType": "AWS_PROXY",
        "integrationUri": function.outputs["arn"], "payloadFormatVersion": "2.0"})
    route = extra_resource("aws:apigatewayv2/route:Route", "acme-api-route", {
        "apiId": known_or_unknown(mode, "a1b2c3"), "routeKey": "$default"})
    allow = extra_resource("aws:lambda/permission:Permission", "acme-fn-from-api", permission or {
        "action": "lambda:InvokeFunction", "function": function.outputs["name"], "principal": "apigateway.amazonaws.com",
        "sourceArn": known_or_unknown(mode, f"arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3/*/*")})
    return [function, logs, api, api_logs, stage, integration, route, allow]


LAMBDA_USAGE = {"lambdaAvgDurationMs": 200}
