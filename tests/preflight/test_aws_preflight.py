"""aws-preflight over gRPC at a first preview and at an update (the `mode` fixture): the passing MVP graph, then one
input AWS, IAM or Kubernetes would refuse per case, each a mandatory violation naming the resource, the input, the
value, the constraint and its source."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, find, set_prop
from offline.analyzer import evaluate

POLICY = "aws-preflight"
TAGS = {"phasegate:phase": "mvp", "phasegate:stack": "mvp", "phasegate:app": "acme"}


def check(mode, resources):
    return evaluate(resources, stack="mvp", project="phasegate", config=mode.run.config, preview=mode.preview)


def messages(evaluation, policy):
    return [v.message.split("\n", 1)[1] for v in evaluation.violations if v.policy == policy]
BUCKET = "arn:aws:s3:::acme-assets-1"


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _role_policy(statement):
    return extra_resource("aws:iam/rolePolicy:RolePolicy", "acme-app-read", {
        "role": "acme-app-role", "policy": _policy({"Effect": "Allow", **statement})})


def _deployment(replicas):
    return extra_resource("kubernetes:apps/v1:Deployment", "acme-web", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "acme"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "ghcr.io/acme/web:1.4.2",
                                                       "ports": [{"containerPort": 3000}]}]}}}})


def _service(port):
    return extra_resource("kubernetes:core/v1:Service", "acme-web-svc", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "acme"},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": port, "targetPort": 3000}]}})


def _target_group(name):
    return extra_resource("aws:lb/targetGroup:TargetGroup", "acme-lb-nodes", {
        "name": name, "port": 80, "protocol": "HTTP", "targetType": "instance", "vpcId": "vpc-1", "tags": TAGS})


def _function(memory):
    return extra_resource("aws:lambda/function:Function", "acme-worker", {
        "name": "acme-worker", "memorySize": memory, "timeout": 30, "packageType": "Image", "role": "arn:x",
        "tags": TAGS})


def _database(**props):
    def change(graph):
        for path, value in props.items():
            set_prop(find(graph, "acme-db-postgres"), path, value)
    return change


def _log_retention(days):
    def change(graph):
        set_prop(find(graph, "acme-app-logs"), "retentionInDays", days)
    return change


def _added(resource):
    return lambda graph: graph.append(resource)


CASES = [
    ("target group name of 40 characters", _added(_target_group("acme-production-nodes-target-group-00001")),
     "acme-lb-nodes: name 'acme-production-nodes-target-group-00001' is 40 characters; AWS allows 32"),
    ("RDS identifier with an underscore", _database(identifier="acme_db"),
     "acme-db-postgres: identifier 'acme_db' does not match the pattern ^$|^[a-zA-Z]{1}(?:-?[a-zA-Z0-9]){0,62}$ "
     "(AWS::RDS::DBInstance DBInstanceIdentifier)"),
    ("log group retention of 13 days", _log_retention(13),
     "acme-app-logs: retentionInDays 13 is not an allowed value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, "
     "...) (AWS::Logs::LogGroup RetentionInDays)"),
    ("Lambda memory of 64 MB", _added(_function(64)),
     "acme-worker: memorySize 64 is below the minimum 128 (AWS::Lambda::Function MemorySize)"),
    ("PostgreSQL engineVersion 17.99", _database(engineVersion="17.99"),
     "acme-db-postgres: engineVersion '17.99' is not a postgres version RDS offers (AWS::RDS::DBInstance "
     "EngineVersion, cfn-lint's RDS engine versions)"),
    ("db.t2.micro with PostgreSQL 17", _database(instanceClass="db.t2.micro", engineVersion="17"),
     "acme-db-postgres: instanceClass 'db.t2.micro' does not run postgres 17 (AWS::RDS::DBInstance DBInstanceClass, "
     "cfn-lint's RDS instance classes by engine version)"),
    ("IAM action s3:GetObjects", _added(_role_policy({"Action": "s3:GetObjects", "Resource": f"{BUCKET}/*"})),
     "acme-app-read: policy statement 0: 's3:GetObjects' is not an action of s3 (did you mean s3:GetObject?) "
     "(IAM Service Authorization Reference)"),
    ("s3:GetObject on a bucket ARN without /*", _added(_role_policy({"Action": ["s3:GetObject"], "Resource": BUCKET})),
     "acme-app-read: policy statement 0 grants s3:GetObject on 'arn:aws:s3:::acme-assets-1', which fits none of its "
     "resource types (accesspointobject: arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/"
     "object/${ObjectName}; object: arn:${Partition}:s3:::${BucketName}/${ObjectName}): it grants nothing "
     "(IAM Service Authorization Reference)"),
    ("Deployment with replicas 'two'", _added(_deployment("two")),
     "acme-web: spec.replicas 'two': 'two' is not of type 'integer', 'null' (Kubernetes 1.35 OpenAPI "
     "io.k8s.api.apps.v1.Deployment, strict)"),
    ("Service port 70000", _added(_service(70000)),
     "acme-web-svc: spec.ports.0.port 70000 is not a port (1-65535)"),
]


def test_the_mvp_graph_passes(mode):
    assert messages(check(mode, mode.graph()), POLICY) == []


@pytest.mark.parametrize("change, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_what_aws_would_refuse_is_a_mandatory_violation(mode, change, expected):
    graph = mode.graph()
    change(graph)
    evaluation = check(mode, graph)
    found = [(v.policy, v.level, v.message.split("\n", 1)[1]) for v in evaluation.violations if v.policy == POLICY]
    assert len(found) == 1, found
    assert found[0][:2] == (POLICY, "mandatory")
    assert found[0][2].startswith(expected), found[0][2]


def test_a_value_unknown_at_a_first_preview_is_not_judged(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-db-postgres"), "identifier", UNKNOWN_STRING_VALUE)
    graph.append(_role_policy({"Action": "s3:GetObject", "Resource": "x"}))
    set_prop(graph[-1], "policy", UNKNOWN_STRING_VALUE)
    graph.append(_deployment(2))
    set_prop(graph[-1], "spec.template.spec.containers", UNKNOWN_STRING_VALUE)
    assert messages(check(mode, graph), POLICY) == []


def test_valid_values_of_the_same_inputs_pass(mode):
    graph = mode.graph()
    graph += [_target_group("acme-nodes-tg"), _function(256), _deployment(2), _service(80),
              _role_policy({"Action": ["s3:GetObject"], "Resource": [f"{BUCKET}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "true"}}})]
    set_prop(find(graph, "acme-app-logs"), "retentionInDays", 14)
    assert messages(check(mode, graph), POLICY) == []


@pytest.mark.parametrize("engine, version, klass", [
    ("postgres", "17", "db.t4g.micro"), ("mysql", "8.0", "db.t4g.micro"), ("mysql", "8.0.40", "db.t3.micro")])
def test_a_major_version_alone_is_accepted_as_rds_does(mode, engine, version, klass):
    """RDS takes a major version and picks its default minor (EngineVersion, CreateDBInstance, RDS API reference);
    programs by other authors commonly pass `engine_version="8.0"`."""
    graph = mode.graph()
    _database(engine=engine, engineVersion=version, instanceClass=klass)(graph)
    assert messages(check(mode, graph), POLICY) == []


def test_an_invalid_condition_key_and_a_wildcard_that_matches_nothing_are_refused(mode):
    graph = mode.graph()
    graph.append(_role_policy({"Action": ["s3:Get*", "s3:Frobnicate*"], "Resource": f"{BUCKET}/*",
                               "Condition": {"StringEquals": {"s3:NoSuchKey": "x", "aws:SourceVpce": "vpce-1"}}}))
    assert messages(check(mode, graph), POLICY) == [
        "acme-app-read: policy statement 0: 's3:Frobnicate*' matches no s3 action (IAM Service Authorization "
        "Reference)",
        "acme-app-read: policy statement 0: condition key 's3:NoSuchKey' is not a global key nor one its service "
        "defines (IAM Service Authorization Reference)"]


def test_an_unmapped_type_is_not_failed(mode):
    graph = mode.graph()
    graph.append(extra_resource("aws:cloudtrail/trail:Trail", "acme-trail", {"name": "x" * 300, "tags": TAGS}))
    assert messages(check(mode, graph), POLICY) == []


def test_least_privilege_findings_are_advisory_and_separate(mode):
    graph = mode.graph()
    graph.append(_role_policy({"Action": "s3:*", "Resource": "*"}))
    evaluation = check(mode, graph)
    assert messages(evaluation, POLICY) == []
    assert [(v.policy, v.level) for v in evaluation.violations if v.policy == "iam-least-privilege"] == [
        ("iam-least-privilege", "advisory")]
