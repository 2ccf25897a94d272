"""The app, described once and independently of the phase: its services, their images, ports and secrets.

Every value here ends up in a boot script, a Compose file, a Caddyfile, Kubernetes manifests or an IAM policy,
so each is validated to a safe shape at the edge, and rendered through a quoting function or a dumper.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from typing_extensions import Annotated

from .types import Domain, Flag, HealthCheckPath, ImageRef, Int, Number, PathPrefix, SecretName, Slug, shown


class Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True, use_enum_values=False
    )


_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")  # matched whole: `$` would let "API_KEY\n" through
# The reverse proxy phasegate runs beside the app on the compose host; a service of that name would replace it.
RESERVED_SERVICE_NAMES = {"proxy": "the reverse proxy phasegate runs in front of the app"}


def _env_names(mapping: dict[str, str]) -> dict[str, str]:
    bad = [key for key in mapping if not _ENV_NAME.fullmatch(key)]
    if bad:
        shown_names = ", ".join(key if key.isprintable() and len(key) <= 60 else shown(key) for key in bad)
        raise ValueError(f"{shown_names}: environment variable names must match [A-Z_][A-Z0-9_]*")
    return mapping


def _env_values(mapping: dict[str, str]) -> dict[str, str]:
    """Any text may be a value (it is rendered through YAML dumpers and escaped for Compose and Kubernetes), but
    no process environment can hold a NUL character: refuse it here rather than at container start."""
    bad = [key for key, value in mapping.items() if "\0" in value]
    if bad:
        raise ValueError(f"{', '.join(bad)}: an environment value cannot hold a NUL character (\\0)")
    return mapping


def _not_reserved(name: str) -> str:
    if name in RESERVED_SERVICE_NAMES:
        raise ValueError(f"{name!r} is reserved for {RESERVED_SERVICE_NAMES[name]}; choose another service name")
    return name


def zone_mismatch(domain: Optional[str], hosted_zone: Optional[str]) -> Optional[tuple[str, str]]:
    """(key, problem) when `hosted_zone` cannot hold `domain` (Route 53 validates and aliases it there), else None."""
    if hosted_zone and not domain:
        return "hostedZone", "is set but domain is not; set domain too, or remove hostedZone"
    if hosted_zone and domain and not (domain == hosted_zone or domain.endswith("." + hosted_zone)):
        return "domain", f"{domain} is not inside hostedZone {hosted_zone}"
    return None


def zone_name(domain: Optional[str], hosted_zone: Optional[str]) -> Optional[str]:
    """The public zone holding `domain`: `hosted_zone`, or the domain's parent."""
    if not domain:
        return None
    return hosted_zone or domain.split(".", 1)[1]


class Service(Section):
    """One container of the app, described once and rendered for Compose, K3s and EKS alike."""

    name: Annotated[Slug, AfterValidator(_not_reserved)] = Field(
        description="Service name; also its DNS name inside the app network. `proxy` is reserved.")
    image: ImageRef = Field(description="Container image with a pinned tag or a sha256 digest (never latest).")
    port: Int = Field(ge=1, le=65535, description="Port the container listens on.")
    health_check_path: HealthCheckPath = Field("/health", description="HTTP path that answers 200 when healthy.")
    path_prefix: PathPrefix = Field("/", description="Public URL prefix the reverse proxy routes here.")
    public: Flag = Field(True, description="Whether the proxy/load balancer routes internet traffic to it.")
    cpu: Number = Field(0.25, gt=0, le=16, description="vCPUs reserved (Compose limit, Kubernetes request).")
    memory_mb: Int = Field(512, ge=64, le=65536, description="Memory limit in MiB.")
    replicas: Int = Field(1, ge=1, le=50, description="Copies to run (Kubernetes phases; Compose runs one).")
    max_body_mb: Optional[Int] = Field(None, ge=1, le=10240, description=(
        "Largest request body in MiB the app's proxy accepts for this service, larger ones get 413 (default: no "
        "limit of phasegate's): Caddy on compose; Traefik on k3s and eks, through its buffering middleware, which "
        "also buffers the service's responses (no streaming or server-sent events for that service). Fargate and "
        "Lambda have no proxy of phasegate's: an ALB sets no body limit, an API Gateway HTTP API accepts at most "
        "10 MB and a Lambda function 6 MB (their quotas)."))
    environment: Annotated[dict[str, str], AfterValidator(_env_names), AfterValidator(_env_values)] = Field(
        default_factory=dict, description="Plain environment variables (never secrets: use `secrets`)."
    )
    secrets: Annotated[dict[str, SecretName], AfterValidator(_env_names)] = Field(
        default_factory=dict,
        description="Environment variable -> name of an AWS Secrets Manager secret, fetched at start, never in state.",
    )


class App(Section):
    name: Slug = Field(description="Application name; prefixes resource names and tags.")
    domain: Optional[Domain] = Field(None, description="Public DNS name; enables HTTPS.")
    hosted_zone: Optional[Domain] = Field(
        None, description="Existing public Route 53 zone holding the domain (default: the domain's parent); "
                          "used for certificate validation and the alias record when behind a load balancer.")
    services: list[Service] = Field(min_length=1, description="The containers that make up the app.")

    @model_validator(mode="after")
    def _routing_is_unambiguous(self) -> "App":
        names = [s.name for s in self.services]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"services: names must be unique; repeated: {', '.join(dupes)}")
        public = [s for s in self.services if s.public]
        if not public:
            raise ValueError("services: at least one service must be public (public: true)")
        prefixes = [s.path_prefix for s in public]
        clash = sorted({p for p in prefixes if prefixes.count(p) > 1})
        if clash:
            raise ValueError(f"services: public services must have distinct pathPrefix values; repeated: {clash}")
        mismatch = zone_mismatch(self.domain, self.hosted_zone)
        if mismatch:
            raise ValueError(" ".join(mismatch))
        return self

    @property
    def zone_name(self) -> Optional[str]:
        return zone_name(self.domain, self.hosted_zone)

    @property
    def root_service(self) -> "Service":
        """The public service routed at '/', or the one with the shortest prefix: the load balancer checks it."""
        return min((s for s in self.services if s.public), key=lambda s: len(s.path_prefix))


__all__ = ["App", "Section", "Service"]
