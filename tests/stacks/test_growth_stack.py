"""The growth stack's resource graph (K3s behind an ALB, cache, CDN, alarms) under mocks, from Pulumi.growth.yaml."""

from __future__ import annotations

import base64
import json
import re
from collections import Counter

import pytest
import yaml

from components.config import build_stack_config
from components.endpoints import DatabaseEndpoint
from components.parts.cache import cache_group_id
from components.render.k3s import TOKEN_PLACEHOLDER, ClusterFacts, render_sync_secrets
from components.render.kubernetes import render_manifests
from conftest import revealed, run_with, stack_values
from event_patterns import matches, rotation_event
from phasegate_policies.rules.boot import xtrace_violation

EC2 = "aws:ec2/instance:Instance"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LISTENER = "aws:lb/listener:Listener"


def subnets(run, tier):
    return {s.id for s in run.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["tier"] == tier}


def nodes(run):
    return [i for i in run.of_type(EC2) if i.inputs["tags"].get("phasegate:role", "").startswith("k3s")]


def test_growth_builds_one_server_one_agent_behind_one_alb_with_cache_and_cdn(growth):
    counts = Counter(r.type for r in growth.resources)
    assert counts["phasegate:k3s:K3sCluster"] == 1 and counts["phasegate:loadbalancer:LoadBalancer"] == 1
    assert counts["aws:lb/loadBalancer:LoadBalancer"] == 1 and counts["aws:lb/targetGroupAttachment:TargetGroupAttachment"] == 2
    assert counts["aws:elasticache/replicationGroup:ReplicationGroup"] == 1
    assert counts["aws:cloudfront/distribution:Distribution"] == 1
    assert counts[EC2] == 3  # server, agent, NAT instance
    assert not growth.of_type("aws:ec2/natGateway:NatGateway") and not growth.of_type("aws:ec2/eip:Eip")
    assert sorted(n.inputs["tags"]["phasegate:role"] for n in nodes(growth)) == ["k3s-agent", "k3s-server"]


def test_nodes_are_private_imdsv2_encrypted_and_keyless(growth):
    private = subnets(growth, "private")
    for node in nodes(growth):
        props = node.inputs
        assert props["subnetId"] in private, node.name
        assert props["associatePublicIpAddress"] is False and "keyName" not in props
        assert props["metadataOptions"]["httpTokens"] == "required"
        assert props["rootBlockDevice"]["encrypted"] is True and props["instanceType"] == "t3.small"
    # The two nodes sit in different AZs.
    assert len({n.inputs["subnetId"] for n in nodes(growth)}) == 2


def test_private_subnets_reach_the_internet_only_through_the_nat_instance(growth):
    nat = next(i for i in growth.of_type(EC2) if i.name == "acme-net-nat")
    assert nat.inputs["sourceDestCheck"] is False and nat.inputs["instanceType"] == "t4g.nano"
    assert nat.inputs["subnetId"] in subnets(growth, "public") and nat.inputs["associatePublicIpAddress"] is True
    [route] = growth.of_type("aws:ec2/route:Route")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["networkInterfaceId"] == nat.outputs["primaryNetworkInterfaceId"]


