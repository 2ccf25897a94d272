"""no-plaintext-secrets, ecr-image-hygiene and api-access-logging (rules/workloads.py), over gRPC at a first preview
and at an update (the `mode` fixture): the passing Fargate and Lambda graphs (the MVP plus the runtime's resources),
then one break per test."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, set_prop

from phasegate_policies.rules.workloads import SECRET_NAME_PATTERNS, secret_looking

from .helpers import NOT_COSTED, TAGS, check, messages
from .runtime_graphs import ACCOUNT, ECR_IMAGE, LAMBDA_USAGE, SECRET_ARN, containers, fargate, serverless, with_usage


def test_a_fargate_service_in_private_subnets_passes_every_policy_and_is_priced(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    assert check(mode, graph + runtime).violations == []
    # 1 task of 0.25 vCPU and 0.5 GB: 730 x (0.25 x $0.04048 + 0.5 x $0.004445) = $9.01, on top of the MVP's $35.91;
    # the policy's two alarms fit in the always-free ten (the MVP uses eight).
    tight = check(mode, graph + runtime, pack_config={"cost-ceiling": {"ceilings": {"mvp": 40}}})
    assert messages(tight, "cost-ceiling")[0].startswith("Estimated $44.92/month exceeds the mvp ceiling of $40.00")


def test_a_lambda_function_behind_an_http_api_passes_every_policy_and_is_priced(mode):
    graph = mode.graph()
    evaluation = check(mode, graph + serverless(mode, graph), config=with_usage(mode, **LAMBDA_USAGE))
    assert evaluation.violations == []
    # 300,000 requests (within the free 1 M) of 200 ms at 512 MB = 30,000 GB-s (within the free 400,000): $0; the API's
    # 0.3 M requests x $1.00 = $0.30; on top of the MVP's $35.91.
    tight = check(mode, graph + serverless(mode, graph), config=with_usage(mode, **LAMBDA_USAGE),
                  pack_config={"cost-ceiling": {"ceilings": {"mvp": 30}}})
    assert messages(tight, "cost-ceiling")[0].startswith("Estimated $36.21/month exceeds")


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


@pytest.mark.parametrize("name, secret", [
    # The common spellings of a secret's name (issue #20: a literal REDIS_PWD went unnoticed).
    ("REDIS_PWD", True), ("DB_PASS", True), ("MYSQL_ROOT_PASSWD", True), ("GPG_PASSPHRASE", True), ("ADMIN_PW", True),
    ("WORDPRESS_DB_PASSWORD", True), ("api_token", True), ("STRIPE_KEY", True), ("CLIENT_SECRET", True),
    ("redis_pwd", True),  # names are matched case-insensitively
    # Names that merely contain the letters: a passport URL, a bypass switch, the shell's working directory.
    ("PASSPORT_URL", False), ("CACHE_BYPASS", False), ("PWD", False), ("DB_PASS_FILE", False), ("COMPASS_URL", False),
    ("PASSENGER_COUNT", False), ("NODE_ENV", False),
])
def test_secret_names_are_recognised_in_their_common_spellings(name, secret):
    assert secret_looking(name, SECRET_NAME_PATTERNS, set()) is secret


@pytest.mark.parametrize("variables, expected", [
    ({"REDIS_PWD": "hunter2"}, ["acme-fn: environment variable REDIS_PWD holds a plaintext value: keep the secret "
                                "in Secrets Manager and pass its ARN (e.g. REDIS_PWD_ARN), read by the function at "
                                "start."]),
    ({"API_TOKEN": "t0k3n"}, ["acme-fn: environment variable API_TOKEN holds a plaintext value: keep the secret in "
                              "Secrets Manager and pass its ARN (e.g. API_TOKEN_ARN), read by the function at start."]),
    ({"DB_SECRET_ARN": SECRET_ARN, "JWT_KEY": UNKNOWN_STRING_VALUE}, []),  # a reference, and a computed value
])
def test_no_secret_looking_value_in_a_functions_plaintext_environment(mode, variables, expected):
    graph = mode.graph()
    evaluation = check(mode, graph + serverless(mode, graph, variables=variables), pack_config=NOT_COSTED)
    assert messages(evaluation, "no-plaintext-secrets") == expected


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
