"""Domain types for stack config: each one validates a value once, at the edge, with a message a user can act on."""

from __future__ import annotations

import ipaddress
import re
from enum import Enum
from typing import Annotated, Optional

from pydantic import AfterValidator, AllowInfNan, BeforeValidator, Field, Strict, ValidationInfo

from phasegate_policies.contract import PHASES
from phasegate_policies.cost.catalog import load_catalog, normalized_units, split_size

# The phases are the pack's contract; the enum gives the program named members (Phase.MVP, ...).
Phase = Enum("Phase", [(phase.upper(), phase) for phase in PHASES], type=str)
Phase.__doc__ = "A stack's phase; defined by the policy pack's contract."


def shown(value: object, limit: int = 60) -> str:
    """A value as a message shows it: quoted, on one line, and never a megabyte long."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    return repr(value)


# Every pattern below is matched whole with fullmatch: `$` in Python's re also matches before a final newline,
# and "web\n" would otherwise pass as a service name and break the Caddyfile and the boot script.


class Egress(str, Enum):
    """How private subnets reach the internet; the cost difference between these is the reason it is a choice."""

    NONE = "none"  # no outbound internet from private subnets (S3 still reachable through the free gateway endpoint)
    INSTANCE = "instance"  # one NAT instance (tiny Graviton): a few dollars a month, no HA
    GATEWAY = "gateway"  # one managed NAT gateway: ~$33/month plus $0.045/GB
    GATEWAY_PER_AZ = "gatewayPerAz"  # one NAT gateway per AZ: survives an AZ outage, costs that many times more
    # VPC interface endpoints for ECR, CloudWatch Logs and Secrets Manager instead of any NAT: no internet at all,
    # so every image must come from ECR in the stack's region; billed per endpoint per AZ-hour plus per GB.
    ENDPOINTS = "endpoints"


class CacheEngine(str, Enum):
    REDIS = "redis"
    VALKEY = "valkey"


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        detail = f" ({exc})" if len(value) <= 60 else ""
        raise ValueError(f"{shown(value)} is not an IPv4 network in CIDR notation such as 10.0.0.0/16{detail}") from None
    if not network.is_private:
        raise ValueError(f"{value} is not a private range; use one inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
    if not 16 <= network.prefixlen <= 24:
        raise ValueError(f"{value} has a /{network.prefixlen} prefix; a VPC needs a prefix from /16 to /24")
    return value


def _any_cidr(value: str) -> str:
    """Any IPv4 network (who may reach a public endpoint: an office, a CI range, or 0.0.0.0/0)."""
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        detail = f" ({exc})" if len(value) <= 60 else ""
        raise ValueError(f"{shown(value)} is not an IPv4 network in CIDR notation such as 203.0.113.0/24{detail}") from None
    return value


_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{shown(value)} is not an e-mail address such as ops@example.com")
    return value


_DNS_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _domain(value: str) -> str:
    """A host name for a Caddyfile site, a certificate and a Route 53 record: lower-case labels, a top-level
    label with a letter (all digits would read as an IP address)."""
    labels = value.split(".")
    if (len(value) > 253 or len(labels) < 2 or not all(_DNS_LABEL.fullmatch(label) for label in labels)
            or not re.search(r"[a-z]", labels[-1])):
        raise ValueError(f"{shown(value)} is not a lower-case DNS name such as app.example.com")
    return value


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", value):
        raise ValueError(
            f"{shown(value)} must be 2-32 characters of lower-case letters, digits and hyphens, starting with a letter"
        )
    return value


def _region(value: str) -> str:
    regions = load_catalog().regions
    if value not in regions:
        raise ValueError(f"{shown(value)} has no prices in the catalog; use one of {', '.join(regions)}")
    return value


def _ascending(values: list[int]) -> list[int]:
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError(f"{values} must be strictly ascending, e.g. [50, 80, 100]")
    return values


_LOG_RETENTIONS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                   3288, 3653)


def _log_retention(value: int) -> int:
    if value not in _LOG_RETENTIONS:
        raise ValueError(f"{value} is not a CloudWatch Logs retention; use one of {', '.join(map(str, _LOG_RETENTIONS))}")
    return value


# Strict scalars: YAML's `true` is not the number 1, and "3000" is not a port. A number is finite: YAML's `.inf`
# and `.nan` are floats, but no price or size can be computed from them.
Int = Annotated[int, Strict()]
Number = Annotated[float, Strict(), AllowInfNan(False)]
Flag = Annotated[bool, Strict()]

_IMAGE = re.compile(
    r"(?:(?P<registry>[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?")


def _image(value: str) -> str:
    """An OCI image reference that pins a tag other than latest, or a sha256 digest."""
    match = _IMAGE.fullmatch(value)
    registry = match.group("registry") if match else None
    # Without a dot, a port or "localhost" the first part is a namespace, not a registry: lower case only.
    if match is None or (registry and not any(c in registry for c in ".:") and registry != "localhost"
                         and registry != registry.lower()):
        raise ValueError(f"{shown(value)} is not an image reference such as ghcr.io/acme/web:1.4.2 or "
                         f"ghcr.io/acme/web@sha256:<64 hex digits>")
    if not match.group("digest") and match.group("tag") in (None, "latest"):
        raise ValueError(f"{shown(value)} must pin a tag or digest other than latest, e.g. ghcr.io/acme/web:1.4.2")
    return value


# An ECR image reference names its registry's region: <account>.dkr.ecr.<region>.amazonaws.com/<repository>.
_ECR_REGISTRY = re.compile(r"^\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/")


def ecr_region(image: str) -> Optional[str]:
    """The region of the ECR registry an image comes from; None for any other registry."""
    found = _ECR_REGISTRY.match(image)
    return found["region"] if found else None


_SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}")


def _secret_name(value: str) -> str:
    """A Secrets Manager secret name: the IAM policy grants exactly it, and boot scripts quote it."""
    if not _SECRET_NAME.fullmatch(value):
        raise ValueError(f"{shown(value)} is not a Secrets Manager secret name: use 1-512 letters, digits and / _ + = . @ - "
                         f"(no wildcards, spaces, quotes or ARNs)")
    return value


def _url_path(punctuation: str, what: str, segments: bool = False):
    """A path that starts with / and holds letters, digits and only the given punctuation; with `segments`, no
    empty or dot segment either (proxies normalize those away, so `//` would route like `/`)."""
    pattern = re.compile(rf"/[A-Za-z0-9{re.escape(punctuation)}]{{0,1023}}")

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{shown(value)} is not a {what}: start with / and use only letters, digits and "
                             f"{' '.join(punctuation)} (no spaces, quotes or braces)")
        if segments:
            parts = value.split("/")[1:]
            if parts[-1] == "":
                parts.pop()  # one trailing slash: "/api/" is the segment "api"
            if any(part in ("", ".", "..") for part in parts):
                raise ValueError(f"{shown(value)} is not a {what}: it has an empty or dot segment (//, /./ or /../)")
        return value

    return AfterValidator(check)


# Majors RDS for PostgreSQL offers in standard support (13 left it on 2026-02-28; extended support costs extra).
POSTGRES_MAJORS = (14, 15, 16, 17, 18)


def _postgres_version(value: str) -> str:
    match = re.fullmatch(r"([0-9]+)(?:\.([0-9]+))?", value)
    if not match:
        raise ValueError(f"{shown(value)} is not a PostgreSQL version such as 17 or 17.4")
    major = int(match.group(1))
    if major == 13 or major < 13:
        raise ValueError(f"PostgreSQL {value} is past end of standard support on RDS; use one of "
                         f"{', '.join(map(str, POSTGRES_MAJORS))}")
    if major not in POSTGRES_MAJORS:
        raise ValueError(f"PostgreSQL {value} is not a version RDS offers; use one of {', '.join(map(str, POSTGRES_MAJORS))}")
    return value


def _major_as_text(value: object) -> object:
    """`engineVersion: 17` (YAML reads a number) means "17"; a float would lose digits (17.10 reads as 17.1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"{value!r} is a number, and a number cannot hold a minor version exactly (17.10 would read "
                         f"as 17.1); write the version in quotes, e.g. '17.4', or the major alone, e.g. 17")
    return value  # text is checked as text; anything else is refused as not a string