def test_alb_is_public_and_only_it_reaches_the_nodes_ingress(growth):
    alb = growth.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["internal"] is False and set(alb["subnets"]) == subnets(growth, "public")
    groups = {g.name: g.id for g in growth.of_type("aws:ec2/securityGroup:SecurityGroup")}
    rules = [r.inputs for r in growth.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    into_nodes = [r for r in rules if r["securityGroupId"] == groups["acme-nodes-sg"]]
    assert sorted((r.get("referencedSecurityGroupId"), r["ipProtocol"], r.get("fromPort")) for r in into_nodes) == sorted([
        (groups["acme-lb-sg"], "tcp", 80), (groups["acme-nodes-sg"], "-1", None)])
    target_group = growth.one("aws:lb/targetGroup:TargetGroup").inputs
    assert target_group["healthCheck"]["path"] == "/health" and target_group["port"] == 80
    attached = {a.inputs["targetId"] for a in growth.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")}
    assert attached == {n.id for n in nodes(growth)}


def test_with_a_domain_http_redirects_to_https_with_a_dns_validated_certificate(growth):
    listeners = {l.inputs["port"]: l.inputs for l in growth.of_type(LISTENER)}
    assert listeners[80]["defaultActions"][0]["type"] == "redirect"
    assert listeners[80]["defaultActions"][0]["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}
    https = listeners[443]
    assert https["protocol"] == "HTTPS" and https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    certificate = growth.one("aws:acm/certificate:Certificate")
    assert certificate.inputs == {**certificate.inputs, "domainName": "app.acme.example", "validationMethod": "DNS"}
    assert https["certificateArn"] == certificate.outputs["arn"]
    records = {r.name: r.inputs for r in growth.of_type("aws:route53/record:Record")}
    assert records["acme-lb-cert-validation"]["type"] == "CNAME"
    assert records["acme-lb-alias"]["name"] == "app.acme.example" and records["acme-lb-alias"]["type"] == "A"
    assert growth.outputs["url"] == "https://app.acme.example"


def test_without_a_domain_the_alb_serves_plain_http_and_no_certificate():
    values = stack_values("growth")
    del values["phasegate:app"]["domain"]
    run = run_with("growth", values)
    [listener] = run.of_type(LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"], listener.inputs["defaultActions"][0]["type"]) == (
        80, "HTTP", "forward")
    assert not run.of_type("aws:acm/certificate:Certificate") and not run.of_type("aws:route53/record:Record")
    assert run.outputs["url"].startswith("http://") and run.outputs["url"].endswith(".elb.amazonaws.com")


def test_cache_is_private_encrypted_authenticated_and_reachable_only_from_nodes(growth):
    group = growth.one("aws:elasticache/replicationGroup:ReplicationGroup")
    props = group.inputs
    assert (props["engine"], props["nodeType"], props["numCacheClusters"]) == ("valkey", "cache.t4g.micro", 1)
    assert props["atRestEncryptionEnabled"] is True and props["transitEncryptionEnabled"] is True
    assert props["authTokenWo"] and props["authTokenWoVersion"] == 1 and "authToken" not in props
    assert props["replicationGroupId"] == "acme-growth-cache"
    subnet_group = growth.one("aws:elasticache/subnetGroup:SubnetGroup").inputs
    assert set(subnet_group["subnetIds"]) == subnets(growth, "private")
    groups = {g.name: g.id for g in growth.of_type("aws:ec2/securityGroup:SecurityGroup")}
    [rule] = [r.inputs for r in growth.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
              if r.inputs["securityGroupId"] == groups["acme-cache-sg"]]
    assert (rule["fromPort"], rule["referencedSecurityGroupId"]) == (6379, groups["acme-nodes-sg"])
    version = growth.one("aws:secretsmanager/secretVersion:SecretVersion").inputs
    assert version["secretStringWo"] == props["authTokenWo"] and "secretString" not in version


def test_cdn_reads_the_private_bucket_through_origin_access_control(growth):
    distribution = growth.one("aws:cloudfront/distribution:Distribution")
    oac = growth.one("aws:cloudfront/originAccessControl:OriginAccessControl")
    origin = distribution.inputs["origins"][0]
    assert origin["originAccessControlId"] == oac.id and origin["domainName"].endswith(".s3.us-west-2.amazonaws.com")
    assert oac.inputs["signingBehavior"] == "always" and oac.inputs["originAccessControlOriginType"] == "s3"
    assert distribution.inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    policy = json.loads(growth.one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution.outputs["arn"]}}
    block = growth.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert block["blockPublicPolicy"] is True and block["restrictPublicBuckets"] is True


def test_growth_alarms_and_next_phase_triggers(growth):
    alarms = {a.name: a.inputs for a in growth.of_type(ALARM)}
    topic = growth.outputs["alertsTopicArn"]
    expected = {"acme-alerts-alb-5xx-rate", "acme-alerts-alb-unhealthy-targets", "acme-alerts-cache-0-memory",
                "acme-alerts-db-connections", "acme-alerts-db-cpu", "acme-alerts-db-free-storage",
                "acme-alerts-node-0-cpu", "acme-alerts-node-0-memory", "acme-alerts-node-0-status",
                "acme-alerts-node-1-cpu", "acme-alerts-node-1-memory", "acme-alerts-node-1-status",
                "acme-alerts-trigger-cpu", "acme-alerts-trigger-memory", "acme-alerts-trigger-requests"}
    assert expected <= set(alarms)
    assert all(alarms[name]["alarmActions"] == [topic] for name in expected)
    assert alarms["acme-alerts-cache-0-memory"]["threshold"] == 75
    assert alarms["acme-alerts-cache-0-memory"]["dimensions"] == {"CacheClusterId": "acme-growth-cache-001"}
    rate = alarms["acme-alerts-alb-5xx-rate"]
    assert [q["id"] for q in rate["metricQueries"]] == ["elb5xx", "target5xx", "requests", "rate"]
    assert rate["metricQueries"][3]["expression"] == "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests"
    assert rate["threshold"] == 1
    cpu = alarms["acme-alerts-trigger-cpu"]
    assert (cpu["threshold"], cpu["evaluationPeriods"]) == (70, 6)
    assert cpu["metricQueries"][-1]["expression"] == "AVG([n0, n1])"
    assert {q["metric"]["dimensions"]["InstanceId"] for q in cpu["metricQueries"][:-1]} == {n.id for n in nodes(growth)}
    assert alarms["acme-alerts-trigger-memory"]["threshold"] == 80
    requests = alarms["acme-alerts-trigger-requests"]
    assert (requests["metricName"], requests["statistic"], requests["period"], requests["threshold"]) == (
        "RequestCount", "Sum", 86400, 100000)


def test_database_follows_the_growth_preset(growth):
    db = growth.one("aws:rds/instance:Instance")
    assert db.inputs["backupRetentionPeriod"] == 14 and db.inputs["maxAllocatedStorage"] == 200
    assert db.inputs["publiclyAccessible"] is False and db.protect


# --- the join token path ------------------------------------------------------------------------------------

def _policy(run, role):
    return json.loads(next(p for p in run.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == role).inputs["policy"])


def _decoded(user_data: str) -> dict[str, str]:
    return {path: base64.b64decode(b64).decode()
            for b64, path in re.findall(r"echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)", user_data)}


def test_the_join_token_goes_server_to_securestring_to_agents_and_never_through_pulumi(growth):
    parameter = growth.one("aws:ssm/parameter:Parameter")
    assert parameter.inputs["type"] == "SecureString" and parameter.inputs["name"] == "/phasegate/acme/growth/k3s-token"
    # Write-only and secret: sent to AWS once, never diffed or read back; only the placeholder is ever in state.
    assert revealed(parameter.inputs["valueWo"]) == TOKEN_PLACEHOLDER and "value" not in parameter.inputs
    assert parameter.inputs["valueWo"] != TOKEN_PLACEHOLDER
    server_policy, agent_policy = _policy(growth, "acme-k3s-server-access"), _policy(growth, "acme-k3s-agent-access")
    token_arn = parameter.outputs["arn"]
    assert {"Sid": "JoinToken", "Effect": "Allow", "Action": "ssm:PutParameter", "Resource": token_arn} in server_policy["Statement"]
    assert {"Sid": "JoinToken", "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": token_arn} in agent_policy["Statement"]
    assert not any(s["Sid"] == "ReadAppSecrets" for s in agent_policy["Statement"])  # agents read no app secret
    server = next(n for n in nodes(growth) if n.name == "acme-k3s-server").inputs["userData"]
    agent = next(n for n in nodes(growth) if n.name == "acme-k3s-agent-0").inputs["userData"]
    server_ip = next(n for n in nodes(growth) if n.name == "acme-k3s-server").outputs["privateIp"]
    assert (f"until ca_hash=$(curl -ksf --max-time 5 https://{server_ip}:6443/cacerts | sha256sum) && token=$(aws ssm "
            "get-parameter --region us-west-2 --name '/phasegate/acme/growth/k3s-token' --with-decryption") in agent
    assert f"K3S_URL='https://{server_ip}:6443'" in agent and "INSTALL_K3S_VERSION='v1.31.4+k3s1'" in agent


def test_agents_join_with_an_agent_token_and_the_server_token_never_leaves_the_server(growth):
    """The server token gives full control of the cluster; the agent token joins agents only
    (https://docs.k3s.io/cli/token). The server sets it with K3S_AGENT_TOKEN (https://docs.k3s.io/cli/server) and
    publishes the secure form K3s writes (with the CA hash); `k3s agent` reads its token from K3S_TOKEN
    (https://docs.k3s.io/cli/agent). Before, the server published its own token and agents joined with it."""
    server = next(n for n in nodes(growth) if n.name == "acme-k3s-server").inputs["userData"]
    agent = next(n for n in nodes(growth) if n.name == "acme-k3s-agent-0").inputs["userData"]
    assert "agent_token=$(openssl rand -hex 32)\n" in server
    assert 'K3S_AGENT_TOKEN="$agent_token" sh -s - server ' in server and "K3S_TOKEN" not in server
    # Only the agent token is published, read from the file K3s writes, so it is in no command line.
    assert ("until [ -s /var/lib/rancher/k3s/server/agent-token ]; do sleep 2; done\n"
            "aws ssm put-parameter --region us-west-2 --name '/phasegate/acme/growth/k3s-token' --type SecureString "
            "--overwrite --value file:///var/lib/rancher/k3s/server/agent-token >/dev/null\n") in server
    assert "/var/lib/rancher/k3s/server/token" not in server and "node-token" not in server
    assert 'K3S_TOKEN="$token" sh -s - agent\n' in agent and "K3S_AGENT_TOKEN" not in agent
    # No token on any command line: only in the environment of the installer (never `--token <value>`).
    for script in (server, agent):
        assert "--token" not in script and '--value "$' not in script


def test_no_node_script_runs_with_xtrace(growth):
    """cloud-init copies the boot script's output to /var/log/cloud-init-output.log and the console; under the old
    `set -euxo pipefail` the trace printed the join token there."""
    for node in nodes(growth):
        user_data = node.inputs["userData"]
        scripts = {"user data": user_data, **{p: t for p, t in _decoded(user_data).items() if t.startswith("#!")}}
        for name, script in scripts.items():
            assert xtrace_violation(script, allow_scoped=False) is None, (node.name, name)
            assert "set -euo pipefail\n" in script, (node.name, name)


def _traefik_values(server_user_data: str) -> dict:
    files = _decoded(server_user_data)
    config = yaml.safe_load(files["/var/lib/rancher/k3s/server/manifests/phasegate-traefik-config.yaml"])
    assert (config["apiVersion"], config["kind"]) == ("helm.cattle.io/v1", "HelmChartConfig")
    assert config["metadata"] == {"name": "traefik", "namespace": "kube-system"}
    return yaml.safe_load(config["spec"]["valuesContent"])


def test_traefik_trusts_forwarded_headers_from_the_vpc_and_the_pod_network(growth):
    """Traefik keeps X-Forwarded-For/-Proto only from trusted addresses; ServiceLB masquerades, so it sees a pod (or
    node) address, not the ALB's: trust the VPC and the cluster CIDR, or apps see http and a cluster address.
    K3s customises its packaged Traefik with a HelmChartConfig in its manifests directory
    (https://docs.k3s.io/helm#customizing-packaged-components-with-helmchartconfig)."""
    server = next(n for n in nodes(growth) if n.name == "acme-k3s-server").inputs["userData"]
    vpc = growth.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"]
    assert _traefik_values(server) == {"ports": {"web": {"forwardedHeaders": {"trustedIPs": [vpc, "10.42.0.0/16"]}}}}
    # Written before K3s is installed, so Traefik starts with it instead of being redeployed.
    assert server.index("phasegate-traefik-config.yaml") < server.index("https://get.k3s.io")


def test_traefik_trusts_the_pod_network_k3s_really_runs_with():
    values = stack_values("growth")
    values["phasegate:network"] = {"cidr": "10.42.0.0/16"}  # overlaps K3s's default pods: fallback ranges are used
    run = run_with("growth", values)
    server = next(n for n in nodes(run) if n.name == "acme-k3s-server").inputs["userData"]
    assert "--cluster-cidr '172.30.0.0/16'" in server
    trusted = _traefik_values(server)["ports"]["web"]["forwardedHeaders"]["trustedIPs"]
    assert trusted == ["10.42.0.0/16", "172.30.0.0/16"]


def test_a_password_rotation_syncs_the_servers_secrets_at_once(growth):
    """Only the server holds the app's secrets: the rotation runs `systemctl start phasegate-sync-secrets.service` on
    it (SSM Run Command, AWS-RunShellScript), and the 15-minute timer stays as the fallback."""
    server = next(n for n in nodes(growth) if n.name == "acme-k3s-server")
    rule = growth.one("aws:cloudwatch/eventRule:EventRule")
    target = growth.one("aws:cloudwatch/eventTarget:EventTarget")
    assert rule.name == "acme-k3s-on-rotation" and target.parent == rule.urn
    assert matches(rule.inputs["eventPattern"], rotation_event(growth.outputs["databaseSecretArn"], "us-west-2"))
    cache_secret = growth.one("aws:secretsmanager/secret:Secret").outputs["arn"]
    assert not matches(rule.inputs["eventPattern"], rotation_event(cache_secret, "us-west-2"))
    assert target.inputs["arn"] == "arn:aws:ssm:us-west-2::document/AWS-RunShellScript"
    assert target.inputs["runCommandTargets"] == [{"key": "InstanceIds", "values": [server.id]}]
    assert json.loads(target.inputs["input"]) == {"commands": ["systemctl start phasegate-sync-secrets.service"]}
    policy = _policy(growth, "acme-k3s-events-send-command")
    assert policy["Statement"][0]["Action"] == "ssm:SendCommand"
    assert policy["Statement"][0]["Resource"] == ["arn:aws:ssm:us-west-2:*:document/AWS-RunShellScript",
                                                  f"arn:aws:ec2:us-west-2:123456789012:instance/{server.id}"]
    timer = _decoded(server.inputs["userData"])["/etc/systemd/system/phasegate-sync-secrets.timer"]
    assert "OnUnitActiveSec=15min" in timer


def test_server_applies_the_rendered_manifests_and_syncs_secrets_from_secrets_manager(growth):
    server = next(n for n in nodes(growth) if n.name == "acme-k3s-server").inputs["userData"]
    files = _decoded(server)
    manifests = list(yaml.safe_load_all(files["/var/lib/rancher/k3s/server/manifests/phasegate-app.yaml"]))
    assert [m["kind"] for m in manifests] == [
        "Namespace", "Deployment", "Service", "Deployment", "Service", "Ingress"]
    sync = files["/usr/local/sbin/phasegate-sync-secrets"]
    assert growth.outputs["databaseSecretArn"] in sync
    cache_secret = growth.one("aws:secretsmanager/secret:Secret").outputs["arn"]
    assert cache_secret in sync and "rediss://" in sync
    assert 'create secret generic web-secrets --from-file="$work"/web ' in sync
    assert "OnUnitActiveSec=15min" in files["/etc/systemd/system/phasegate-sync-secrets.timer"]


# --- manifests, as YAML -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def manifests():
    app = build_stack_config(stack_values("growth"), "Pulumi.growth.yaml").app
    return list(yaml.safe_load_all(render_manifests(app, "us-west-2", "acme-assets-1")))


def test_deployments_have_resources_probes_replicas_and_secret_refs(manifests):
    web = next(m for m in manifests if m["kind"] == "Deployment" and m["metadata"]["name"] == "web")
    assert web["spec"]["replicas"] == 2
    container = web["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/web:1.9.0"
    assert container["resources"] == {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "512Mi"}}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["envFrom"] == [{"secretRef": {"name": "web-secrets"}}]
    assert {"name": "NODE_ENV", "value": "production"} in container["env"]


def test_manifests_hold_no_secret(manifests):
    assert all(m["kind"] != "Secret" for m in manifests)
    text = yaml.safe_dump_all(manifests)
    for forbidden in ("DATABASE_URL", "REDIS_URL", "NEXTAUTH_SECRET", "JWT_SECRET", "acme/jwt-secret", "password"):
        assert forbidden not in text


def test_ingress_routes_longest_prefix_first_to_each_public_service(manifests):
    [ingress] = [m for m in manifests if m["kind"] == "Ingress"]
    paths = ingress["spec"]["rules"][0]["http"]["paths"]
    assert [(p["path"], p["backend"]["service"]["name"], p["backend"]["service"]["port"]["number"]) for p in paths] == [
        ("/api", "api", 4001), ("/", "web", 3000)]
    assert ingress["spec"]["ingressClassName"] == "traefik" and "host" not in ingress["spec"]["rules"][0]


def test_secret_sync_without_a_cache_sets_no_redis_url():
    app = build_stack_config(stack_values("growth"), "Pulumi.growth.yaml").app
    facts = ClusterFacts(region="us-west-2", log_group="/g", token_parameter="/t", bucket="b",
                         database=DatabaseEndpoint(address="db", port=5432, db_name="app", secret_arn="arn:db"))
    script = render_sync_secrets(app, facts)
    assert "REDIS_URL" not in script and "DATABASE_URL" in script


def test_cache_group_ids_are_valid_elasticache_names():
    assert cache_group_id("acme", "growth") == "acme-growth-cache"
    long = cache_group_id("a-very-long-application-name", "Feature_Branch--42")
    assert len(long) <= 40 and re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", long) and "--" not in long


# --- the growth graph against the pack ----------------------------------------------------------------------

def test_a_node_moved_to_a_public_subnet_breaks_private_subnets(growth):
    import copy

    from conftest import find, set_prop
    from offline.analyzer import evaluate

    graph = copy.deepcopy(growth.resources)
    agent, public = find(graph, "acme-k3s-agent-0"), find(graph, "acme-net-public-1")
    set_prop(agent, "subnetId", public.id)
    agent.property_dependencies["subnetId"] = [public.urn]
    evaluation = evaluate(graph, stack="growth", project="phasegate", config=growth.config)
    assert [(v.policy, v.message.split("\n", 1)[1]) for v in evaluation.mandatory_failures] == [
        ("private-subnets", "Kubernetes node acme-k3s-agent-0 is reachable from the internet: place it in a private "
                            "subnet without a public IP.")]


def test_a_bigger_cache_does_not_fit_the_growth_ceiling():
    from offline.check import check_stack
    from project import config_as_engine_text

    values = stack_values("growth")
    values["phasegate:cache"] = {"nodeType": "cache.t4g.small"}
    report = check_stack("growth", config=config_as_engine_text(values))
    assert report.total_usd == 109.1  # + 730 h x ($0.0256 - $0.0128), Valkey at 80% of Redis OSS
    [violation] = report.evaluation.mandatory_failures
    assert violation.message.split("\n", 1)[1].startswith(
        "Estimated $109.10/month exceeds the growth ceiling of $105.00 by $4.10. Top cost drivers: acme-lb-alb $24.21")


def test_the_database_can_start_from_the_previous_phases_snapshot():
    values = stack_values("growth")
    values["phasegate:database"] = {"snapshotIdentifier": "acme-mvp-cutover"}
    db = run_with("growth", values).one("aws:rds/instance:Instance")
    assert db.inputs["snapshotIdentifier"] == "acme-mvp-cutover" and db.protect
    assert db.inputs["manageMasterUserPassword"] is True and db.inputs["storageEncrypted"] is True


def test_the_alias_record_takes_over_the_domain_at_cutover(growth):
    alias = next(r for r in growth.of_type("aws:route53/record:Record") if r.name == "acme-lb-alias")
    assert alias.inputs["allowOverwrite"] is True
    assert alias.inputs["aliases"][0]["evaluateTargetHealth"] is True


def test_container_logs_go_to_a_log_group_with_the_configured_retention(growth):
    log_group = growth.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert (log_group["name"], log_group["retentionInDays"]) == ("/phasegate/acme/growth", 14)
    values = stack_values("growth")
    values["phasegate:compute"] = {"logRetentionDays": 30}
    assert run_with("growth", values).one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 30
