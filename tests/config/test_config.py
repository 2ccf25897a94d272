"""Stack config: every stack file validates, presets fill the gaps, and bad input gets an exact, located message."""

from __future__ import annotations

import pytest

from components.config import ConfigError, Egress, Phase, build_stack_config
from conftest import run_with, stack_values
from offline.program import ProgramError


def load(stack: str, values: dict | None = None):
    return build_stack_config(values if values is not None else stack_values(stack), f"Pulumi.{stack}.yaml")


@pytest.mark.parametrize("stack, phase", [("mvp", Phase.MVP), ("growth", Phase.GROWTH),
                                          ("production", Phase.PRODUCTION)])
def test_each_stack_file_validates(stack, phase):
    assert load(stack).phase is phase


def test_presets_fill_what_a_stack_file_leaves_out():
    mvp, growth, production = load("mvp"), load("growth"), load("production")
    assert (mvp.network.egress, growth.network.egress, production.network.egress) == (
        Egress.NONE, Egress.INSTANCE, Egress.GATEWAY_PER_AZ)
    assert mvp.compute.instance_type == "t3.small"
    assert mvp.database.instance_class == "db.t4g.micro" and not mvp.database.multi_az
    assert production.database.multi_az and production.network.az_count == 3
    assert growth.cache.enabled and not mvp.cache.enabled
    # Stated in the stack file, so it wins over the preset's default.
    assert growth.database.backup_retention_days == 14
    assert production.network.cidr == "10.30.0.0/16"


def test_every_preset_key_can_be_overridden():
    values = stack_values("mvp")
    values["phasegate:database"] = {"instanceClass": "db.t4g.small", "multiAz": True}
    values["phasegate:compute"] = {"instanceType": "t4g.small"}
    cfg = load("mvp", values)
    assert (cfg.database.instance_class, cfg.database.multi_az, cfg.compute.instance_type) == (
        "db.t4g.small", True, "t4g.small")
    # The rest of the section keeps the preset.
    assert cfg.database.allocated_storage_gb == 20


def test_compute_takes_the_runtime_preset_of_the_phase_and_the_stack_files_overrides():
    growth = load("growth")
    assert (growth.compute.runtime, growth.compute.agent_count, growth.compute.server_instance_type) == (
        "k3s", 1, "t3.small")
    values = stack_values("growth")
    values["phasegate:compute"] = {"agentCount": 2}
    assert load("growth", values).compute.agent_count == 2
    assert load("production").compute.runtime == "eks" and load("mvp").compute.runtime == "compose"


def test_the_budget_defaults_to_the_phase_ceiling_the_pack_defines():
    from phasegate_policies.contract import DEFAULT_CEILINGS

    values = stack_values("production")
    del values["phasegate:billing"]["monthlyBudgetUsd"]
    assert load("production", values).billing.monthly_budget_usd == DEFAULT_CEILINGS["production"]


def test_billing_e_mails_default_to_the_alert_recipients():
    mvp = load("mvp")
    assert mvp.billing_emails == ["ops@acme.example"]
    assert load("growth").billing_emails == ["finance@acme.example"]
    assert mvp.estimated_charges_threshold == 45


