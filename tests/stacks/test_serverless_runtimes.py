"""The fargate and lambda runtimes' graphs under mocks, from the shipped examples Pulumi.lean.yaml (ECS Fargate
behind an ALB) and Pulumi.serverless.yaml (Lambda behind an API Gateway HTTP API), and the config they refuse."""

from __future__ import annotations

import json

import pytest

from conftest import DELETE, find, run_with, set_prop, stack_values
from offline.program import ProgramError, run_program

SERVICE, TASK, FUNCTION = "aws:ecs/service:Service", "aws:ecs/taskDefinition:TaskDefinition", "aws:lambda/function:Function"


@pytest.fixture(scope="module")
def lean():
    return run_program("lean")


@pytest.fixture(scope="module")
def serverless():
    return run_program("serverless")


def private_subnets(run) -> set[str]:
    return {s.id for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "private"}


def containers(task) -> list[dict]:
    return json.loads(task.inputs["containerDefinitions"])


# --- fargate ---------------------------------------------------------------------------------------------------

def test_each_service_runs_in_private_subnets_without_a_public_ip_behind_its_own_target_group(lean):
    services = {s.name: s.inputs for s in lean.of_type(SERVICE)}
    assert set(services) == {"precedentum-ecs-svc-web-service", "precedentum-ecs-svc-api-service"}
    groups = {g.name: g for g in lean.of_type("aws:lb/targetGroup:TargetGroup")}
    for name, service in services.items():
        network = service["networkConfiguration"]
        assert network["assignPublicIp"] is False and set(network["subnets"]) == private_subnets(lean)
        [binding] = service["loadBalancers"]
        svc = name.split("-svc-")[1].removesuffix("-service")
        assert binding["targetGroupArn"] == groups[f"precedentum-lb-svc-{svc}"].outputs["arn"]
        assert groups[f"precedentum-lb-svc-{svc}"].inputs["targetType"] == "ip"
    rule = lean.one("aws:lb/listenerRule:ListenerRule").inputs
    assert rule["conditions"] == [{"pathPattern": {"values": ["/api", "/api/*"]}}]
    assert rule["actions"][0]["targetGroupArn"] == groups["precedentum-lb-svc-api"].outputs["arn"]


def test_deployments_roll_back_on_their_own_and_scale_on_cpu_and_requests(lean):
    for service in lean.of_type(SERVICE):
        assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert "desiredCount" in service.ignore_changes
        assert service.inputs["capacityProviderStrategies"] == [
            {"capacityProvider": "FARGATE", "base": 1, "weight": 50},
            {"capacityProvider": "FARGATE_SPOT", "weight": 50}]
    targets = lean.of_type("aws:appautoscaling/target:Target")
    assert {(t.inputs["minCapacity"], t.inputs["maxCapacity"]) for t in targets} == {(1, 4)}
    metrics = sorted(p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]
                     ["predefinedMetricType"] for p in lean.of_type("aws:appautoscaling/policy:Policy"))
    assert metrics == ["ALBRequestCountPerTarget"] * 2 + ["ECSServiceAverageCPUUtilization"] * 2


