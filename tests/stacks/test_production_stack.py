"""The production stack's graph (EKS across three AZs, Multi-AZ RDS, Valkey failover, WAF) under mocks, from
Pulumi.production.yaml; its Kubernetes objects; and the production rules of the pack over gRPC in both modes."""

from __future__ import annotations

import copy
import json

import pytest

from components.config import build_stack_config
from components.endpoints import CacheEndpoint, DatabaseEndpoint
from components.parts.waf import MANAGED_RULE_GROUPS
from components.render.kubernetes import EksAppFacts, render_eks_objects
from conftest import find, run_with, set_prop, stack_values
from components.runtimes.eks import is_caller
from offline.analyzer import evaluate
from offline.mock_outputs import ACCOUNT_ID
from offline.program import ProgramError

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def private_subnets(run) -> list[str]:
    return sorted(s.id for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == "private")


def test_three_azs_each_with_its_own_nat_gateway(production):
    subnets = production.of_type("aws:ec2/subnet:Subnet")
    assert len({s.inputs["availabilityZone"] for s in subnets}) == 3
    public = {s.id for s in subnets if s.inputs["tags"]["tier"] == "public"}
    gateways = production.of_type("aws:ec2/natGateway:NatGateway")
    assert len(gateways) == 3 and {g.inputs["subnetId"] for g in gateways} == public
    assert production.one("aws:ec2/vpcEndpoint:VpcEndpoint").inputs["vpcEndpointType"] == "Gateway"  # S3


def test_the_cluster_uses_access_entries_encrypted_secrets_and_a_private_endpoint(production):
    cluster = production.one("eks:index:Cluster").inputs
    key = production.one("aws:kms/key:Key")
    assert (cluster["authenticationMode"], cluster["skipDefaultNodeGroup"], cluster["skipDefaultSecurityGroups"]) == (
        "API", True, True)
    assert cluster["encryptionConfigKeyArn"] == key.outputs["arn"] and key.inputs["enableKeyRotation"] is True
    assert (cluster["endpointPrivateAccess"], cluster["endpointPublicAccess"]) == (True, True)
    assert cluster["publicAccessCidrs"] == ["0.0.0.0/0"] and cluster["nodeAssociatePublicIpAddress"] is False
    assert cluster["enabledClusterLogTypes"] == ["audit", "authenticator"]
    assert (cluster["version"], cluster["upgradePolicy"]) == ("1.35", {"supportType": "STANDARD"})
    assert sorted(cluster["privateSubnetIds"]) == private_subnets(production)
    logs = find(production.resources, "acme-eks-control-plane-logs").inputs
    assert (logs["name"], logs["retentionInDays"]) == ("/aws/eks/acme-production/cluster", 30)