def _article(family: str) -> str:
    """'an m7i', 'a t3', 'a db.t4g': by how the family's first letter is spoken (em, tee, dee-bee)."""
    spoken_with_a_vowel = family[:1] in "aefhilmnorsx" and not family.startswith(("db.", "cache."))
    return "an" if spoken_with_a_vowel else "a"


def _by_size(sizes: list[str]) -> list[str]:
    """Size names smallest first (nano ... 48xlarge), then those without a normalized size (metal)."""
    return sorted(sizes, key=lambda size: (normalized_units(size) is None, normalized_units(size) or 0, size))


def _name(text: str) -> str:
    """A family or type as a message names it: as written when it is a plain name, else quoted and shortened."""
    return text if re.fullmatch(r"[A-Za-z0-9._-]{1,40}", text) else shown(text)


def priced(key: str, prefix: str = ""):
    """A size (instance type, class, node type) the catalog lists in the stack's region.

    The pack prices a size the catalog does not list from its family's per-unit rate, but in a stack file such a
    size is a typo or a made-up type (t3.3xlarge, m7i.3xlarge): it is refused with the sizes the family has."""

    def check(value: str, info: ValidationInfo) -> str:
        if prefix and not value.startswith(prefix):
            raise ValueError(f"{shown(value)} is not a {prefix}* type")
        region = (info.context or {}).get("region")
        catalog = load_catalog()
        if region not in catalog.regions:
            return value  # the region's own error says why
        listed = catalog.sizes(key, region)
        if value in listed:
            return value
        family = split_size(value)[0]
        same_family = [split_size(s)[1] for s in listed if split_size(s)[0] == family]
        if family and same_family:
            raise ValueError(f"{shown(value)} is not {_article(family)} {family} size in {region}; sizes: "
                             f"{', '.join(_by_size(same_family))}")
        raise ValueError(f"{shown(value)} has no price for {region}, so its cost cannot be checked; there is no "
                         f"{_name(family or value)} family in it")

    return AfterValidator(check)