def _set(path: str, value):
    """A change to one dotted key of a stack file's config: 'phasegate:app.services.1.image'."""
    def apply(values: dict) -> None:
        key, *rest = path.split(".")
        if not rest:
            values[key] = value
            return
        node = values.setdefault(key, {})
        for part in rest[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[int(rest[-1]) if isinstance(node, list) else rest[-1]] = value
    return apply


def _drop(key: str):
    return lambda values: values.pop(key)


INVALID = [
    ("mvp", _set("phasegate:phase", "staging"),
     "phasegate:phase: 'staging' is not a phase; use one of mvp, growth, production"),
    ("mvp", _drop("phasegate:phase"), "phasegate:phase: is required; use one of mvp, growth, production"),
    ("mvp", _set("aws:region", "ap-south-1"),
     "aws:region: 'ap-south-1' has no prices in the catalog; use one of us-east-1, us-east-2, us-west-2, eu-west-1, "
     "eu-central-1, ap-southeast-1"),
    ("mvp", _drop("aws:region"), "aws:region: is required; set it with `pulumi config set aws:region us-east-1`"),
    ("growth", _set("phasegate:database.instanceClass", "db.x9.huge"),
     "phasegate:database.instanceClass: 'db.x9.huge' has no price for us-west-2, so its cost cannot be checked; there "
     "is no db.x9 family in it"),
    ("mvp", _set("phasegate:network.cidr", "10.0.0.0/33"),
     "phasegate:network.cidr: '10.0.0.0/33' is not an IPv4 network in CIDR notation such as 10.0.0.0/16 "
     "('33' is not a valid netmask)"),
    ("mvp", _set("phasegate:network.cidr", "8.8.0.0/16"),
     "phasegate:network.cidr: 8.8.0.0/16 is not a private range; use one inside 10.0.0.0/8, 172.16.0.0/12 or "
     "192.168.0.0/16"),
    ("mvp", _set("phasegate:network.egress", "vpn"),
     "phasegate:network.egress: Input should be 'none', 'instance', 'gateway', 'gatewayPerAz' or 'endpoints' (got 'vpn')"),
    ("mvp", _set("phasegate:alerts.emails", ["ops-at-acme"]),
     "phasegate:alerts.emails[0]: 'ops-at-acme' is not an e-mail address such as ops@example.com"),
    ("mvp", _set("phasegate:billing.actualThresholdsPercent", [80, 50, 100]),
     "phasegate:billing.actualThresholdsPercent: [80, 50, 100] must be strictly ascending, e.g. [50, 80, 100]"),
    ("mvp", _set("phasegate:database.instanceClas", "db.t4g.micro"),
     "phasegate:database.instanceClas: unknown key; allowed keys here: allocatedStorageGb, backupRetentionDays, "
     "dbName, deletionProtection, drCopy, drRegion, engineVersion, instanceClass, maxAllocatedStorageGb, multiAz, "
     "performanceInsights, skipFinalSnapshot, snapshotIdentifier, username"),
    ("mvp", _set("phasegate:databse", {}),
     "phasegate:databse: unknown key; allowed keys here: alerts, app, assets, billing, cache, cdn, compute, "
     "database, network, phase, usage, waf"),
    ("mvp", _set("phasegate:region", "eu-west-1"),
     "phasegate:region: unknown key; the region is set by aws:region"),
    ("mvp", _set("phasegate:app.services.1.image", "ghcr.io/acme/api"),
     "phasegate:app.services[1].image: 'ghcr.io/acme/api' must pin a tag or digest other than latest, "
     "e.g. ghcr.io/acme/web:1.4.2"),
    ("mvp", _set("phasegate:app.services.0.port", "http"),
     "phasegate:app.services[0].port: Input should be a valid integer (got 'http')"),
    ("mvp", _set("phasegate:database.backupRetentionDays", 1),
     "phasegate:database.backupRetentionDays: Input should be greater than or equal to 7 (got 1)"),
    ("mvp", _set("phasegate:database", {"allocatedStorageGb": 50, "maxAllocatedStorageGb": 30}),
     "phasegate:database.maxAllocatedStorageGb: 30 is below allocatedStorageGb (50); the autoscaling ceiling must "
     "be at least that"),
    ("mvp", _set("phasegate:app.services.1.name", "web"),
     "phasegate:app: services: names must be unique; repeated: web"),
    ("mvp", _set("phasegate:billing.monthlyBudgetUsd", -5),
     "phasegate:billing.monthlyBudgetUsd: Input should be greater than 0 (got -5)"),
    ("mvp", _set("phasegate:compute.logRetentionDays", 10),
     "phasegate:compute.logRetentionDays: 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, "
     "60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"),
    ("mvp", _set("phasegate:alerts.emails", []),
     "phasegate:alerts.emails: List should have at least 1 item after validation, not 0"),
    ("mvp", _set("phasegate:database.engineVersion", "11"),
     "phasegate:database.engineVersion: PostgreSQL 11 is past end of standard support on RDS; use one of 14, 15, 16, "
     "17, 18"),
    ("mvp", _set("phasegate:app.services.0.environment", {"node-env": "x"}),
     "phasegate:app.services[0].environment: node-env: environment variable names must match [A-Z_][A-Z0-9_]*"),
    ("production", _set("phasegate:compute", {"minNodes": 4, "desiredNodes": 2}),
     "phasegate:compute: node counts must satisfy minNodes <= desiredNodes <= maxNodes; got 4 <= 2 <= 6"),
    ("mvp", _set("phasegate:app.domain", "Not A Domain"),
     "phasegate:app.domain: 'Not A Domain' is not a lower-case DNS name such as app.example.com"),
    ("mvp", _set("phasegate:compute.runtime", "k3s"),
     "phasegate:compute.runtime: 'k3s' does not run in the mvp phase; use compose, fargate or lambda"),
    ("growth", _set("phasegate:compute", {"runtime": "nomad"}),
     "phasegate:compute.runtime: 'nomad' is not a runtime; use one of compose, k3s, eks, fargate, lambda"),
    ("mvp", _set("phasegate:composeHost", {"instanceType": "t3.small"}),
     "phasegate:composeHost: this section moved; put its keys under phasegate:compute with runtime: compose"),
    ("growth", _set("phasegate:compute", {"agentCont": 2}),
     "phasegate:compute.agentCont: unknown key; allowed keys here: agentCount, agentInstanceType, clusterCidr, "
     "logRetentionDays, rootVolumeGb, runtime, serverInstanceType, serviceCidr, version"),
    ("growth", _set("phasegate:compute", {"runtime": "k3s", "agentCount": 0}),
     "phasegate:compute.agentCount: Input should be greater than or equal to 1 (got 0)"),
    ("mvp", _set("phasegate:network.natInstanceType", "t3.micro"),
     "phasegate:network.natInstanceType: 't3.micro' is not a Graviton (arm64) type; the NAT instance image is "
     "arm64, e.g. t4g.nano"),
]


@pytest.mark.parametrize("stack, change, expected", INVALID, ids=[expected.split(": ")[0] for _, _, expected in INVALID])
def test_invalid_value_is_rejected_with_its_exact_message(stack, change, expected):
    values = stack_values(stack)
    change(values)
    with pytest.raises(ConfigError) as caught:
        load(stack, values)
    assert caught.value.problems == [f"Pulumi.{stack}.yaml: {expected}"]


def test_all_problems_of_a_file_are_reported_at_once():
    values = stack_values("mvp")
    values["phasegate:phase"] = "prod"
    values["phasegate:network"] = {"azCount": 5}
    values["phasegate:alerts"]["emails"] = ["x"]
    with pytest.raises(ConfigError) as caught:
        load("mvp", values)
    assert caught.value.problems == [
        "Pulumi.mvp.yaml: phasegate:phase: 'prod' is not a phase; use one of mvp, growth, production",
        "Pulumi.mvp.yaml: phasegate:network.azCount: Input should be less than or equal to 3 (got 5)",
        "Pulumi.mvp.yaml: phasegate:alerts.emails[0]: 'x' is not an e-mail address such as ops@example.com",
    ]


def test_the_program_reports_bad_config_through_pulumi_without_a_traceback():
    values = stack_values("mvp")
    values["phasegate:database"] = {"instanceClass": "db.t4g.mega", "backupRetentionDays": 0}
    with pytest.raises(ProgramError) as caught:
        run_with("mvp", values)
    messages = caught.value.messages
    assert messages[0].startswith("Pulumi.mvp.yaml: phasegate:database.instanceClass: 'db.t4g.mega' is not a db.t4g "
                                  "size in us-east-1; sizes: micro, small")
    assert messages[1] == (
        "Pulumi.mvp.yaml: phasegate:database.backupRetentionDays: Input should be greater than or equal to 7 (got 0)")
    assert not any("Traceback" in m for m in messages)


def test_a_waf_without_a_load_balancer_is_refused_not_silently_dropped():
    """The compose host serves on its own Elastic IP; AWS WAF attaches to ALBs, API Gateway REST APIs, CloudFront and
    others, never to an EC2 instance (https://docs.aws.amazon.com/waf/latest/developerguide/how-aws-waf-works-resources.html)."""
    values = stack_values("mvp")
    values["phasegate:waf"] = {"enabled": True}
    with pytest.raises(ProgramError) as error:
        run_with("mvp", values)
    assert error.value.messages == [
        "Pulumi.mvp.yaml: phasegate:waf.enabled: the compose host serves the internet itself (Caddy on its Elastic "
        "IP); there is no load balancer to put AWS WAF on: set enabled: false, or use a runtime behind the load "
        "balancer (k3s, fargate, eks)"]