def test_task_definitions_are_valid_fargate_sizes_for_arm64(lean):
    for task in lean.of_type(TASK):
        assert (task.inputs["cpu"], task.inputs["memory"], task.inputs["networkMode"]) == ("256", "512", "awsvpc")
        assert task.inputs["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
        assert task.inputs["requiresCompatibilities"] == ["FARGATE"]


def test_secrets_reach_the_tasks_only_by_reference_and_the_execution_role_reads_only_those(lean):
    api = next(t for t in lean.of_type(TASK) if t.name == "precedentum-ecs-svc-api-task")
    [container] = containers(api)
    env = {e["name"]: e["value"] for e in container["environment"]}
    refs = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    db_secret = lean.outputs["databaseSecretArn"]
    assert refs == {"SECRET_KEY": "precedentum/django-secret-key", "PGUSER": f"{db_secret}:username::",
                    "PGPASSWORD": f"{db_secret}:password::"}
    assert not {"SECRET_KEY", "PGPASSWORD", "PGUSER"} & set(env)
    assert env["DATABASE_URL"].startswith("postgresql://") and "@" not in env["DATABASE_URL"]
    policy = json.loads(next(p for p in lean.of_type("aws:iam/rolePolicy:RolePolicy")
                             if p.name == "precedentum-ecs-execution-secrets").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert statement["Resource"] == [
        db_secret, "arn:aws:secretsmanager:us-east-1:123456789012:secret:precedentum/django-secret-key-??????"]


def test_a_password_rotation_replaces_the_tasks(lean):
    rule = lean.one("aws:cloudwatch/eventRule:EventRule").inputs
    pattern = json.loads(rule["eventPattern"])  # known at a first preview: no output in it
    assert pattern["source"] == ["aws.secretsmanager"] and pattern["detail"]["eventName"] == ["RotationSucceeded"]
    workflow = lean.one("aws:sfn/stateMachine:StateMachine")
    assert lean.one("aws:cloudwatch/eventTarget:EventTarget").inputs["arn"] == workflow.outputs["arn"]
    states = json.loads(workflow.inputs["definition"])["States"]
    [choice] = states["ThisDatabase"]["Choices"]
    assert (choice["Variable"], choice["StringEquals"], choice["Next"]) == (
        "$.detail.additionalEventData.SecretId", lean.outputs["databaseSecretArn"], "Restart")
    calls = [state for branch in states["Restart"]["Branches"] for state in branch["States"].values()]
    assert {c["Resource"] for c in calls} == {"arn:aws:states:::aws-sdk:ecs:updateService"}
    assert all(c["Parameters"]["ForceNewDeployment"] is True for c in calls) and len(calls) == 2


def test_every_service_waits_for_its_clusters_capacity_providers_and_its_roles_policies(lean):
    """CreateService refuses a strategy naming a provider not yet associated with the cluster
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html), and tasks need
    their roles' policies (children of the roles, so no dependency unless named)."""
    association = lean.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
    policies = {r.urn for r in lean.resources if r.name in (
        "precedentum-ecs-execution", "precedentum-ecs-execution-secrets", "precedentum-ecs-task-assets")}
    assert len(policies) == 3
    for service in lean.of_type(SERVICE):
        assert association.urn in service.dependencies and policies <= set(service.dependencies), service.name
        assert service.inputs["platformVersion"] == "LATEST"  # ARM64 on FARGATE_SPOT needs 1.4.0 or later


def test_every_service_waits_for_the_listener_or_rule_that_forwards_to_its_target_group(lean):
    """ECS refuses a service whose target group has no load balancer yet ("The target group ... does not have an
    associated load balancer"; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LoadBalancer.html)."""
    by_urn = lean.by_urn()
    for service in lean.of_type(SERVICE):
        [group_arn] = [lb["targetGroupArn"] for lb in service.inputs["loadBalancers"]]
        forwarders = [by_urn[urn] for urn in service.dependencies
                      if by_urn[urn].type in ("aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule")]
        assert forwarders, service.name
        forwarded = [a.get("targetGroupArn") for f in forwarders
                     for a in f.inputs.get("defaultActions", []) + f.inputs.get("actions", [])]
        assert group_arn in forwarded, service.name


def test_tasks_admit_only_the_load_balancer_on_their_ports(lean):
    ingress = [r.inputs for r in lean.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.name.startswith("precedentum-lb-into-nodes")]
    assert sorted((r["fromPort"], r["toPort"]) for r in ingress) == [(8000, 8000), (8080, 8080)]
    assert all("cidrIpv4" not in r and r["referencedSecurityGroupId"] for r in ingress)


# --- lambda ----------------------------------------------------------------------------------------------------

def test_the_function_is_private_and_behind_the_api_whose_throttling_is_the_cost_guard(serverless):
    function = serverless.one(FUNCTION).inputs
    assert (function["packageType"], function["architectures"]) == ("Image", ["arm64"])
    # No reservation by default: Lambda keeps 100 concurrent executions unreserved, more than a new account's quota
    # (https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html).
    assert "reservedConcurrentExecutions" not in function
    assert set(function["vpcConfig"]["subnetIds"]) == private_subnets(serverless)
    assert function["imageUri"].startswith("123456789012.dkr.ecr.us-east-1.amazonaws.com/")
    permission = serverless.one("aws:lambda/permission:Permission").inputs
    api = serverless.one("aws:apigatewayv2/api:Api")
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["sourceArn"] == f"{api.outputs['executionArn']}/*/*"
    assert [r.inputs["routeKey"] for r in serverless.of_type("aws:apigatewayv2/route:Route")] == ["$default"]
    stage = serverless.one("aws:apigatewayv2/stage:Stage").inputs
    assert stage["accessLogSettings"]["destinationArn"]
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
    assert (stage["defaultRouteSettings"]["throttlingRateLimit"], stage["defaultRouteSettings"]["throttlingBurstLimit"]) \
        == (50, 100)


def test_reserved_concurrency_is_an_opt_in_no_preset_sets():
    from components.config.compute import LambdaCompute
    from components.config.presets import COMPUTE_PRESETS

    assert LambdaCompute.model_fields["reserved_concurrency"].default is None
    # The limit is in the key's description (the generated config reference shows it).
    assert "fewer than 100 concurrent executions unreserved" in LambdaCompute.model_fields[
        "reserved_concurrency"].description
    assert not any("reservedConcurrency" in runtimes.get("lambda", {}) for runtimes in COMPUTE_PRESETS.values())
    values = stack_values("serverless")
    values["phasegate:compute"]["reservedConcurrency"] = 5
    assert run_with("serverless", values).one(FUNCTION).inputs["reservedConcurrentExecutions"] == 5


def test_the_function_waits_for_its_roles_policies(serverless):
    """A function in a VPC is created only if its role may create network interfaces: the policy attachments are the
    role's children, which are no dependency unless named."""
    policies = {r.urn for r in serverless.resources if r.name in (
        "jobdock-lambda-logs", "jobdock-lambda-vpc", "jobdock-lambda-secrets", "jobdock-lambda-assets")}
    assert len(policies) == 4 and policies <= set(serverless.one(FUNCTION).dependencies)


def test_a_password_rotation_recycles_the_functions(serverless):
    function = serverless.one(FUNCTION)
    rule = serverless.one("aws:cloudwatch/eventRule:EventRule")
    pattern = json.loads(rule.inputs["eventPattern"])  # known at a first preview: no output in it
    assert pattern == {"source": ["aws.secretsmanager"], "detail-type": ["AWS Service Event via CloudTrail"],
                       "detail": {"eventSource": ["secretsmanager.amazonaws.com"], "eventName": ["RotationSucceeded"]}}
    workflow = serverless.one("aws:sfn/stateMachine:StateMachine")
    target = serverless.one("aws:cloudwatch/eventTarget:EventTarget")
    roles = {r.name: r for r in serverless.of_type("aws:iam/role:Role")}
    assert target.parent == rule.urn  # the mocks give a rule no name to show in `rule`
    assert (target.inputs["arn"], target.inputs["roleArn"]) == (
        workflow.outputs["arn"], roles["jobdock-lambda-events-role"].outputs["arn"])
    policies = {p.name: json.loads(p.inputs["policy"]) for p in serverless.of_type("aws:iam/rolePolicy:RolePolicy")}
    assert policies["jobdock-lambda-events-start"]["Statement"] == [
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": workflow.outputs["arn"]}]
    # The workflow's role may read and update exactly the functions, by their ARNs.
    assert workflow.inputs["roleArn"] == roles["jobdock-lambda-recycle-role"].outputs["arn"]
    assert policies["jobdock-lambda-recycle-lambda"]["Statement"] == [{
        "Effect": "Allow", "Action": ["lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"],
        "Resource": [function.outputs["arn"]]}]
    states = json.loads(workflow.inputs["definition"])["States"]
    [choice] = states["ThisDatabase"]["Choices"]
    assert (choice["Variable"], choice["StringEquals"]) == (
        "$.detail.additionalEventData.SecretId", serverless.outputs["databaseSecretArn"])
    [branch] = states["Recycle"]["Branches"]
    calls = {state["Resource"]: state for state in branch["States"].values() if state["Type"] == "Task"}
    read = calls["arn:aws:states:::aws-sdk:lambda:getFunctionConfiguration"]
    write = calls["arn:aws:states:::aws-sdk:lambda:updateFunctionConfiguration"]
    assert read["Parameters"] == {"FunctionName": function.outputs["name"]}
    assert write["Parameters"]["FunctionName"] == function.outputs["name"]


def test_the_recycle_keeps_every_variable_and_writes_only_over_what_it_read():
    """UpdateFunctionConfiguration's Environment replaces the whole environment
    (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html): the workflow writes back the
    variables it read merged with its one variable (States.JsonMerge, shallow), and only at the revision it read."""
    from components.render.serverless import ROTATED_AT, recycle_definition

    definition = json.loads(recycle_definition(["fn-a", "fn-b"], "arn:secret"))
    assert definition["TimeoutSeconds"] <= 900  # a conflict loop cannot run on
    stamp = definition["States"]["Stamp"]
    assert stamp["Parameters"] == {f"{ROTATED_AT}.$": "$$.Execution.StartTime"} and stamp["ResultPath"] == "$.stamp"
    for function, branch in zip(["fn-a", "fn-b"], definition["States"]["Recycle"]["Branches"]):
        read = branch["States"][branch["StartAt"]]
        assert read["ResultSelector"] == {"Variables.$": "$.Environment.Variables", "RevisionId.$": "$.RevisionId"}
        write = branch["States"][read["Next"]]
        assert write["Parameters"] == {
            "FunctionName": function, "RevisionId.$": "$.current.RevisionId",
            "Environment": {"Variables.$": "States.JsonMerge($.current.Variables, $.stamp, false)"}}
        # A conflicting update (Lambda busy, or the revision moved) waits and reads again.
        [catch] = write["Catch"]
        assert set(catch["ErrorEquals"]) == {"Lambda.ResourceConflictException", "Lambda.PreconditionFailedException"}
        assert branch["States"][catch["Next"]]["Next"] == branch["StartAt"]


def test_the_function_gets_secret_arns_never_secret_values(serverless):
    env = serverless.one(FUNCTION).inputs["environment"]["variables"]
    assert env["STRIPE_API_KEY_SECRET_ARN"] == ("arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                                               "jobdock/stripe-api-key")
    assert env["DATABASE_SECRET_ARN"] == serverless.outputs["databaseSecretArn"]
    assert "STRIPE_API_KEY" not in env and "PGPASSWORD" not in env
    assert (env["AWS_LWA_PORT"], env["AWS_LWA_READINESS_CHECK_PATH"]) == ("8080", "/health")


def test_the_domain_is_served_by_the_api_with_a_validated_certificate(serverless):
    domain = serverless.one("aws:apigatewayv2/domainName:DomainName")
    assert domain.inputs["domainNameConfiguration"]["endpointType"] == "REGIONAL"
    alias = next(r for r in serverless.of_type("aws:route53/record:Record") if r.name == "jobdock-lambda-alias")
    assert alias.inputs["aliases"][0]["name"] == domain.outputs["domainNameConfiguration"]["targetDomainName"]
    assert serverless.outputs["url"] == "https://api.jobdock.example"
    assert not serverless.of_type("aws:lb/loadBalancer:LoadBalancer")


def test_function_alarms_watch_errors_throttles_duration_and_the_apis_5xx(serverless):
    alarms = {a.name: a.inputs for a in serverless.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert {"jobdock-alerts-svc-api-errors", "jobdock-alerts-svc-api-throttles", "jobdock-alerts-svc-api-duration-p95",
            "jobdock-alerts-api-5xx"} <= set(alarms)
    duration = alarms["jobdock-alerts-svc-api-duration-p95"]
    assert duration["extendedStatistic"] == "p95" and "statistic" not in duration and duration["threshold"] == 16000


def test_only_secrets_manager_gets_an_interface_endpoint_for_lambda():
    values = stack_values("serverless")
    values["phasegate:network"] = {"egress": "endpoints"}
    run = run_with("serverless", values)
    endpoints = [e.inputs["serviceName"] for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                 if e.inputs["vpcEndpointType"] == "Interface"]
    assert endpoints == ["com.amazonaws.us-east-1.secretsmanager"]
    assert not run.of_type("aws:ec2/natGateway:NatGateway") and not run.of_type("aws:ec2/instance:Instance")


# --- what the config refuses -------------------------------------------------------------------------------------

def refused(stack: str, change) -> list[str]:
    values = stack_values(stack)
    change(values)
    with pytest.raises(ProgramError) as error:
        run_with(stack, values)
    return error.value.messages


def test_lambda_runs_only_ecr_images_of_its_region():
    def ghcr(values):
        values["phasegate:app"]["services"][0]["image"] = "ghcr.io/jobdock/api:0.9.1"
    assert refused("serverless", ghcr) == [
        "Pulumi.serverless.yaml: phasegate:app.services[0].image: Lambda runs images only from ECR in the function's "
        "region; push it to <account>.dkr.ecr.us-east-1.amazonaws.com/<repository> and name that"]


def test_fargate_needs_a_way_out_and_endpoints_need_ecr_images():
    assert refused("lean", lambda v: v.__setitem__("phasegate:network", {"egress": "none"})) == [
        "Pulumi.lean.yaml: phasegate:network.egress: 'none' leaves fargate without a way out: its tasks pull their "
        "images and read Secrets Manager; use instance (cheapest), gateway, gatewayPerAz or endpoints"]
    messages = refused("lean", lambda v: v.__setitem__("phasegate:network", {"egress": "endpoints"}))
    assert messages[0] == (
        "Pulumi.lean.yaml: phasegate:app.services[0].image: egress 'endpoints' reaches only AWS services, so images "
        "must come from ECR in us-east-1; push it there, or use egress instance or gateway") and len(messages) == 2


def test_a_waf_cannot_protect_an_http_api():
    assert refused("serverless", lambda v: v.__setitem__("phasegate:waf", {"enabled": True})) == [
        "Pulumi.serverless.yaml: phasegate:waf.enabled: AWS WAF cannot protect an API Gateway HTTP API; the lambda "
        "runtime has no load balancer to put it on: set enabled: false, or use the fargate runtime"]


def test_the_throttle_stays_within_the_accounts_default_quota_and_a_reservation_is_at_least_one():
    """API Gateway's default Regional quota is 10,000 requests a second with a burst of 5,000
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html); a reservation of 0 stops the function."""
    def out_of_bounds(values):
        values["phasegate:compute"].update(throttleRatePerSecond=20000, throttleBurst=6000, reservedConcurrency=0)
    assert refused("serverless", out_of_bounds) == [
        "Pulumi.serverless.yaml: phasegate:compute.reservedConcurrency: Input should be greater than or equal to 1 "
        "(got 0)",
        "Pulumi.serverless.yaml: phasegate:compute.throttleRatePerSecond: Input should be less than or equal to 10000 "
        "(got 20000)",
        "Pulumi.serverless.yaml: phasegate:compute.throttleBurst: Input should be less than or equal to 5000 (got 6000)"]


def test_lambda_does_not_run_in_production():
    def production(values):
        values["phasegate:phase"] = "production"
    assert refused("serverless", production)[0] == (
        "Pulumi.serverless.yaml: phasegate:compute.runtime: 'lambda' does not run in the production phase; use eks "
        "or fargate")


@pytest.mark.parametrize("cpu, memory, size", [
    (0.25, 512, (256, 512)), (0.25, 600, (256, 1024)), (0.25, 3000, (512, 3072)), (0.5, 512, (512, 1024)),
    (1, 9000, (2048, 9216)), (16, 65536, (16384, 65536)), (3, 1024, (4096, 8192))])
def test_a_service_gets_the_smallest_fargate_size_that_fits(cpu, memory, size):
    from components.render.serverless import FARGATE_SIZES, fargate_task_size

    assert fargate_task_size(cpu, memory) == size
    # The app's own limits (16 vCPUs, 64 GiB) always fit some Fargate size.
    assert fargate_task_size(16, 65536) is not None and max(FARGATE_SIZES[16384]) == 122880


# --- the pack catches what the examples avoid, over gRPC at a first preview and at an update ---------------------

@pytest.fixture(scope="module", params=["update", "preview"])
def judge(request):
    from offline.analyzer import evaluate

    preview = request.param == "preview"
    runs = {stack: run_program(stack, preview=preview) for stack in ("lean", "serverless")}

    def mandatory(stack: str, change) -> dict[str, list[str]]:
        import copy

        graph = copy.deepcopy(runs[stack].resources)
        change(graph, preview)
        found: dict[str, list[str]] = {}
        evaluation = evaluate(graph, stack=stack, project="phasegate", config=runs[stack].config, preview=preview)
        for violation in evaluation.mandatory_failures:
            found.setdefault(violation.policy, []).append(violation.message.split("\n", 1)[1])
        return found
    return mandatory


def test_the_shipped_examples_pass_every_mandatory_policy(judge):
    assert judge("lean", lambda graph, preview: None) == {}
    assert judge("serverless", lambda graph, preview: None) == {}


def test_a_service_that_does_not_wait_for_the_capacity_providers_is_caught(judge):
    def racing(graph, preview):
        association = find(graph, "precedentum-ecs-capacity")
        service = find(graph, "precedentum-ecs-svc-web-service")
        service.dependencies = [urn for urn in service.dependencies if urn != association.urn]
    assert judge("lean", racing) == {"ecs-capacity-providers-first": [
        "ECS service precedentum-ecs-svc-web-service runs on capacity providers of its cluster but does not depend on "
        "precedentum-ecs-capacity, which associates them: ECS refuses a strategy naming a provider not yet associated "
        "with the cluster. Add depends_on=[precedentum-ecs-capacity] to the service."]}


@pytest.mark.parametrize("version, refused", [("LATEST", False), ("1.4.0", False), ("1.3.0", True)])
def test_the_lean_stacks_arm64_on_spot_is_refused_only_on_a_platform_before_1_4_0(judge, version, refused):
    def pinned(graph, preview):
        set_prop(find(graph, "precedentum-ecs-svc-api-service"), "platformVersion", version)
    found = judge("lean", pinned)
    assert found == ({"fargate-spot-arm64-platform": [
        "ECS service precedentum-ecs-svc-api-service runs ARM64 tasks on FARGATE_SPOT with platform version 1.3.0: "
        "FARGATE_SPOT runs ARM64 tasks only on 1.4.0 or later. Set platform_version to LATEST or at least 1.4.0."]}
        if refused else {})


def test_a_task_with_a_public_ip_is_caught(judge):
    def public(graph, preview):
        set_prop(find(graph, "precedentum-ecs-svc-web-service"), "networkConfiguration.assignPublicIp", True)
    assert list(judge("lean", public)) == ["private-subnets"]


def test_a_plaintext_secret_in_a_function_is_caught(judge):
    def leak(graph, preview):
        set_prop(find(graph, "jobdock-lambda-svc-api-function"), "environment.variables.STRIPE_API_KEY", "sk_live_123")
    assert judge("serverless", leak) == {"no-plaintext-secrets": [
        "jobdock-lambda-svc-api-function: environment variable STRIPE_API_KEY holds a plaintext value: keep the "
        "secret in Secrets Manager and pass its ARN (e.g. STRIPE_API_KEY_ARN), read by the function at start."]}


def test_a_function_anyone_may_invoke_is_caught(judge):
    def open_to_all(graph, preview):
        permission = find(graph, "jobdock-lambda-svc-api-from-api")
        set_prop(permission, "principal", "*")
        set_prop(permission, "sourceArn", DELETE)
        permission.property_dependencies.pop("sourceArn", None)
    assert list(judge("serverless", open_to_all)) == ["private-subnets"]
