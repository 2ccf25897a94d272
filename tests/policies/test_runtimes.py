"""The Fargate and Lambda runtimes in the pack: their resources priced (golden, by hand from the catalog) and judged
over gRPC in both modes (a first preview with ids and ARNs unknown and property dependencies known, and an update),
from a passing graph (the MVP plus the runtime's resources), one break per test."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, find, set_prop
from offline.analyzer import evaluate
from phasegate_policies.cost import PricedResource, Usage, estimate, parse_usage

TAGS = {"phasegate:phase": "mvp", "phasegate:stack": "mvp", "phasegate:app": "acme"}
ACCOUNT = "123456789012"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/acme/web:1.4.2"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:acme/db-AbCdEf"
NOT_COSTED = {"cost-ceiling": "disabled", "cost-coverage": "disabled"}


def check(mode, resources, config=None, pack_config=None):
    return evaluate(resources, stack="mvp", project="phasegate", config=config or mode.run.config,
                    pack_config=pack_config, preview=mode.preview)


def messages(evaluation, policy):
    return [v.message.split("\n", 1)[1] for v in evaluation.violations if v.policy == policy]


def known_or_unknown(mode, value):
    return UNKNOWN_STRING_VALUE if mode.preview else value


def with_usage(mode, **extra):
    """The MVP's config with more usage declared (the runtimes' keys)."""
    usage = {**json.loads(mode.run.config["phasegate:usage"]), **extra}
    return {**mode.run.config, "phasegate:usage": json.dumps(usage)}


def ids(mode, *resources):
    return [known_or_unknown(mode, r.id or f"id-{r.name}") for r in resources]


def containers(image="ghcr.io/acme/web:1.4.2", environment=None, secrets=None, log_group="/ecs/acme-web"):
    return json.dumps([{
        "name": "web", "image": image, "essential": True, "portMappings": [{"containerPort": 3000}],
        "environment": [{"name": k, "value": v} for k, v in (environment or {"NODE_ENV": "production"}).items()],
        "secrets": secrets if secrets is not None else [{"name": "DATABASE_PASSWORD", "valueFrom": SECRET_ARN}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": log_group,
                                                                 "awslogs-region": "us-east-1"}}}])


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


def test_a_fargate_service_in_private_subnets_passes_every_policy_and_is_priced(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    assert check(mode, graph + runtime).violations == []
    # 1 task of 0.25 vCPU and 0.5 GB: 730 x (0.25 x $0.04048 + 0.5 x $0.004445) = $9.01, on top of the MVP's $35.91;
    # the policy's two alarms fit in the always-free ten (the MVP uses eight).
    tight = check(mode, graph + runtime, pack_config={"cost-ceiling": {"ceilings": {"mvp": 40}}})
    assert messages(tight, "cost-ceiling")[0].startswith("Estimated $44.92/month exceeds the mvp ceiling of $40.00")


def test_fargate_spot_and_arm64_are_priced_through_the_link_at_a_first_preview(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph, desired=3, arch="ARM64", strategy=[
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 3}])
    evaluation = check(mode, graph + runtime, pack_config={"cost-ceiling": {"ceilings": {"mvp": 40}}})
    # 3 ARM tasks (1 FARGATE base, then 2 at weight 3:1 -> 0.5 FARGATE + 1.5 FARGATE_SPOT, Spot at on-demand):
    # 3 x 730 x (0.25 x $0.03238 + 0.5 x $0.00356) = $21.63; with the MVP's $35.91 = $57.54.
    assert messages(evaluation, "cost-ceiling")[0].startswith("Estimated $57.54/month exceeds")


@pytest.mark.parametrize("change, expected", [
    ({"public_ip": True}, ["The ECS service acme-web-service gives its tasks public IPs (assign_public_ip=True): set it "
                           "to False and reach the internet through NAT or VPC endpoints."]),
    ({"public_ip": UNKNOWN_STRING_VALUE}, ["The ECS service acme-web-service's assign_public_ip is unknown at preview: "
                                           "set it to a literal False."]),
    ({"subnets": ("acme-net-public-0", "acme-net-private-1")},
     ["The ECS service acme-web-service uses public subnet(s) acme-net-public-0: use private subnets only (no route "
      "to an internet gateway)."]),
])
def test_a_public_task_is_a_violation(mode, change, expected):
    graph = mode.graph()
    evaluation = check(mode, graph + fargate(mode, graph, **change), pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == expected
    assert {v.level for v in evaluation.violations} == {"mandatory"}


def test_a_service_whose_subnets_are_not_of_this_stack_cannot_be_shown_private(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    service = find(runtime, "acme-web-service")
    service.property_dependencies["networkConfiguration"] = []
    set_prop(service, "networkConfiguration.subnets", ["subnet-elsewhere"])
    assert messages(check(mode, graph + runtime, pack_config=NOT_COSTED), "private-subnets") == [
        "The ECS service acme-web-service uses subnets that cannot be shown to be private at preview (their ids are "
        "unknown and not linked to subnets of this stack)."]


@pytest.mark.parametrize("environment, expected", [
    ({"DB_PASSWORD": "hunter2"}, ["acme-web-task: container web has DB_PASSWORD as a plaintext environment value: move "
                                  "it to the container's secrets (valueFrom a Secrets Manager ARN), so it never sits in "
                                  "the task definition or Pulumi state."]),
    ({"stripe_api_key": "sk_live_1"}, ["acme-web-task: container web has stripe_api_key as a plaintext environment "
                                       "value: move it to the container's secrets (valueFrom a Secrets Manager ARN), so "
                                       "it never sits in the task definition or Pulumi state."]),
    ({"DB_SECRET_ARN": SECRET_ARN, "TOKEN_PARAM": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/acme/token"}, []),
    ({"SESSION_TOKEN_TTL": ""}, []),
    ({"NODE_ENV": "production", "LOG_LEVEL": "info"}, []),
])
def test_no_secret_looking_value_in_a_task_definitions_plaintext_environment(mode, environment, expected):
    graph = mode.graph()
    evaluation = check(mode, graph + fargate(mode, graph, definitions=containers(environment=environment)),
                       pack_config=NOT_COSTED)
    assert messages(evaluation, "no-plaintext-secrets") == expected
    assert {v.level for v in evaluation.violations} <= {"mandatory"}


def test_allowed_names_pass_and_an_unreadable_definition_fails_closed(mode):
    graph = mode.graph()
    allowed = check(mode, graph + fargate(mode, graph, definitions=containers(environment={"CACHE_KEY_PREFIX": "v1:"})),
                    pack_config={**NOT_COSTED, "no-plaintext-secrets": {"allowNames": ["cache_key_prefix"]}})
    assert messages(allowed, "no-plaintext-secrets") == []
    broken = check(mode, graph + fargate(mode, graph, definitions="[{not json"), pack_config=NOT_COSTED)
    [message] = messages(broken, "no-plaintext-secrets")
    assert message.startswith("acme-web-task's containerDefinitions is not valid JSON")


def test_a_container_definition_unknown_at_preview_holds_no_literal(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph, definitions=UNKNOWN_STRING_VALUE)
    evaluation = check(mode, graph + runtime, config=with_usage(mode, ecrStorageGb=0), pack_config={
        "cost-ceiling": {"ceilings": {"mvp": 100}}})
    assert messages(evaluation, "no-plaintext-secrets") == []
    assert evaluation.mandatory_failures == []
    # Without ecrStorageGb the same graph cannot be priced: its images may be in ECR.
    unknown = check(mode, graph + runtime, pack_config={"cost-ceiling": {"ceilings": {"mvp": 100}}})
    assert messages(unknown, "cost-ceiling") == [
        "Cannot show that the stack fits its $100.00 ceiling: acme-web-task (aws:ecs/taskDefinition:TaskDefinition) "
        "cannot be priced because its containerDefinitions is unknown at preview, so whether its images are stored in "
        "ECR (billed per GB-month) cannot be told: declare phasegate:usage.ecrStorageGb (0 if no image is in ECR)."]


def test_an_ecr_image_needs_declared_storage_and_its_repository_is_judged(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph, definitions=containers(image=ECR_IMAGE))
    repository = extra_resource("aws:ecr/repository:Repository", "acme-web-repo", {
        "imageTagMutability": "MUTABLE", "tags": TAGS})
    undeclared = check(mode, graph + runtime + [repository], pack_config={"cost-ceiling": {"ceilings": {"mvp": 100}}})
    assert messages(undeclared, "cost-ceiling") == [
        "Cannot show that the stack fits its $100.00 ceiling: acme-web-task (aws:ecs/taskDefinition:TaskDefinition) "
        f"cannot be priced because its image {ECR_IMAGE} is stored in ECR, billed per GB-month, and "
        "phasegate:usage.ecrStorageGb is not declared: declare the GB the stack's images take.",
        "Cannot show that the stack fits its $100.00 ceiling: acme-web-repo (aws:ecr/repository:Repository) cannot be "
        "priced because its images are billed per GB-month and phasegate:usage.ecrStorageGb is not declared: declare "
        "the GB the stack's images take."]
    declared = check(mode, graph + runtime + [repository], config=with_usage(mode, ecrStorageGb=3),
                     pack_config={"cost-ceiling": {"ceilings": {"mvp": 40}}})
    # $44.92 + 3 GB x $0.10.
    assert messages(declared, "cost-ceiling")[0].startswith("Estimated $45.22/month exceeds")
    assert messages(declared, "ecr-image-hygiene") == [
        "ECR repository acme-web-repo does not scan images on push: set image_scanning_configuration scan_on_push=True, "
        "so known vulnerabilities show before an image runs.",
        "ECR repository acme-web-repo lets a push overwrite a tag (image_tag_mutability MUTABLE): set it to IMMUTABLE, "
        "so a deployed tag always means the same image."]
    assert {v.level for v in declared.violations if v.policy == "ecr-image-hygiene"} == {"advisory"}
    assert messages(declared, "encryption-at-rest") == []  # ECR encrypts with AES256 by default
    set_prop(repository, "imageTagMutability", "IMMUTABLE")
    set_prop(repository, "imageScanningConfiguration", {"scanOnPush": True})
    assert messages(check(mode, graph + runtime + [repository], config=with_usage(mode, ecrStorageGb=3)),
                    "ecr-image-hygiene") == []


def test_container_insights_on_fails_the_ceiling_closed_unless_accepted(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    set_prop(find(runtime, "acme-ecs"), "settings", [{"name": "containerInsights", "value": "enabled"}])
    [message] = messages(check(mode, graph + runtime), "cost-ceiling")
    assert message.startswith("Cannot show that the stack fits its $45.00 ceiling: acme-ecs (aws:ecs/cluster:Cluster) "
                              "has Container Insights 'enabled': its custom metrics and performance log events are "
                              "billed per cluster, service and task")
    accepted = check(mode, graph + runtime, pack_config={"cost-ceiling": {"allowUnpriced": ["aws:ecs/cluster:Cluster"]}})
    assert accepted.mandatory_failures == []


def test_a_task_logging_to_a_group_the_stack_does_not_declare_is_warned(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph, definitions=containers(log_group="/ecs/elsewhere"))
    find(runtime, "acme-web-task").property_dependencies["containerDefinitions"] = []
    evaluation = check(mode, graph + runtime, pack_config=NOT_COSTED)
    assert messages(evaluation, "log-retention") == [
        "Task definition acme-web-task: container web logs to /ecs/elsewhere, which is not a log group of this stack, "
        "so its retention cannot be shown (awslogs-create-group makes one that keeps logs forever): declare it with "
        "retention_in_days."]
    assert evaluation.mandatory_failures == []


def test_runtime_resources_carry_the_required_tags(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    set_prop(find(runtime, "acme-web-service"), "tags", {"Name": "web"})
    assert messages(check(mode, graph + runtime, pack_config=NOT_COSTED), "required-tags") == [
        "acme-web-service lacks tag(s) phasegate:phase, phasegate:stack, phasegate:app: cost allocation and ownership "
        "need them."]


# --- Lambda behind an HTTP API ------------------------------------------------------------------------------------

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


def test_a_lambda_function_behind_an_http_api_passes_every_policy_and_is_priced(mode):
    graph = mode.graph()
    evaluation = check(mode, graph + serverless(mode, graph), config=with_usage(mode, **LAMBDA_USAGE))
    assert evaluation.violations == []
    # 300,000 requests (within the free 1 M) of 200 ms at 512 MB = 30,000 GB-s (within the free 400,000): $0; the API's
    # 0.3 M requests x $1.00 = $0.30; on top of the MVP's $35.91.
    tight = check(mode, graph + serverless(mode, graph), config=with_usage(mode, **LAMBDA_USAGE),
                  pack_config={"cost-ceiling": {"ceilings": {"mvp": 30}}})
    assert messages(tight, "cost-ceiling")[0].startswith("Estimated $36.21/month exceeds")


def test_a_function_without_a_declared_duration_fails_the_ceiling_closed(mode):
    graph = mode.graph()
    assert messages(check(mode, graph + serverless(mode, graph)), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: acme-fn (aws:lambda/function:Function) cannot be priced "
        "because its duration is priced from phasegate:usage.lambdaAvgDurationMs, which is not declared: declare the "
        "average duration per request in ms."]


@pytest.mark.parametrize("change, expected", [
    ({"subnets": ("acme-net-public-0",)}, [
        "The Lambda function acme-fn uses public subnet(s) acme-net-public-0: use private subnets only (no route to an "
        "internet gateway)."]),
    ({"permission": {"action": "lambda:InvokeFunction", "function": "acme-fn", "principal": "*"}}, [
        "Lambda permission acme-fn-from-api lets principal '*' invoke the function with no source_arn, so anyone can: "
        "name the service principal (apigateway.amazonaws.com) and the source_arn of the API."]),
    ({"permission": {"action": "lambda:InvokeFunction", "function": "acme-fn", "principal": "*",
                     "sourceArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3/*/*"}}, []),
])
def test_a_public_function_is_a_violation(mode, change, expected):
    graph = mode.graph()
    evaluation = check(mode, graph + serverless(mode, graph, **change), pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == expected
    assert {v.level for v in evaluation.violations} <= {"mandatory"}


@pytest.mark.parametrize("authorization, expected", [
    ("NONE", ["Lambda function URL acme-fn-url has authorization_type NONE, so anyone on the internet can invoke the "
              "function: use 'AWS_IAM', or serve it through API Gateway."]),
    ("AWS_IAM", []),
])
def test_a_function_url_without_authorization_is_a_public_function(mode, authorization, expected):
    graph = mode.graph()
    url = extra_resource("aws:lambda/functionUrl:FunctionUrl", "acme-fn-url", {
        "functionName": known_or_unknown(mode, "acme-fn-1a2b3c"), "authorizationType": authorization})
    evaluation = check(mode, graph + serverless(mode, graph) + [url], pack_config=NOT_COSTED)
    assert messages(evaluation, "private-subnets") == expected


@pytest.mark.parametrize("variables, expected", [
    ({"API_TOKEN": "t0k3n"}, ["acme-fn: environment variable API_TOKEN holds a plaintext value: keep the secret in "
                              "Secrets Manager and pass its ARN (e.g. API_TOKEN_ARN), read by the function at start."]),
    ({"DB_SECRET_ARN": SECRET_ARN, "JWT_KEY": UNKNOWN_STRING_VALUE}, []),  # a reference, and a computed value
])
def test_no_secret_looking_value_in_a_functions_plaintext_environment(mode, variables, expected):
    graph = mode.graph()
    evaluation = check(mode, graph + serverless(mode, graph, variables=variables), pack_config=NOT_COSTED)
    assert messages(evaluation, "no-plaintext-secrets") == expected


def test_an_api_stage_without_access_logs_is_advised(mode):
    graph = mode.graph()
    evaluation = check(mode, graph + serverless(mode, graph, access_logs=False), config=with_usage(mode, **LAMBDA_USAGE))
    assert messages(evaluation, "api-access-logging") == [
        "API stage acme-api-stage keeps no access log: set access_log_settings with a CloudWatch log group "
        "(destination_arn, with a retention) and a format, so every request can be traced."]
    assert evaluation.mandatory_failures == []
    quiet = check(mode, graph + serverless(mode, graph, access_logs=False), config=with_usage(mode, **LAMBDA_USAGE),
                  pack_config={"api-access-logging": {"ignoreStages": ["$default"]}})
    assert messages(quiet, "api-access-logging") == []


def test_a_function_whose_log_group_lambda_creates_is_warned(mode):
    graph = mode.graph()
    runtime = [r for r in serverless(mode, graph) if r.name != "acme-fn-logs"]
    assert messages(check(mode, graph + runtime, pack_config=NOT_COSTED), "log-retention") == [
        "Lambda function acme-fn writes to the log group Lambda creates (/aws/lambda/<function name>), which keeps logs "
        "forever: declare that log group with retention_in_days, or set logging_config log_group to one of this "
        "stack's."]


# --- golden prices (in-process, as the pack prices them) ------------------------------------------------------------

def node(typ, name, props, *, deps=None, outputs=None, region="us-east-1"):
    return PricedResource.from_engine(urn=f"urn:{typ}::{name}", type=typ, name=name, props=props, default_region=region,
                                      property_dependencies=deps or {}, outputs=outputs if outputs is not None else props)


def lines(result):
    return [(line.name, line.item, round(line.monthly_usd, 4)) for line in result.lines]


USAGE_BASE = {"gbServedPerMonth": 0, "requestsPerMonth": 0, "assetsStorageGb": 0, "logsGbPerMonth": 0}


def usage(**values):
    return parse_usage({**USAGE_BASE, **values})[0]


def task_and_service(*, cpu="1024", memory="2048", arch="X86_64", region="us-east-1", **service):
    task = node("aws:ecs/taskDefinition:TaskDefinition", "task", {
        "cpu": cpu, "memory": memory, "runtimePlatform": {"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
        "containerDefinitions": containers()}, region=region)
    svc = node("aws:ecs/service:Service", "svc", {"taskDefinition": UNKNOWN_STRING_VALUE, **service},
               deps={"taskDefinition": [task.urn]}, region=region)
    return [task, svc]


def test_fargate_prices_vcpu_and_memory_per_task_split_by_the_strategy():
    strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 2}, {"capacityProvider": "FARGATE_SPOT", "weight": 3}]
    result = estimate(task_and_service(desiredCount=6, capacityProviderStrategies=strategy), Usage(), "us-east-1")
    spot = " (FARGATE_SPOT charged at the on-demand price, an upper bound: Spot prices vary)"
    where = "(desired count, its capacity provider strategy; task definition task, X86_64)"
    # 2 base + 1 of the remaining 4 on FARGATE, 3 on FARGATE_SPOT; 1 vCPU x $0.04048 and 2 GB x $0.004445 an hour each.
    assert lines(result) == [
        ("svc", f"3 x FARGATE task {where}: 1 vCPU, 730 h x $0.04048", 88.6512),
        ("svc", f"3 x FARGATE task {where}: 2 GB memory, 730 h x $0.004445", 19.4691),
        ("svc", f"3 x FARGATE_SPOT task {where}{spot}: 1 vCPU, 730 h x $0.04048", 88.6512),
        ("svc", f"3 x FARGATE_SPOT task {where}{spot}: 2 GB memory, 730 h x $0.004445", 19.4691)]
    frankfurt = estimate(task_and_service(region="eu-central-1", desiredCount=1, launchType="FARGATE"), Usage(),
                         "eu-central-1")
    assert round(frankfurt.total, 2) == round(730 * (0.04656 + 2 * 0.00511), 2) == 41.45


def test_fargate_arm64_is_priced_where_sourced_and_unpriced_elsewhere():
    arm = estimate(task_and_service(arch="ARM64", desiredCount=2, launchType="FARGATE"), Usage(), "us-east-1")
    assert round(arm.total, 2) == round(2 * 730 * (0.03238 + 2 * 0.00356), 2) == 57.67
    oregon = estimate(task_and_service(arch="ARM64", region="us-west-2", desiredCount=2, launchType="FARGATE"),
                      Usage(), "us-west-2")
    assert oregon.unpriced == [("urn:aws:ecs/service:Service::svc", "aws:ecs/service:Service",
                                "no fargateArmVcpuHour price for region us-west-2")]


def test_a_fargate_service_fails_closed_on_what_it_cannot_price():
    cases = {
        "launchType EC2": ({"launchType": "EC2"}, "runs on the EC2 launch type: phasegate prices ECS services on "
                                                  "Fargate only"),
        "no strategy": ({}, "sets neither a launch type nor a capacity provider strategy, and its cluster's default "
                            "strategy is not in this stack: ECS would use the EC2 launch type"),
        "asg provider": ({"capacityProviderStrategies": [{"capacityProvider": "asg-nodes", "weight": 1}]},
                         "uses capacity provider asg-nodes: phasegate prices FARGATE and FARGATE_SPOT only"),
    }
    for label, (props, reason) in cases.items():
        result = estimate(task_and_service(desiredCount=1, **props), Usage(), "us-east-1")
        assert result.unpriced == [("urn:aws:ecs/service:Service::svc", "aws:ecs/service:Service", reason)], label
    unknown = estimate(task_and_service(cpu=UNKNOWN_STRING_VALUE, desiredCount=1, launchType="FARGATE"), Usage(),
                       "us-east-1")
    assert unknown.unknown == [("urn:aws:ecs/service:Service::svc", "aws:ecs/service:Service",
                                "task definition task cpu is unknown at preview")]
    public = estimate(task_and_service(desiredCount=2, launchType="FARGATE",
                                       networkConfiguration={"assignPublicIp": True}), Usage(), "us-east-1")
    assert lines(public)[-1] == ("svc", "2 public IPv4 addresses (assignPublicIp, one per task)", 7.3)


def test_the_cluster_default_strategy_and_an_autoscaling_minimum_set_the_tasks():
    cluster = node("aws:ecs/cluster:Cluster", "cl", {"settings": [{"name": "containerInsights", "value": "disabled"}]})
    providers = node("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cp", {
        "clusterName": UNKNOWN_STRING_VALUE, "defaultCapacityProviderStrategies": [
            {"capacityProvider": "FARGATE_SPOT", "weight": 1}]}, deps={"clusterName": [cluster.urn]})
    task, svc = task_and_service(cpu="256", memory="512", desiredCount=1, cluster=UNKNOWN_STRING_VALUE)
    svc = PricedResource(svc.urn, svc.type, svc.name, svc.props, svc.region,
                         dependencies={**svc.dependencies, "cluster": (cluster.urn,)})
    target = node("aws:appautoscaling/target:Target", "scale", {"minCapacity": 2, "maxCapacity": 4,
                                                                "resourceId": UNKNOWN_STRING_VALUE},
                  deps={"resourceId": [cluster.urn, svc.urn]})
    result = estimate([cluster, providers, task, svc, target], Usage(), "us-east-1")
    assert [item for _, item, _ in lines(result)][0].startswith(
        "2 x FARGATE_SPOT task (autoscaling target scale's minimum capacity, cluster default strategy (cp); ")
    assert round(result.total, 2) == round(2 * 730 * (0.25 * 0.04048 + 0.5 * 0.004445), 2) == 18.02


def test_target_tracking_policies_bill_two_alarms_each_within_the_free_ten():
    policies = [node("aws:appautoscaling/policy:Policy", f"p{i}", {"policyType": "TargetTrackingScaling"})
                for i in range(6)]
    step = node("aws:appautoscaling/policy:Policy", "step", {"policyType": "StepScaling"})
    result = estimate(policies + [step], Usage(), "us-east-1")
    assert lines(result)[0] == ("p0", "2 target-tracking alarms (high and low, created by Application Auto Scaling)",
                                0.2)
    # 12 alarms, the first 10 free.
    assert lines(result)[-1] == ("(stack usage)", "always-free: first 10 alarm metrics (12 used)", -1.0)
    assert result.total == 0.2


def test_lambda_requests_and_gb_seconds_after_the_always_free_allowance():
    fn = node("aws:lambda/function:Function", "fn", {"packageType": "Image", "imageUri": "ghcr.io/acme/web:1",
                                                     "memorySize": 1024, "architectures": ["x86_64"]})
    result = estimate([fn], usage(requestsPerMonth=5_000_000, lambdaAvgDurationMs=100), "us-east-1")
    # 5 M requests x $0.20/M = $1.00; 5 M x 0.1 s x 1 GB = 500,000 GB-s x $0.0000166667 = $8.33; free: 1 M requests
    # ($0.20) and 400,000 GB-s ($6.67).
    assert lines(result) == [
        ("fn", "5e+06 requests (all of phasegate:usage.requestsPerMonth, an upper bound if functions share them)", 1.0),
        ("fn", "500000 GB-seconds at 1024 MB, x86_64 (all of phasegate:usage.requestsPerMonth x lambdaAvgDurationMs)",
         8.3334),
        ("(stack usage)", "always-free: first 1e+06 Lambda requests", -0.2),
        ("(stack usage)", "always-free: first 400000 Lambda GB-seconds", -6.6667)]
    assert result.total == 2.47
    arm = estimate([node(fn.type, "fn", {**fn.props, "architectures": ["arm64"]})],
                   usage(requestsPerMonth=5_000_000, lambdaAvgDurationMs=100), "us-east-1")
    assert lines(arm)[1][2] == round(500_000 * 0.0000133334, 4) == 6.6667


def test_lambda_reserved_concurrency_caps_the_gb_seconds_and_the_duration_must_be_declared():
    fn = node("aws:lambda/function:Function", "fn", {"memorySize": 512, "reservedConcurrentExecutions": 1})
    capped = estimate([fn], usage(requestsPerMonth=1e9, lambdaAvgDurationMs=1000), "us-east-1")
    # 1 concurrent execution x 730 h x 3600 s x 0.5 GB = 1,314,000 GB-s, not 500,000,000.
    assert lines(capped)[1] == ("fn", "1.314e+06 GB-seconds at 512 MB, x86_64 (capped by its reserved concurrency of 1 "
                                      "running all month)", 21.9)
    missing = estimate([fn], usage(requestsPerMonth=1000), "us-east-1")
    assert missing.unknown == [("urn:aws:lambda/function:Function::fn", "aws:lambda/function:Function",
                                "duration is priced from phasegate:usage.lambdaAvgDurationMs, which is not declared: "
                                "declare the average duration per request in ms")]
    managed = estimate([node(fn.type, "fn", {"capacityProviderConfig": {"lambdaManagedInstancesCapacityProviderConfig":
                                                                         {"capacityProviderArn": "arn"}}})],
                       usage(lambdaAvgDurationMs=10), "us-east-1")
    assert managed.unpriced[0][2].startswith("runs on Lambda Managed Instances")


def test_http_api_requests_and_its_responses_as_internet_egress():
    api = node("aws:apigatewayv2/api:Api", "api", {"protocolType": "HTTP"})
    result = estimate([api], usage(requestsPerMonth=12_000_000, gbServedPerMonth=150), "us-east-1")
    assert lines(result) == [
        ("api", "12 M HTTP API requests (phasegate:usage.requestsPerMonth)", 12.0),
        ("(stack usage)", "150 GB data transfer out to the internet", 13.5),
        ("(stack usage)", "always-free: first 100 GB out", -9.0)]
    websocket = estimate([node(api.type, "ws", {"protocolType": "WEBSOCKET"})], Usage(), "us-east-1")
    assert websocket.unpriced[0][2] == "is a WEBSOCKET API: phasegate prices HTTP APIs only"
    frankfurt = estimate([node(api.type, "api", {"protocolType": "HTTP"}, region="eu-central-1")], Usage(),
                         "eu-central-1")
    assert frankfurt.unpriced[0][2] == "no apiGatewayHttpMillionRequests price for region eu-central-1"


def test_interface_endpoints_bill_per_az_hour_and_share_the_declared_gigabytes():
    endpoints = [node("aws:ec2/vpcEndpoint:VpcEndpoint", name, {
        "vpcEndpointType": "Interface", "serviceName": f"com.amazonaws.us-east-1.{name}",
        "subnetIds": [UNKNOWN_STRING_VALUE, UNKNOWN_STRING_VALUE]}) for name in ("ecr.api", "ecr.dkr")]
    gateway = node("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"vpcEndpointType": "Gateway"})
    result = estimate(endpoints + [gateway], usage(endpointGbPerMonth=40), "us-east-1")
    assert lines(result) == [
        ("ecr.api", "interface endpoint in 2 AZ(s)", 14.6),
        ("ecr.api", "20 GB processed (phasegate:usage.endpointGbPerMonth / 2 interface endpoints)", 0.2),
        ("ecr.dkr", "interface endpoint in 2 AZ(s)", 14.6),
        ("ecr.dkr", "20 GB processed (phasegate:usage.endpointGbPerMonth / 2 interface endpoints)", 0.2)]
    ohio = estimate([node(endpoints[0].type, "logs", endpoints[0].props, region="us-east-2")],
                    usage(endpointGbPerMonth=5), "us-east-2")
    assert ohio.unpriced[0][2] == "no vpcInterfaceEndpointGb price for region us-east-2"


def test_rds_proxy_bills_the_vcpus_of_the_instance_its_target_names_at_least_two():
    db = node("aws:rds/instance:Instance", "db", {"instanceClass": "db.r6g.large", "allocatedStorage": 20,
                                                   "storageType": "gp3", "multiAz": True})
    proxy = node("aws:rds/proxy:Proxy", "proxy", {"engineFamily": "POSTGRESQL"})
    target = node("aws:rds/proxyTarget:ProxyTarget", "target", {
        "dbProxyName": UNKNOWN_STRING_VALUE, "dbInstanceIdentifier": UNKNOWN_STRING_VALUE, "targetGroupName": "default"},
        deps={"dbProxyName": [proxy.urn], "dbInstanceIdentifier": [db.urn]})
    result = estimate([db, proxy, target], Usage(), "us-east-1")
    # db.r6g.large has 2 vCPUs; Multi-AZ counts the standby too: 4 x $0.015 x 730.
    assert [line for line in lines(result) if line[0] == "proxy"] == [
        ("proxy", "4 vCPUs x 730 h for db (2 vCPUs of db.r6g.large, its Multi-AZ standby counted too (an upper "
                  "bound))", 43.8)]
    alone = estimate([proxy], Usage(), "us-east-1")
    assert alone.unpriced[0][2].startswith("no proxy target of this stack names it")


def test_ecr_storage_is_priced_once_for_the_stack_and_container_insights_fails_closed():
    repos = [node("aws:ecr/repository:Repository", name, {"imageTagMutability": "IMMUTABLE"}) for name in ("a", "b")]
    result = estimate(repos, usage(ecrStorageGb=12), "us-east-1")
    assert lines(result) == [("a", "12 GB ECR image storage (phasegate:usage.ecrStorageGb)", 1.2)]
    fn = node("aws:lambda/function:Function", "fn", {"packageType": "Image", "imageUri": ECR_IMAGE})
    via_function = estimate([fn], usage(ecrStorageGb=4, lambdaAvgDurationMs=50), "us-east-1")
    assert ("fn", "4 GB ECR image storage (phasegate:usage.ecrStorageGb)", 0.4) in lines(via_function)
    insights = estimate([node("aws:ecs/cluster:Cluster", "cl", {})], Usage(), "us-east-1")
    assert insights.unpriced[0][2].startswith("does not set containerInsights, so the account's default applies")
    off = estimate([node("aws:ecs/cluster:Cluster", "cl", {"settings": [{"name": "containerInsights",
                                                                         "value": "disabled"}]})], Usage(), "us-east-1")
    assert off.lines == [] and off.unpriced == []


def test_an_aws_service_event_rule_is_free_and_a_standard_state_machine_bills_its_transitions():
    pattern = json.dumps({"source": ["aws.secretsmanager"], "detail": {"eventName": ["RotationSucceeded"]}})
    rule = node("aws:cloudwatch/eventRule:EventRule", "on-rotation", {"eventPattern": pattern})
    target = node("aws:cloudwatch/eventTarget:EventTarget", "on-rotation", {"arn": UNKNOWN_STRING_VALUE})
    machine = node("aws:sfn/stateMachine:StateMachine", "restart", {"type": "STANDARD", "definition": "{}"})
    result = estimate([rule, target, machine], usage(stateTransitionsPerMonth=10_000), "us-east-1")
    # 10,000 transitions x $0.025 per 1,000, the first 4,000 always free.
    assert lines(result) == [("restart", "10000 state transitions (phasegate:usage.stateTransitionsPerMonth)", 0.25),
                             ("(stack usage)", "always-free: first 4000 state transitions", -0.1)]
    assert result.unpriced == [] and result.unknown == []
    undeclared = estimate([machine], Usage(), "us-east-1")
    assert undeclared.unknown[0][2].startswith("state transitions are priced from "
                                               "phasegate:usage.stateTransitionsPerMonth, which is not declared")
    custom = estimate([node(rule.type, "custom", {"eventPattern": json.dumps({"source": ["acme.orders"]})})],
                      Usage(), "us-east-1")
    assert custom.unpriced[0][2].startswith("matches events other than AWS services' on the default bus")
