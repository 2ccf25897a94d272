"""Pure rendering and planning logic: compose file, Caddyfile, boot script, subnet plan, connection limits."""

from __future__ import annotations

import base64
import ipaddress
import re

import pytest
import yaml

from components.config import build_stack_config
from components.endpoints import DatabaseEndpoint
from components.parts.ec2 import al2023_parameter, is_graviton
from components.render.cidr import plan_subnets
from components.render.compose import USER_DATA_LIMIT, HostFacts, render_caddyfile, render_compose, render_user_data
from components.render.limits import max_connections
from conftest import stack_values
from phasegate_policies.rules.boot import xtrace_violation

FACTS = HostFacts(region="us-east-1", log_group="/phasegate/acme/mvp", bucket="acme-assets-1",
                  database=DatabaseEndpoint(address="db.example.internal", port=5432, db_name="app",
                                            secret_arn="arn:aws:secretsmanager:us-east-1:1:secret:rds!db-x"))


@pytest.fixture(scope="module")
def app():
    return build_stack_config(stack_values("mvp"), "Pulumi.mvp.yaml").app


def test_compose_runs_every_service_behind_the_proxy_with_limits_and_awslogs(app):
    compose = yaml.safe_load(render_compose(app, FACTS))["services"]
    assert list(compose) == ["proxy", "web", "api"]
    assert compose["proxy"]["ports"] == ["80:80", "443:443"]
    web = compose["web"]
    assert web["image"] == "ghcr.io/acme/web:1.4.2"
    assert web["deploy"]["resources"]["limits"] == {"cpus": "0.5", "memory": "512M"}
    assert web["environment"]["NODE_ENV"] == "production" and web["environment"]["ASSETS_BUCKET"] == "acme-assets-1"
    assert web["env_file"] == ["secrets/web.env"]
    assert web["logging"]["options"]["awslogs-group"] == "/phasegate/acme/mvp"
    assert "ports" not in web  # only the proxy publishes ports


def test_caddy_routes_longest_prefix_first_and_serves_http_without_a_domain(app):
    caddyfile = render_caddyfile(app)
    assert caddyfile.startswith(":80 {")
    assert caddyfile.index("handle /api*") < caddyfile.index("handle {")
    assert "reverse_proxy api:4001" in caddyfile and "health_uri /healthz" in caddyfile


def test_caddy_gets_a_certificate_when_a_domain_is_set():
    values = stack_values("mvp")
    values["phasegate:app"]["domain"] = "app.acme.example"
    app = build_stack_config(values, "Pulumi.mvp.yaml").app
    assert render_caddyfile(app).startswith("app.acme.example {")


def _decoded_files(user_data: str) -> dict[str, str]:
    return {path: base64.b64decode(b64).decode()
            for b64, path in re.findall(r"echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)", user_data)}


def test_user_data_fetches_secrets_at_boot_and_never_embeds_them(app):
    user_data = render_user_data(app, FACTS)
    files = _decoded_files(user_data)
    assert set(files) == {"/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json",
                          "/opt/phasegate/compose.yaml", "/opt/phasegate/Caddyfile",
                          "/opt/phasegate/fetch-secrets.sh", "/etc/systemd/system/phasegate-app.service",
                          "/etc/systemd/system/phasegate-secrets.service", "/etc/systemd/system/phasegate-secrets.timer"}
    fetch = files["/opt/phasegate/fetch-secrets.sh"]
    assert "umask 077" in fetch
    assert "--secret-id 'arn:aws:secretsmanager:us-east-1:1:secret:rds!db-x'" in fetch
    assert ("aws secretsmanager get-secret-value --region us-east-1 --secret-id 'acme/jwt-secret' --query SecretString "
            "--output json | jq -je . | env_line JWT_SECRET >> secrets/api.env.tmp") in fetch
    assert "sslmode=require" in fetch
    assert "ExecStartPre=/opt/phasegate/fetch-secrets.sh" in files["/etc/systemd/system/phasegate-app.service"]
    assert "mem_used_percent" in files["/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json"]
    # RDS rotates the managed password every 7 days: the rotation event starts the refresh at once (SSM Run
    # Command); the timer is the fallback and runs at most 15 minutes apart (it was hourly).
    timer = files["/etc/systemd/system/phasegate-secrets.timer"]
    assert "OnUnitActiveSec=15min" in timer and "OnBootSec=15min" in timer
    refresh = files["/etc/systemd/system/phasegate-secrets.service"]
    assert "ExecStart=/opt/phasegate/fetch-secrets.sh" in refresh and "Type=oneshot" in refresh
    assert "RemainAfterExit" not in refresh  # so every `systemctl start` from the rotation rule runs it again
    assert "systemctl enable --now phasegate-app.service phasegate-secrets.timer" in user_data


