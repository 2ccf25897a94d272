"""Every text type a stack file value passes through, tried with what breaks the files it ends up in.

Python's `re.match(r"^...$")` accepts a trailing newline (`$` matches before it): a service name "api\n"
passed, and split the Caddyfile's `reverse_proxy` line in two. Each type is matched whole now; these tests
try each one with a trailing newline and with every character that means something to a shell, a Caddyfile,
YAML or an IAM ARN.
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from components.config.types import (
    CacheNodeType,
    Cidr,
    DbClass,
    Domain,
    Ec2Type,
    Email,
    HealthCheckPath,
    ImageRef,
    PathPrefix,
    PostgresVersion,
    Region,
    SecretName,
    Slug,
)

# (type, a valid value, syntax it allows by design); the valid value passes, and breaking it in any of the ways
# below does not. An e-mail address may hold ' (o'brien@...): it only ever reaches SNS and Budgets as an API
# parameter. A health-check path may hold & (a query string): it reaches a Caddyfile token, a target group and a
# probe, never a shell.
TYPES = [
    (Slug, "acme", ""), (Domain, "app.acme.example", ""), (Email, "ops@acme.example", "'"),
    (ImageRef, "ghcr.io/acme/web:1.4.2", ""), (SecretName, "acme/jwt-secret", ""), (PathPrefix, "/api", ""),
    (HealthCheckPath, "/healthz", "&"), (PostgresVersion, "17", ""), (Cidr, "10.0.0.0/16", ""),
    (Region, "us-east-1", ""), (Ec2Type, "t3.small", ""), (DbClass, "db.t4g.micro", ""),
    (CacheNodeType, "cache.t4g.micro", ""),
]
CONTEXT = {"region": "us-east-1"}
# What a shell, a Caddyfile, YAML, JSON or an IAM resource pattern would read as syntax.
SYNTAX = ["\n", "\r", "\t", " ", "'", '"', "`", "$", "$(x)", ";", "|", "&&", "{", "}", "#", "*", "\\", "\x00",
          "\u2028", "\x85"]


def _accepts(typ, value) -> bool:
    try:
        TypeAdapter(typ).validate_python(value, context=CONTEXT)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("typ, valid, allowed", TYPES, ids=[valid for _, valid, _ in TYPES])
def test_each_type_refuses_a_trailing_newline_and_embedded_syntax(typ, valid, allowed):
    assert _accepts(typ, valid)
    for bad in (s for s in SYNTAX if not set(s) <= set(allowed)):
        for value in (valid + bad, bad + valid, valid[:1] + bad + valid[1:]):
            assert not _accepts(typ, value), f"{value!r} was accepted"


def test_secret_names_cannot_widen_the_iam_grant():
    """The IAM policy grants arn:...:secret:<name>-?????? for each name: no wildcard may come from the name."""
    for bad in ("*", "acme/*", "acme/?", "acme/jwt-??????", "acme/jwt\n", "arn:aws:secretsmanager:x"):
        assert not _accepts(SecretName, bad)


def test_a_secret_name_may_use_every_character_secrets_manager_allows():
    assert _accepts(SecretName, "Acme/prod_db+ro=1.key@team-a")


def test_a_public_cidr_is_any_ipv4_network_and_nothing_else():
    from components.config.types import PublicCidr

    for good in ("0.0.0.0/0", "81.2.69.0/24", "10.0.0.0/8", "203.0.113.7/32"):
        assert _accepts(PublicCidr, good)
    for bad in ("81.2.69.1/24", "81.2.69.0/24\n", "81.2.69.0/33", "any", "::/0", 24):
        assert not _accepts(PublicCidr, bad)


def test_the_eks_api_can_be_narrowed_to_an_office_range():
    from components.config import build_stack_config
    from conftest import stack_values

    values = stack_values("production")
    values.setdefault("phasegate:compute", {})["publicAccessCidrs"] = ["81.2.69.0/24"]
    assert build_stack_config(values, "Pulumi.production.yaml").compute.public_access_cidrs == ["81.2.69.0/24"]
