"""The `lambda` runtime: each public service as a container-image Lambda function behind one API Gateway HTTP API.

- The function runs the service's own image (from ECR: Lambda runs no other registry), which listens on its port
  as usual; the Lambda Web Adapter convention (`AWS_LWA_PORT`, `AWS_LWA_READINESS_CHECK_PATH`) turns invocations
  into HTTP requests, so the same image runs on every runtime.
- The cost guard is the HTTP API stage's throttling (`throttleRatePerSecond`, `throttleBurst` on every route; above
  them clients get 429): it works in every account. Reserved concurrency is an opt-in (`reservedConcurrency`): Lambda
  refuses a reservation that leaves fewer than 100 concurrent executions unreserved (PutFunctionConcurrency), and a
  new account's quota is often 10, so by default nothing is reserved.
- The function sits in the VPC's private subnets because the app always has a database: it reaches RDS (and the
  cache) through the app's security group, and Secrets Manager through the stack's egress. Secrets stay in
  Secrets Manager: the function gets their ARNs (`DATABASE_SECRET_ARN`, `<NAME>_SECRET_ARN`) and its role may read
  exactly those.
- Rotation: RDS rotates its managed password every 7 days, and the app reads the secret itself (phasegate cannot change
  its code), typically once per execution environment. The same EventBridge rule as Fargate's starts a Step Functions
  workflow that sets one variable on each function (read, merged, written back: UpdateFunctionConfiguration replaces
  the whole environment), and Lambda replaces the functions' execution environments, whose cold starts read the new
  password. The event comes from CloudTrail and is delivered on a best-effort basis, so the app should still, on a
  database authentication failure, re-read the secret and reconnect. The workflow's history shows the functions'
  variables (never secret values: the pack refuses those).
- Every function waits for its role's policies (children of the role, so no dependency by themselves): a function
  in a VPC is created only with permission to create its network interfaces, and on destroy it goes first.
- `app.domain` gives the API a custom domain with a DNS-validated certificate and an alias record.
"""

from __future__ import annotations

import json
from typing import Mapping, Optional

import pulumi
import pulumi_aws.apigatewayv2 as apigatewayv2
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.iam as iam
import pulumi_aws.lambda_ as lambda_

from ..config.compute import LambdaCompute
from ..config.models import Alerts as AlertsConfig, Service
from ..parts.assets import read_write_policy
from ..parts.certificates import alias_record, validated_certificate
from ..parts.iam import assume_role_policy
from ..parts.security_groups import AppSecurityGroupShape
from ..render.alarms import ABOVE, AlarmSpec, Metric
from ..render.serverless import ServiceFacts, api_route_keys, lambda_environment, recycle_definition
from .registry import RUNTIMES, Runtime, RuntimeArgs, known_where_possible, stand_in_endpoints
from .serverless import rotation_workflow, secrets_policy, service_facts

LAMBDA_POLICIES = {
    "logs": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "vpc": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
}
# One JSON line per request: what API Gateway's access logs record (and what the API's alarms cannot tell).
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "time": "$context.requestTime",
    "method": "$context.httpMethod", "path": "$context.path", "status": "$context.status",
    "latencyMs": "$context.responseLatency", "integrationError": "$context.integrationErrorMessage"})


def per_variable(facts: pulumi.Output[ServiceFacts], svc: Service, args: RuntimeArgs) -> dict[str, pulumi.Input[str]]:
    """The environment as one input per variable, so a first preview shows every value that depends on no output
    (and the pack can see that no secret is among them); values built from the deployed facts (the database,
    cache, bucket, account) are inputs of their own."""
    first, second = (lambda_environment(svc, ServiceFacts(region=args.region, account=f"{n:012d}",
                                                          **stand_in_endpoints(args, n))) for n in (1, 2))
    deployed = facts.apply(lambda f: lambda_environment(svc, f))
    return {name: known_where_possible(first, second, deployed, lambda env, name=name: env[name]) for name in first}


def function_name(app: str, stack: str, service: str) -> str:
    """Known before the function exists, so its log group (with a retention) can be created first."""
    return f"{app}-{stack}-{service}"[:64]


