"""The one composition: optional parts follow the config in every phase, whatever the runtime."""

from __future__ import annotations

import base64
import json
import re

from conftest import run_with, stack_values


def _files(user_data: str) -> dict[str, str]:
    return {path: base64.b64decode(b64).decode()
            for b64, path in re.findall(r"echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)", user_data)}


def test_an_mvp_that_enables_the_cache_and_cdn_gets_them_and_the_host_gets_redis_url():
    values = stack_values("mvp")
    values["phasegate:cache"] = {"enabled": True}
    values["phasegate:cdn"] = {"enabled": True}
    run = run_with("mvp", values)
    group = run.one("aws:elasticache/replicationGroup:ReplicationGroup")
    assert group.inputs["transitEncryptionEnabled"] is True
    assert run.one("aws:cloudfront/distribution:Distribution")
    cache_secret = run.one("aws:secretsmanager/secret:Secret").outputs["arn"]
    fetch = _files(run.one("aws:ec2/instance:Instance").inputs["userData"])["/opt/phasegate/fetch-secrets.sh"]
    assert cache_secret in fetch and """printf '%s' "$redis_url" | env_line REDIS_URL >> secrets/web.env.tmp""" in fetch
    policy = json.loads(next(r for r in run.of_type("aws:iam/rolePolicy:RolePolicy")
                             if r.name == "acme-app-access").inputs["policy"])
    reads = next(s for s in policy["Statement"] if s["Sid"] == "ReadAppSecrets")["Resource"]
    assert cache_secret in reads
    # The cache admits the compose host's security group only.
    groups = {g.name: g.id for g in run.of_type("aws:ec2/securityGroup:SecurityGroup")}
    [rule] = [r.inputs for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
              if r.inputs["securityGroupId"] == groups["acme-cache-sg"]]
    assert rule["referencedSecurityGroupId"] == groups["acme-web-sg"]
    assert run.outputs["cacheAddress"] and run.outputs["cdnDomainName"].endswith(".cloudfront.net")


def test_a_growth_stack_without_cache_or_cdn_leaves_them_out():
    values = stack_values("growth")
    values["phasegate:cache"] = {"enabled": False}
    values["phasegate:cdn"] = {"enabled": False}
    run = run_with("growth", values)
    assert not run.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert not run.of_type("aws:cloudfront/distribution:Distribution")
    assert "cacheAddress" not in run.outputs and "cdnDomainName" not in run.outputs
    alarms = {a.name for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert not any("cache" in name for name in alarms)