def test_nodes_are_private_imdsv2_with_hop_limit_1_and_encrypted_through_a_launch_template(production):
    """Hop limit 1: pods get their credentials from Pod Identity, so none may reach the node role through IMDS (AWS EKS
    best practices, "Restrict access to the instance profile assigned to the worker node")."""
    group = production.one(NODE_GROUP).inputs
    template = production.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert sorted(group["subnetIds"]) == private_subnets(production)
    assert group["scalingConfig"] == {"minSize": 3, "desiredSize": 3, "maxSize": 6}
    assert (group["instanceTypes"], group["amiType"], group["capacityType"]) == (
        ["t3.medium"], "AL2023_x86_64_STANDARD", "ON_DEMAND")
    assert group["launchTemplate"]["id"] == template.id
    lt = template.inputs
    assert lt["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
    assert lt["blockDeviceMappings"][0]["ebs"] == {"volumeSize": 20, "volumeType": "gp3", "encrypted": "true",
                                                   "deleteOnTermination": "true"}
    cluster_group = production.one("eks:index:Cluster").outputs["clusterSecurityGroupId"]
    app_group = next(g.id for g in production.of_type("aws:ec2/securityGroup:SecurityGroup") if g.name.startswith("acme-nodes"))
    assert lt["vpcSecurityGroupIds"] == [cluster_group, app_group]
    # The load balancer's target group takes the node group's autoscaling group.
    attachment = production.one("aws:autoscaling/attachment:Attachment").inputs
    asg = production.one(NODE_GROUP).outputs["resources"][0]["autoscalingGroups"][0]["name"]
    assert attachment == {"autoscalingGroupName": asg,
                          "lbTargetGroupArn": production.one("aws:lb/targetGroup:TargetGroup").outputs["arn"]}
    assert production.one("aws:lb/targetGroup:TargetGroup").inputs["port"] == 30080


def test_arm64_nodes_and_a_spot_group_for_stateless_work():
    values = stack_values("production")
    values["phasegate:compute"] = {"runtime": "eks", "architecture": "arm64", "spotNodes": 2}
    run = run_with("production", values)
    on_demand, spot = sorted(run.of_type(NODE_GROUP), key=lambda g: g.name)[0], sorted(
        run.of_type(NODE_GROUP), key=lambda g: g.name)[1]
    assert (on_demand.inputs["instanceTypes"], on_demand.inputs["amiType"]) == (["t4g.medium"], "AL2023_ARM_64_STANDARD")
    assert spot.inputs["capacityType"] == "SPOT" and spot.inputs["taints"] == [
        {"key": "phasegate/spot", "value": "true", "effect": "NO_SCHEDULE"}]
    assert len(run.of_type("aws:autoscaling/attachment:Attachment")) == 2


@pytest.mark.parametrize("change, message", [
    ({"architecture": "arm64", "nodeInstanceType": "t3.medium"},
     "Pulumi.production.yaml: phasegate:compute.nodeInstanceType: 't3.medium' does not match architecture arm64"),
    ({"version": "1.28"}, "Pulumi.production.yaml: phasegate:compute.version: '1.28' is not an EKS version phasegate "
                          "knows the support dates of"),
    ({"version": "1.33"}, "Pulumi.production.yaml: phasegate:compute.version: EKS 1.33 left standard support on "
                          "2026-07-29: with upgradePolicy STANDARD, EKS upgrades it on its own"),
])
def test_eks_settings_that_cannot_work_are_refused_with_the_key(change, message):
    values = stack_values("production")
    values["phasegate:compute"] = {"runtime": "eks", **change}
    with pytest.raises(ProgramError) as error:
        run_with("production", values)
    assert any(m.startswith(message) for m in error.value.messages), error.value.messages


def test_the_database_is_multi_az_with_two_weeks_of_backups_and_performance_insights(production):
    db = production.one("aws:rds/instance:Instance")
    assert (db.inputs["multiAz"], db.inputs["backupRetentionPeriod"], db.inputs["deletionProtection"]) == (True, 14, True)
    assert (db.inputs["performanceInsightsEnabled"], db.inputs["performanceInsightsRetentionPeriod"]) == (True, 7)
    assert db.protect and db.inputs["publiclyAccessible"] is False


def test_the_cache_is_serverless_valkey_with_auth_and_usage_limits(production):
    cache = production.one("aws:elasticache/serverlessCache:ServerlessCache").inputs
    user = production.one("aws:elasticache/user:User").inputs
    group = production.one("aws:elasticache/userGroup:UserGroup").inputs
    assert (cache["engine"], cache["majorEngineVersion"]) == ("valkey", "8")
    assert sorted(cache["subnetIds"]) == private_subnets(production)
    assert cache["userGroupId"] == group["userGroupId"] and group["userIds"] == [user["userId"]]
    assert (user["userName"], user["engine"], user["accessString"]) == ("default", "valkey", "on ~* +@all")
    assert "passwords" not in user and user["passwordsWoVersion"] == 1  # the AUTH token is write-only
    assert cache["cacheUsageLimits"] == {"dataStorage": {"unit": "GB", "maximum": 1},
                                         "ecpuPerSeconds": [{"maximum": 5000}]}
    assert not production.of_type("aws:elasticache/replicationGroup:ReplicationGroup")


def test_nodes_mode_keeps_a_replica_with_failover_across_azs():
    values = stack_values("production")
    values["phasegate:cache"] = {"mode": "nodes", "nodeType": "cache.t4g.micro", "replicas": 1}
    group = run_with("production", values).one("aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert (group["engine"], group["numCacheClusters"], group["automaticFailoverEnabled"],
            group["multiAzEnabled"], group["transitEncryptionEnabled"]) == ("valkey", 2, True, True, True)


def test_serverless_is_the_cheaper_highly_available_cache_at_the_shipped_usage():
    from offline.check import check_stack
    from project import config_as_engine_text

    values = stack_values("production")
    serverless = check_stack("production", config=config_as_engine_text(values))
    values["phasegate:cache"] = {"mode": "nodes", "nodeType": "cache.t4g.micro", "replicas": 1}
    nodes = check_stack("production", config=config_as_engine_text(values))
    assert serverless.by_component()["acme-cache"] < nodes.by_component()["acme-cache"]
    assert serverless.passed and nodes.passed


def test_a_replica_count_on_a_serverless_cache_is_refused():
    values = stack_values("production")
    values["phasegate:cache"] = {"replicas": 1}
    with pytest.raises(ProgramError) as error:
        run_with("production", values)
    assert error.value.messages[0] == (
        "Pulumi.production.yaml: phasegate:cache.replicas: a serverless cache is replicated across AZs by design; "
        "replicas applies to mode nodes only, remove it")


def test_daily_backups_are_copied_to_a_second_region(production):
    plan = production.one("aws:backup/plan:Plan")
    vaults = {v.name: v for v in production.of_type("aws:backup/vault:Vault")}
    [rule] = plan.inputs["rules"]
    assert rule["targetVaultName"] == vaults["acme-db-backup-vault"].outputs["name"]
    assert rule["lifecycle"] == {"deleteAfter": 14} and rule["schedule"] == "cron(0 5 ? * * *)"
    [copy_action] = rule["copyActions"]
    assert copy_action == {"destinationVaultArn": vaults["acme-db-dr-vault"].outputs["arn"],
                           "lifecycle": {"deleteAfter": 14}}
    assert vaults["acme-db-dr-vault"].inputs["region"] == "us-east-2"
    assert ":us-east-2:" in vaults["acme-db-dr-vault"].outputs["arn"]
    selection = production.one("aws:backup/selection:Selection").inputs
    assert selection["resources"] == [production.one("aws:rds/instance:Instance").outputs["arn"]]
    role = next(r for r in production.of_type("aws:iam/role:Role") if r.name == "acme-db-backup-role")
    assert selection["iamRoleArn"] == role.outputs["arn"]
    assert "backup.amazonaws.com" in role.inputs["assumeRolePolicy"]


@pytest.mark.parametrize("database, message", [
    ({"drRegion": "us-west-2"}, "phasegate:database.drRegion: us-west-2 is the stack's own region"),
    ({"drRegion": "mars-1"}, "phasegate:database.drRegion: 'mars-1' has no prices in the catalog"),
])
def test_a_dr_region_that_cannot_work_is_refused(database, message):
    values = stack_values("production")
    values["phasegate:database"] = database
    with pytest.raises(ProgramError) as error:
        run_with("production", values)
    assert error.value.messages[0].startswith(f"Pulumi.production.yaml: {message}"), error.value.messages


def test_a_region_without_a_dr_partner_must_name_one():
    values = stack_values("production")
    values["aws:region"] = "ap-southeast-1"
    with pytest.raises(ProgramError) as error:
        run_with("production", values)
    assert "Pulumi.production.yaml: phasegate:database.drRegion: is required with drCopy in ap-southeast-1, which " \
           "has no default partner region; name one, e.g. us-west-2" in error.value.messages


def test_each_nat_gateway_alarms_on_port_exhaustion_and_dropped_packets(production):
    alarms = {a.name: a.inputs for a in production.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    gateways = [g.id for g in sorted(production.of_type("aws:ec2/natGateway:NatGateway"), key=lambda g: g.name)]
    topic = production.one("aws:sns/topic:Topic").outputs["arn"] if len(production.of_type("aws:sns/topic:Topic")) == 1 \
        else next(t for t in production.of_type("aws:sns/topic:Topic") if t.name == "acme-alerts-topic").outputs["arn"]
    for index, gateway in enumerate(gateways):
        ports, drops = alarms[f"acme-alerts-nat-{index}-port-allocation"], alarms[f"acme-alerts-nat-{index}-packets-dropped"]
        assert (ports["metricName"], ports["namespace"], ports["dimensions"]) == (
            "ErrorPortAllocation", "AWS/NATGateway", {"NatGatewayId": gateway})
        assert (drops["metricName"], drops["evaluationPeriods"]) == ("PacketsDropCount", 3)
        assert ports["alarmActions"] == [topic] == drops["alarmActions"]


def test_admins_get_cluster_access_through_access_entries():
    values = stack_values("production")
    values["phasegate:compute"] = {"runtime": "eks", "adminPrincipalArns": ["arn:aws:iam::123456789012:role/platform"]}
    cluster = run_with("production", values).one("eks:index:Cluster").inputs
    assert cluster["accessEntries"] == {"admin-0": {
        "principalArn": "arn:aws:iam::123456789012:role/platform",
        "accessPolicies": {"cluster-admin": {
            "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            "accessScope": {"type": "cluster"}}}}}


@pytest.mark.parametrize("principal, caller, same", [
    ("arn:aws:iam::123456789012:role/deploy", "arn:aws:sts::123456789012:assumed-role/deploy/ci-run-42", True),
    # an assumed-role ARN drops the role's path: a role is matched by account and name
    ("arn:aws:iam::123456789012:role/ci/deploy", "arn:aws:sts::123456789012:assumed-role/deploy/s", True),
    ("arn:aws:iam::123456789012:role/deploy", "arn:aws:sts::210987654321:assumed-role/deploy/s", False),
    ("arn:aws:iam::123456789012:role/deploy", "arn:aws:sts::123456789012:assumed-role/deployer/s", False),
    ("arn:aws:iam::123456789012:user/ops/alice", "arn:aws:iam::123456789012:user/ops/alice", True),
    ("arn:aws:iam::123456789012:user/alice", "arn:aws:sts::123456789012:assumed-role/alice/s", False),
    ("arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::123456789012:root", False),
    ("arn:aws-cn:iam::123456789012:role/deploy", "arn:aws:sts::123456789012:assumed-role/deploy/s", False),
])
def test_the_caller_is_recognised_in_its_role_or_user_arn(principal, caller, same):
    assert is_caller(principal, caller) is same


def test_the_callers_own_admin_entry_is_left_out_since_eks_bootstraps_the_creator():
    """pulumi-eks sets bootstrapClusterCreatorAdminPermissions: the caller already has an entry, and a second one
    fails with ResourceInUseException. The others keep their index, so their names (and URNs) stay."""
    values = stack_values("production")
    values["phasegate:compute"] = {"runtime": "eks", "adminPrincipalArns": [
        f"arn:aws:iam::{ACCOUNT_ID}:user/ci", "arn:aws:iam::123456789012:role/platform"]}  # the mocks' caller is user/ci
    entries = run_with("production", values).one("eks:index:Cluster").inputs["accessEntries"]
    assert list(entries) == ["admin-1"] and entries["admin-1"]["principalArn"] == "arn:aws:iam::123456789012:role/platform"


def test_a_declared_creator_keeps_its_entry_out_whoever_runs_the_update():
    """Once another principal runs `pulumi up` (here the mocks' caller, user/ci), the caller is no longer the creator:
    without clusterCreatorArn the creator's entry would come back and fail with ResourceInUseException."""
    values = stack_values("production")
    creator = "arn:aws:iam::123456789012:role/path/platform"
    values["phasegate:compute"] = {"runtime": "eks", "clusterCreatorArn": creator, "adminPrincipalArns": [
        f"arn:aws:iam::{ACCOUNT_ID}:user/ci", creator]}
    entries = run_with("production", values).one("eks:index:Cluster").inputs["accessEntries"]
    assert list(entries) == ["admin-0"] and entries["admin-0"]["principalArn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/ci"


def test_node_groups_wait_for_every_policy_of_their_role(production):
    """A child of the role is not a dependency: the node group names each attachment itself."""
    role = next(r for r in production.of_type("aws:iam/role:Role") if r.name == "acme-eks-node-role")
    attachments = [a.urn for a in production.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                   if a.parent == role.urn]
    assert len(attachments) == 4
    assert set(attachments) <= set(production.one(NODE_GROUP).dependencies)


def test_releases_and_app_objects_wait_for_their_pod_roles_inline_policy(production):
    policies = {p.name: p.urn for p in production.of_type("aws:iam/rolePolicy:RolePolicy")}
    operator = find(production.resources, "acme-eks-external-secrets")
    assert policies["acme-eks-external-secrets-access"] in operator.dependencies
    deployment = production.of_type("kubernetes:apps/v1:Deployment")[0]
    assert policies["acme-eks-app-access"] in deployment.dependencies


def test_metrics_server_feeds_the_autoscalers(production):
    """EKS does not install metrics-server; without it no HorizontalPodAutoscaler gets a metric."""
    release = find(production.resources, "acme-eks-metrics-server")
    assert (release.inputs["chart"], release.inputs["version"], release.inputs["namespace"]) == (
        "metrics-server", "3.13.1", "kube-system")
    assert release.inputs["repositoryOpts"] == {"repo": "https://kubernetes-sigs.github.io/metrics-server/"}
    assert release.inputs["values"]["replicas"] == 2
    assert set(g.urn for g in production.of_type(NODE_GROUP)) <= set(release.dependencies)
    for hpa in production.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"):
        assert release.urn in hpa.dependencies


def test_traefik_is_a_node_port_that_trusts_forwarded_headers_from_the_vpc_only(production):
    """Behind the ALB, apps see https and the client's address: Traefik keeps X-Forwarded-* from the VPC's range
    (a NodePort hop source-NATs to a node). Chart 41.x reads the Service type from service.spec.type; service.type
    is ignored and would leave a LoadBalancer Service (a Classic Load Balancer)."""
    values = find(production.resources, "acme-eks-traefik").inputs["values"]
    assert values["ports"]["web"]["forwardedHeaders"] == {"trustedIPs": ["10.30.0.0/16"]}
    assert values["service"] == {"spec": {"type": "NodePort"}}
    assert values["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"}}


def test_without_maxbodymb_the_ingress_buffers_nothing_and_keeps_its_urn(production):
    """Traefik's buffering middleware also buffers responses (maxResponseBodyBytes,
    https://doc.traefik.io/traefik/middlewares/http/buffering/), so it comes only with a service's maxBodyMb."""
    assert production.of_type("kubernetes:traefik.io/v1alpha1:Middleware") == []
    [ingress] = production.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    assert ingress.name == "acme-eks-ingress-acme"  # the Ingress every earlier release created: same URN
    assert "annotations" not in ingress.inputs["metadata"]


def test_a_service_with_maxbodymb_gets_its_limit_from_a_traefik_middleware():
    values = stack_values("production")
    for service in values["phasegate:app"]["services"]:
        service["maxBodyMb"] = 10
    run = run_with("production", values)
    [middleware] = run.of_type("kubernetes:traefik.io/v1alpha1:Middleware")
    assert middleware.inputs["spec"] == {"buffering": {"maxRequestBodyBytes": 10 * 1024 * 1024}}
    [ingress] = run.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    assert ingress.inputs["metadata"]["annotations"] == {
        "traefik.ingress.kubernetes.io/router.middlewares": "phasegate-body-limit-10mb@kubernetescrd"}


def test_external_secrets_refresh_within_five_minutes_of_a_rotation():
    """RDS rotates the password every 7 days; the operator re-reads it at least every 5 minutes, Reloader rolls."""
    assert {o["spec"]["refreshInterval"] for o in _objects("ExternalSecret").values()} == {"5m"}


@pytest.mark.parametrize("arn", ["*", "arn:aws:iam::123456789012:role/*", "arn:aws:iam::12345:role/x",
                                 "arn:aws:iam::123456789012:group/admins", "arn:aws:iam::123456789012:role/a b"])
def test_an_admin_principal_must_be_one_role_or_user(arn):
    values = stack_values("production")
    values["phasegate:compute"] = {"runtime": "eks", "adminPrincipalArns": [arn]}
    with pytest.raises(ProgramError) as error:
        run_with("production", values)
    assert error.value.messages[0] == (
        f"Pulumi.production.yaml: phasegate:compute.adminPrincipalArns[0]: {arn!r} is not an IAM role or user ARN "
        f"such as arn:aws:iam::123456789012:role/platform-admin")


def test_pods_that_cannot_be_scheduled_on_the_nodes_are_refused():
    values = stack_values("production")
    for service in values["phasegate:app"]["services"]:
        service["cpu"] = 1
    with pytest.raises(ProgramError) as error:
        run_with("production", values)
    assert error.value.messages == [
        "Pulumi.production.yaml: phasegate:app.services: the services request 6 vCPUs at their replicas (plus 0.6 "
        "for CoreDNS, metrics-server, Traefik), more than 3 x t3.medium can schedule (5.42 vCPUs after what EKS and "
        "its daemons reserve): "
        "pods would stay Pending; lower cpu or replicas, or raise compute.minNodes or the node type"]


def test_the_waf_guards_the_load_balancer_with_managed_rules_and_a_rate_limit(production):
    acl = production.one("aws:wafv2/webAcl:WebAcl")
    association = production.one("aws:wafv2/webAclAssociation:WebAclAssociation").inputs
    assert association == {"resourceArn": production.one("aws:lb/loadBalancer:LoadBalancer").outputs["arn"],
                           "webAclArn": acl.outputs["arn"]}
    rules = acl.inputs["rules"]
    assert acl.inputs["scope"] == "REGIONAL" and acl.inputs["defaultAction"] == {"allow": {}}
    assert [(r["name"], r["priority"]) for r in rules] == [
        ("AWSManagedRulesCommonRuleSet", 0), ("AWSManagedRulesKnownBadInputsRuleSet", 1),
        ("AWSManagedRulesAmazonIpReputationList", 2), ("rate-limit-per-ip", 3)]
    assert all(r["statement"]["managedRuleGroupStatement"]["vendorName"] == "AWS" for r in rules[:3])
    assert rules[3]["action"] == {"block": {}}
    assert rules[3]["statement"]["rateBasedStatement"] == {"aggregateKeyType": "IP", "limit": 2000,
                                                            "evaluationWindowSec": 300}
    assert len(MANAGED_RULE_GROUPS) == 3


def test_http_redirects_to_https_on_the_domain(production):
    listeners = {r.inputs["port"]: r.inputs for r in production.of_type("aws:lb/listener:Listener")}
    assert listeners[443]["protocol"] == "HTTPS"
    assert listeners[80]["defaultActions"] == [{"type": "redirect", "redirect": {
        "protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]


def test_the_app_runs_as_kubernetes_objects_with_secrets_from_the_operator(production):
    kinds = sorted(r.type.split(":")[-1] for r in production.resources if r.type.startswith("kubernetes:")
                   and r.custom)
    assert kinds == ["Deployment", "Deployment", "ExternalSecret", "ExternalSecret", "HorizontalPodAutoscaler",
                     "HorizontalPodAutoscaler", "Ingress", "Namespace", "PodDisruptionBudget",
                     "PodDisruptionBudget", "Release", "Release", "Release", "Release", "SecretStore", "Service",
                     "Service", "ServiceAccount"]
    provider = production.one("pulumi:providers:kubernetes")
    assert json.loads(provider.inputs["kubeconfig"])["users"][0]["user"]["exec"]["args"][-3] == "acme-production"
    releases = {r.inputs["chart"]: r.inputs for r in production.of_type("kubernetes:helm.sh/v3:Release")}
    assert releases["traefik"]["values"]["ports"]["web"]["nodePort"] == 30080
    assert releases["external-secrets"]["version"] == "0.19.2"
    assert releases["reloader"]["values"]["reloader"]["autoReloadAll"] is False
    deployments = production.of_type("kubernetes:apps/v1:Deployment")
    assert {d.inputs["metadata"]["annotations"]["secret.reloader.stakater.com/reload"] for d in deployments} == {
        "web-secrets", "api-secrets"}  # a rotated password rolls the pods that read it
    identities = {(r.inputs["namespace"], r.inputs["serviceAccount"])
                  for r in production.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")}
    assert identities == {("external-secrets", "external-secrets"), ("phasegate", "app")}


FACTS = EksAppFacts(region="us-west-2", bucket="acme-assets-abc",
                    database=DatabaseEndpoint(address="db.example", port=5432, db_name="app",
                                              secret_arn="arn:aws:secretsmanager:us-west-2:1:secret:rds!db-1"),
                    cache=CacheEndpoint(address="cache.example", port=6379,
                                        secret_arn="arn:aws:secretsmanager:us-west-2:1:secret:cache-1"))


def _objects(kind: str) -> dict[str, dict]:
    app = build_stack_config(stack_values("production"), "production").app
    return {o["metadata"]["name"]: o for o in render_eks_objects(app, FACTS) if o["kind"] == kind}


def test_deployments_have_probes_resources_and_spread_across_zones_and_nodes():
    web = _objects("Deployment")["web"]["spec"]
    pod = web["template"]["spec"]
    [container] = pod["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["resources"] == {"requests": {"cpu": "500m", "memory": "768Mi"}, "limits": {"memory": "768Mi"}}
    assert [c["topologyKey"] for c in pod["topologySpreadConstraints"]] == [
        "topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    assert "replicas" not in web  # the HPA owns it
    assert pod["serviceAccountName"] == "app"
    assert _objects("PodDisruptionBudget")["web"]["spec"]["maxUnavailable"] == 1
    hpa = _objects("HorizontalPodAutoscaler")["web"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 9)


def test_no_secret_value_is_inline_only_references_and_templates():
    deployment = json.dumps(_objects("Deployment"))
    assert "NEXTAUTH_SECRET" not in deployment and "JWT_SECRET" not in deployment
    web = _objects("ExternalSecret")["web"]["spec"]
    assert web["target"]["name"] == "web-secrets" and web["secretStoreRef"]["name"] == "aws-secrets-manager"
    assert {d["secretKey"]: d["remoteRef"] for d in web["data"]} == {
        "db_username": {"key": FACTS.database.secret_arn, "property": "username"},
        "db_password": {"key": FACTS.database.secret_arn, "property": "password"},
        "cache_token": {"key": FACTS.cache.secret_arn},
        "NEXTAUTH_SECRET": {"key": "acme/nextauth-secret"}}
    template = web["target"]["template"]["data"]
    assert template["DATABASE_URL"] == ("postgresql://{{ .db_username | urlquery }}:{{ .db_password | urlquery }}"
                                        "@db.example:5432/app?sslmode=require")
    assert template["REDIS_URL"] == "rediss://:{{ .cache_token | urlquery }}@cache.example:6379"


# --- the production rules, over gRPC as the engine sends them ---------------------------------------------------

@pytest.fixture(scope="module", params=["update", "preview"])
def judged(request, production, production_first_preview):
    run = production_first_preview if request.param == "preview" else production
    return lambda graph: evaluate(graph, stack="production", project="phasegate", config=run.config,
                                  preview=request.param == "preview"), run


def _failures(evaluation) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for v in evaluation.mandatory_failures:
        found.setdefault(v.policy, []).append(v.message.split("\n", 1)[1])
    return found


def test_a_single_az_production_database_fails(judged):
    judge, run = judged
    graph = copy.deepcopy(run.resources)
    set_prop(find(graph, "acme-db-postgres"), "multiAz", False)
    assert _failures(judge(graph)) == {"multi-az-database": [
        "acme-db-postgres is a production database in one AZ: set multi_az=True (a standby in a second AZ takes "
        "over in about a minute)."]}


def test_a_production_load_balancer_without_waf_fails(judged):
    judge, run = judged
    graph = [r for r in copy.deepcopy(run.resources) if r.type != "aws:wafv2/webAclAssociation:WebAclAssociation"]
    assert _failures(judge(graph)) == {"waf-protection": [
        "acme-lb-alb faces the internet without AWS WAF: associate a web ACL (aws.wafv2.WebAclAssociation) with "
        "managed rule groups and a rate limit."]}


def test_a_web_acl_without_rules_fails(judged):
    judge, run = judged
    graph = copy.deepcopy(run.resources)
    set_prop(find(graph, "acme-waf-acl"), "rules", [])
    assert _failures(judge(graph)) == {"waf-protection": [
        "acme-lb-alb's web ACL acme-waf-acl has no rules, so it inspects nothing: add the AWS managed rule groups "
        "and a rate-based rule."]}


def test_plain_http_beside_https_fails(judged):
    judge, run = judged
    graph = copy.deepcopy(run.resources)
    http = find(graph, "acme-lb-http")
    set_prop(http, "defaultActions", [{"type": "forward", "targetGroupArn": "arn:tg"}])
    assert _failures(judge(graph)) == {"https-redirect": [
        "acme-lb-http serves plain HTTP on port 80 of acme-lb-alb, which has HTTPS: make its default action a "
        "redirect to HTTPS (301)."]}


def test_a_node_group_that_does_not_wait_for_its_roles_policies_fails(judged):
    judge, run = judged
    graph = copy.deepcopy(run.resources)
    [group] = [r for r in graph if r.type == NODE_GROUP]
    cni = find(graph, "acme-eks-node-cni")
    group.dependencies = [urn for urn in group.dependencies if urn != cni.urn]
    assert _failures(judge(graph)) == {"node-role-dependencies": [
        "EKS node group acme-eks-nodes does not depend on acme-eks-node-cni, the policies of its node role "
        "acme-eks-node-role: add them to its depends_on, so nodes join only once the role holds them and are drained "
        "before a destroy removes them."]}