class LambdaFunctions(pulumi.ComponentResource):
    outputs: Mapping[str, pulumi.Input]
    url: Optional[pulumi.Input[str]]

    def __init__(self, name: str, args: RuntimeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:lambda:LambdaFunctions", name, None, opts)
        cfg: LambdaCompute = args.compute
        child = pulumi.ResourceOptions(parent=self)
        facts = service_facts(args, self)
        app_secrets = sorted({secret for svc in args.app.services for secret in svc.secrets.values()})
        role = iam.Role(f"{name}-role", assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
                        description="The app's functions: logs, VPC networking, their secrets and the assets bucket",
                        tags=args.tags(f"{name}-role"), opts=child)
        self._permissions: list[pulumi.Resource] = [
            iam.RolePolicyAttachment(f"{name}-{key}", role=role.name, policy_arn=arn,
                                     opts=pulumi.ResourceOptions(parent=role))
            for key, arn in LAMBDA_POLICIES.items()]
        self._permissions += [
            iam.RolePolicy(f"{name}-secrets", role=role.id,
                           policy=facts.apply(lambda f: secrets_policy(f, app_secrets)),
                           opts=pulumi.ResourceOptions(parent=role)),
            iam.RolePolicy(f"{name}-assets", role=role.id,
                           policy=pulumi.Output.from_input(args.bucket.arn).apply(read_write_policy),
                           opts=pulumi.ResourceOptions(parent=role))]

        access_logs = cloudwatch.LogGroup(f"{name}-api-logs", name=f"/phasegate/{args.app.name}/{args.stack}/api",
                                          retention_in_days=cfg.log_retention_days,
                                          tags=args.tags(f"{name}-api-logs"), opts=child)
        self.api = apigatewayv2.Api(f"{name}-api", protocol_type="HTTP", name=f"{args.app.name}-{args.stack}",
                                    description=f"{args.app.name}: the app's HTTP entry point",
                                    disable_execute_api_endpoint=bool(args.app.domain),
                                    tags=args.tags(f"{name}-api"), opts=child)
        self.stage = apigatewayv2.Stage(
            f"{name}-stage", api_id=self.api.id, name="$default", auto_deploy=True,
            access_log_settings=apigatewayv2.StageAccessLogSettingsArgs(destination_arn=access_logs.arn,
                                                                        format=ACCESS_LOG_FORMAT),
            default_route_settings=apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_rate_limit=cfg.throttle_rate_per_second, throttling_burst_limit=cfg.throttle_burst),
            tags=args.tags(f"{name}-stage"), opts=pulumi.ResourceOptions(parent=self.api))

        self._timeout_ms = cfg.timeout_seconds * 1000
        routes = api_route_keys(args.app)
        self.functions = {svc.name: self._function(name, svc, args, cfg, facts, role, routes[svc.name])
                          for svc in args.app.services if svc.public}
        self._recycle_on_rotation(name, args)
        self.url = self._domain(name, args) if args.app.domain else self.api.api_endpoint
        self.outputs = {"apiEndpoint": self.api.api_endpoint,
                        "functionNames": [f.name for f in self.functions.values()]}
        self.register_outputs({"apiEndpoint": self.api.api_endpoint})

    def _function(self, name: str, svc: Service, args: RuntimeArgs, cfg: LambdaCompute,
                  facts: pulumi.Output[ServiceFacts], role: iam.Role, route_keys: list[str]) -> lambda_.Function:
        key = f"{name}-svc-{svc.name}"
        physical = function_name(args.app.name, args.stack, svc.name)
        logs = cloudwatch.LogGroup(f"{key}-logs", name=f"/aws/lambda/{physical}",
                                   retention_in_days=cfg.log_retention_days, tags=args.tags(f"{key}-logs"),
                                   opts=pulumi.ResourceOptions(parent=self))
        function = lambda_.Function(
            f"{key}-function", name=physical, package_type="Image", image_uri=svc.image, role=role.arn,
            architectures=[cfg.architecture], memory_size=cfg.memory_mb or max(128, svc.memory_mb),
            timeout=cfg.timeout_seconds, reserved_concurrent_executions=cfg.reserved_concurrency,
            vpc_config=lambda_.FunctionVpcConfigArgs(subnet_ids=list(args.network.private_subnet_ids),
                                                     security_group_ids=[args.security_group_id]),
            environment=lambda_.FunctionEnvironmentArgs(variables=per_variable(facts, svc, args)),
            logging_config=lambda_.FunctionLoggingConfigArgs(log_format="Text", log_group=logs.name),
            tags=args.tags(f"{key}-function"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs, *self._permissions]))
        integration = apigatewayv2.Integration(
            f"{key}-integration", api_id=self.api.id, integration_type="AWS_PROXY",
            integration_uri=function.arn, payload_format_version="2.0",
            timeout_milliseconds=min(30000, cfg.timeout_seconds * 1000 + 1000),
            opts=pulumi.ResourceOptions(parent=function))
        for index, route_key in enumerate(route_keys):
            apigatewayv2.Route(f"{key}-route-{index}", api_id=self.api.id, route_key=route_key,
                               target=integration.id.apply(lambda i: f"integrations/{i}"),
                               opts=pulumi.ResourceOptions(parent=integration))
        # Only this API (any stage, any route) may invoke the function.
        lambda_.Permission(f"{key}-from-api", action="lambda:InvokeFunction", function=function.name,
                           principal="apigateway.amazonaws.com",
                           source_arn=self.api.execution_arn.apply(lambda arn: f"{arn}/*/*"),
                           opts=pulumi.ResourceOptions(parent=function))
        return function

    def _recycle_on_rotation(self, name: str, args: RuntimeArgs) -> None:
        """After a rotation of the database's secret, new execution environments for every function."""
        functions = list(self.functions.values())
        # Exactly these functions, by their unqualified ARNs (what a request naming the function is authorized on).
        rotation_workflow(
            name, "recycle", description="Step Functions: recycle the functions after a password rotation",
            grant="lambda", actions=["lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"],
            resources=[f.arn for f in functions],
            definition=pulumi.Output.all(names=[f.name for f in functions], secret=args.database.secret_arn).apply(
                lambda v: recycle_definition(v["names"], v["secret"])),
            what="recycle the functions", which="the recycle workflow", args=args, parent=self)

    def _domain(self, name: str, args: RuntimeArgs) -> pulumi.Output[str]:
        served = validated_certificate(name, args.app.domain, args.app.zone_name, args.tags, self)
        domain = apigatewayv2.DomainName(
            f"{name}-domain", domain_name=args.app.domain,
            domain_name_configuration=apigatewayv2.DomainNameDomainNameConfigurationArgs(
                certificate_arn=served.certificate_arn, endpoint_type="REGIONAL", security_policy="TLS_1_2"),
            tags=args.tags(f"{name}-domain"), opts=pulumi.ResourceOptions(parent=self))
        apigatewayv2.ApiMapping(f"{name}-mapping", api_id=self.api.id, domain_name=domain.id, stage=self.stage.id,
                                opts=pulumi.ResourceOptions(parent=domain))
        config = domain.domain_name_configuration
        alias_record(name, args.app.domain, served.zone_id, config.target_domain_name, config.hosted_zone_id, domain)
        return pulumi.Output.from_input(f"https://{args.app.domain}")

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        """Per function errors, throttles and p95 duration near the timeout; the API's 5xx responses."""
        specs = []
        for svc_name, function in self.functions.items():
            dims = {"FunctionName": function.name}
            specs += [
                AlarmSpec(f"svc-{svc_name}-errors", f"Function {svc_name} returned errors", ABOVE, 0,
                          Metric("AWS/Lambda", "Errors", dims, "Sum"), treat_missing_data="notBreaching"),
                AlarmSpec(f"svc-{svc_name}-throttles",
                          f"Function {svc_name} was throttled (its reserved or the account's concurrency)", ABOVE, 0,
                          Metric("AWS/Lambda", "Throttles", dims, "Sum"), treat_missing_data="notBreaching"),
                AlarmSpec(f"svc-{svc_name}-duration-p95", f"Function {svc_name}: p95 duration above 80% of its timeout",
                          ABOVE, self._timeout_ms * 0.8,
                          Metric("AWS/Lambda", "Duration", dims, "p95"), evaluation_periods=3,
                          treat_missing_data="notBreaching"),
            ]
        specs.append(AlarmSpec("api-5xx", "The API answered with 5xx errors for 10 minutes", ABOVE, 0,
                               Metric("AWS/ApiGateway", "5xx", {"ApiId": self.api.id}, "Sum"), evaluation_periods=2,
                               treat_missing_data="notBreaching"))
        return specs


RUNTIMES.register(Runtime(
    name="lambda", component="lambda", build=LambdaFunctions,
    # Lambda pulls images and ships logs itself, outside the VPC; only the app's own calls need a way out.
    interface_endpoints=("secretsmanager",),
    security_group=AppSecurityGroupShape(
        "functions", "Lambda functions: nothing in, the database, cache and AWS APIs out", allow_members=False),
))