def test_no_compose_host_script_runs_with_xtrace(app):
    """cloud-init copies the boot script's output to /var/log/cloud-init-output.log and the console
    (https://docs.cloud-init.io/en/latest/reference/user_files.html); it used to start `set -euxo pipefail`."""
    user_data = render_user_data(app, FACTS)
    scripts = {"user data": user_data, **{path: text for path, text in _decoded_files(user_data).items()
                                          if text.startswith("#!")}}
    assert set(scripts) == {"user data", "/opt/phasegate/fetch-secrets.sh"}
    for name, script in scripts.items():
        assert xtrace_violation(script, allow_scoped=False) is None, name
        assert "set -euo pipefail\n" in script, name


def test_caddy_limits_the_request_body_of_each_service_that_sets_one_in_its_own_route():
    """request_body max_size answers 413 past the limit
    (https://caddyserver.com/docs/caddyfile/directives/request_body); maxBodyMb is in MiB, which go-humanize reads as 2^20 bytes."""
    values = stack_values("mvp")
    values["phasegate:app"]["services"][1]["maxBodyMb"] = 100
    caddyfile = render_caddyfile(build_stack_config(values, "Pulumi.mvp.yaml").app)
    api, web = caddyfile.split("\thandle {")
    assert "\thandle /api* {\n\t\trequest_body {\n\t\t\tmax_size 100MiB\n\t\t}\n\t\treverse_proxy api:4001 {" in api
    assert web.startswith("\n\t\treverse_proxy web:3000 {")  # no maxBodyMb: no limit of phasegate's
    assert caddyfile.count("request_body") == 1


def test_user_data_over_the_ec2_limit_is_refused_with_a_reason(app):
    big = app.model_copy(update={"services": [
        s.model_copy(update={"environment": {f"VAR_{i}": "x" * 200 for i in range(60)}}) for s in app.services]})
    with pytest.raises(ValueError, match=f"over EC2's {USER_DATA_LIMIT}-byte limit"):
        render_user_data(big, FACTS)


@pytest.mark.parametrize("cidr, azs", [("10.0.0.0/16", 2), ("10.0.0.0/16", 3), ("172.16.0.0/20", 3),
                                       ("192.168.4.0/24", 2)])
def test_subnet_plan_is_disjoint_inside_the_vpc_and_stable_when_adding_an_az(cidr, azs):
    plan = plan_subnets(cidr, azs)
    nets = [ipaddress.IPv4Network(c) for c in plan.public + plan.private]
    assert all(n.subnet_of(ipaddress.IPv4Network(cidr)) for n in nets)
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])
    bigger = plan_subnets(cidr, azs + 1)
    assert bigger.public[:azs] == plan.public and bigger.private[:azs] == plan.private


def test_subnet_plan_refuses_a_vpc_too_small_to_split():
    with pytest.raises(ValueError, match="too small"):
        plan_subnets("10.0.0.0/25", 2)


def test_postgres_connection_limits_follow_rds_defaults():
    assert [max_connections(c) for c in ("db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.r6g.large")] == [
        112, 225, 450, 1802]
    # Larger classes reach RDS's cap of 5000; a class the catalog cannot size gets the cap, never a crash.
    assert [max_connections(c) for c in ("db.r6g.4xlarge", "db.m7g.xlarge", "db.zz9.large")] == [5000, 1802, 5000]


def test_ami_architecture_follows_the_instance_family():
    assert is_graviton("t4g.nano") and is_graviton("m6gd.large") and not is_graviton("t3.small")
    assert al2023_parameter("t3.small").endswith("al2023-ami-kernel-default-x86_64")
    assert al2023_parameter("t4g.nano").endswith("al2023-ami-kernel-default-arm64")