Cidr = Annotated[str, AfterValidator(_cidr)]  # a private range for a VPC or a cluster network
PublicCidr = Annotated[str, Strict(), AfterValidator(_any_cidr)]  # who may reach a public endpoint
LogRetentionDays = Annotated[int, Strict(), AfterValidator(_log_retention)]
Email = Annotated[str, AfterValidator(_email)]
Domain = Annotated[str, AfterValidator(_domain)]
Slug = Annotated[str, AfterValidator(_slug)]
Region = Annotated[str, AfterValidator(_region)]
Percent = Annotated[int, Strict(), Field(gt=0, le=100)]
AscendingPercents = Annotated[list[Annotated[int, Strict(), Field(gt=0, le=100)]], AfterValidator(_ascending)]
ImageRef = Annotated[str, Strict(), AfterValidator(_image)]
SecretName = Annotated[str, Strict(), AfterValidator(_secret_name)]
# URL paths that go into a Caddyfile, an Ingress and a target group health check: a conservative character set.
PathPrefix = Annotated[str, Strict(), _url_path("/-._~%", "URL path prefix", segments=True)]
HealthCheckPath = Annotated[str, Strict(), _url_path("/-._~%:@+=&?", "health-check path")]
PostgresVersion = Annotated[str, BeforeValidator(_major_as_text), Strict(), AfterValidator(_postgres_version)]
Ec2Type = Annotated[str, Strict(), priced("ec2Instance")]
DbClass = Annotated[str, Strict(), priced("rdsPostgresInstance", "db.")]
CacheNodeType = Annotated[str, Strict(), priced("elasticacheRedisNode", "cache.")]
