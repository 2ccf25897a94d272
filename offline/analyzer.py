"""Drives a policy pack the way the Pulumi engine does, over the Analyzer gRPC protocol.

The pack runs as its own process (`python policies/__main__.py`) with the environment the engine gives it
(PULUMI_STACK, PULUMI_PROJECT, PULUMI_CONFIG, PULUMI_DRY_RUN); it prints its port; we call
GetAnalyzerInfo, Configure, Analyze for every resource and AnalyzeStack once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from phasegate_policies.stack import DEFAULT_REGION
from pulumi.runtime.proto import analyzer_pb2_grpc as pb_grpc

from .recording import RecordedResource

PACK_DIR = Path(__file__).resolve().parent.parent / "policies"
LEVELS = {"advisory": pb.ADVISORY, "mandatory": pb.MANDATORY, "remediate": pb.REMEDIATE, "disabled": pb.DISABLED}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}
MAX_MESSAGE_BYTES = 400 * 1024 * 1024  # pulumi_policy's server accepts up to 400 MiB


class PackError(Exception):
    """The pack could not be started, configured or asked."""


class PackConfigError(PackError):
    """The policy pack config is not one the engine (or the pack) would accept."""


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # advisory | mandatory
    message: str
    urn: str = ""

    @property
    def mandatory(self) -> bool:
        return self.level == "mandatory"


@dataclass
class Evaluation:
    pack: str
    policies: dict[str, str]  # name -> effective enforcement level
    violations: list[Violation] = field(default_factory=list)
    not_applicable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def mandatory_failures(self) -> list[Violation]:
        return [v for v in self.violations if v.mandatory]


def to_struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(json.loads(json.dumps(value, default=str)), struct)
    return struct


def parse_pack_config(raw: Any) -> dict[str, dict[str, Any]]:
    """`--policy-pack-config` as the Pulumi CLI reads it: `{"policy": "mandatory"}` (short form), `{"policy":
    {"enforcementLevel": ..., "<property>": value}}` (long form), `{"all": "<level>"}` for every policy, and
    the reserved `environments` list. Every problem is reported at once, each naming its policy."""
    if not isinstance(raw, Mapping):
        raise PackConfigError(f"policy pack config must be a JSON object, got {type(raw).__name__}")
    parsed: dict[str, dict[str, Any]] = {}
    problems = []
    for name, value in raw.items():
        if name == "environments":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append('"environments" must be an array of strings')
            continue
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        if not isinstance(value, Mapping):
            problems.append(f"{name}: {json.dumps(value)} is not a valid value; use an enforcement level or an object")
            continue
        level = value.get("enforcementLevel")
        if level is not None and level not in LEVELS:
            problems.append(f"{name}: enforcementLevel {json.dumps(level)} is not one of {', '.join(LEVELS)}")
        if name == "all" and set(value) - {"enforcementLevel"}:
            problems.append("all: only an enforcementLevel applies to every policy; give properties per policy")
        parsed[name] = dict(value)
    if problems:
        raise PackConfigError("invalid policy pack config: " + "; ".join(problems))
    return parsed


def config_problems(policy_name: str, schema: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    """The properties validated against the policy's schema, as the engine does, and (stricter than the engine,
    which passes them on silently) unknown properties refused, so a typo is never ignored."""
    from jsonschema import Draft7Validator

    problems = [f"{policy_name}: {key}: unknown property; known: {', '.join(sorted(schema)) or 'none'}"
                for key in sorted(properties) if key not in schema]
    validator = Draft7Validator({"type": "object", "properties": dict(schema)})
    for error in sorted(validator.iter_errors(dict(properties)), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(part) for part in error.absolute_path) or "(config)"
        problems.append(f"{policy_name}: {where}: {error.message}")
    return problems


class PolicyPackProcess:
    """A running policy pack; use as a context manager so the process always ends."""

    def __init__(self, *, stack: str, project: str, config: Mapping[str, str], dry_run: bool = False,
                 pack_dir: Path = PACK_DIR, python: str = sys.executable):
        self.stack, self.project, self.pack_dir = stack, project, pack_dir
        env = {**os.environ, "PULUMI_STACK": stack, "PULUMI_PROJECT": project,
               "PULUMI_CONFIG": json.dumps(dict(config)), "PULUMI_DRY_RUN": "true" if dry_run else "false"}
        env.pop("PULUMI_CONFIG_SECRET_KEYS", None)
        self.process = subprocess.Popen([python, "-u", str(pack_dir / "__main__.py")], cwd=pack_dir, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        first_line = self.process.stdout.readline().decode().strip()
        if not first_line.isdigit():
            self.process.kill()
            stderr = self.process.stderr.read().decode()[-2000:]
            self.close()
            raise PackError(f"the policy pack in {pack_dir} did not start: {first_line or stderr}")
        # The engine sends whole stacks in one AnalyzeStack message; lift gRPC's 4 MiB default as it does.
        self.channel = grpc.insecure_channel(f"127.0.0.1:{first_line}", options=[
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES), ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES)])
        self.stub = pb_grpc.AnalyzerStub(self.channel)
        self.info = self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)

    def __enter__(self) -> "PolicyPackProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "channel", None) is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()

    def configure(self, pack_config: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Send every policy its effective level and config (schema defaults filled in), as the engine does."""
        overrides = parse_pack_config(pack_config or {})
        every = overrides.pop("all", {}).get("enforcementLevel")
        unknown = sorted(set(overrides) - {p.name for p in self.info.policies})
        if unknown:
            raise PackConfigError(f"policy pack config names unknown policies: {', '.join(unknown)}")
        request = pb.ConfigureAnalyzerRequest()
        levels, problems = {}, []
        for policy in self.info.policies:
            override = overrides.get(policy.name, {})
            chosen = override.get("enforcementLevel") or every  # a policy's own entry beats "all"
            level = LEVELS[chosen] if chosen else policy.enforcementLevel
            schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
            given = {k: v for k, v in override.items() if k != "enforcementLevel"}
            problems += config_problems(policy.name, schema, given)
            properties = {key: spec["default"] for key, spec in schema.items() if "default" in spec}
            properties.update(given)
            request.policyConfig[policy.name].CopyFrom(pb.PolicyConfig(enforcementLevel=level,
                                                                       properties=to_struct(properties)))
            levels[policy.name] = LEVEL_NAMES[level]
        if problems:
            raise PackConfigError("invalid policy pack config: " + "; ".join(problems))
        self.stub.Configure(request, timeout=30)
        return levels

    def analyze(self, resource: RecordedResource, provider: Optional[pb.AnalyzerProviderResource]) -> pb.AnalyzeResponse:
        request = pb.AnalyzeRequest(type=resource.type, properties=to_struct(resource.inputs), urn=resource.urn,
                                    name=resource.name, options=_options(resource))
        if provider is not None:
            request.provider.CopyFrom(provider)
        return self.stub.Analyze(request, timeout=60)

    def analyze_stack(self, resources: Iterable[RecordedResource],
                      providers: Mapping[str, Optional[pb.AnalyzerProviderResource]]) -> pb.AnalyzeResponse:
        request = pb.AnalyzeStackRequest()
        for r in resources:
            message = pb.AnalyzerResource(
                type=r.type, properties=to_struct(r.outputs), urn=r.urn, name=r.name, options=_options(r),
                parent=r.parent, dependencies=r.dependencies)
            for key, urns in r.property_dependencies.items():
                message.propertyDependencies[key].CopyFrom(pb.AnalyzerPropertyDependencies(urns=urns))
            if providers.get(r.urn) is not None:
                message.provider.CopyFrom(providers[r.urn])
            request.resources.append(message)
        return self.stub.AnalyzeStack(request, timeout=300)


def _options(resource: RecordedResource) -> pb.AnalyzerResourceOptions:
    return pb.AnalyzerResourceOptions(
        protect=resource.protect, ignoreChanges=resource.ignore_changes,
        deleteBeforeReplace=resource.delete_before_replace, deleteBeforeReplaceDefined=resource.delete_before_replace,
        parent=resource.parent)


def provider_views(resources: list[RecordedResource], stack: str, project: str,
                   region: str) -> dict[str, Optional[pb.AnalyzerProviderResource]]:
    """Each resource's provider as the engine describes it; the default aws provider carries the stack region."""
    by_urn = {r.urn: r for r in resources}
    default = pb.AnalyzerProviderResource(
        type="pulumi:providers:aws", properties=to_struct({"region": region}), name="default",
        urn=f"urn:pulumi:{stack}::{project}::pulumi:providers:aws::default")
    views: dict[str, Optional[pb.AnalyzerProviderResource]] = {}
    for r in resources:
        if not r.custom or not r.type.startswith("aws:"):
            views[r.urn] = None
        elif r.provider_urn and r.provider_urn in by_urn:
            p = by_urn[r.provider_urn]
            views[r.urn] = pb.AnalyzerProviderResource(type=p.type, properties=to_struct(p.inputs), urn=p.urn,
                                                       name=p.name)
        else:
            views[r.urn] = default
    return views


def evaluate(resources: list[RecordedResource], *, stack: str, project: str, config: Mapping[str, str],
             pack_config: Mapping[str, Any] | None = None, pack_dir: Path = PACK_DIR,
             preview: bool = False) -> Evaluation:
    """Start the pack, configure it, Analyze every resource (as the engine does: components and providers
    too), AnalyzeStack once; collect violations. `preview` runs the pack as `pulumi preview` does."""
    region = _text(config.get("aws:region")) or DEFAULT_REGION
    providers = provider_views(resources, stack, project, region)
    with PolicyPackProcess(stack=stack, project=project, config=config, pack_dir=pack_dir, dry_run=preview) as pack:
        levels = pack.configure(pack_config)
        evaluation = Evaluation(pack=pack.info.name, policies=levels)
        # A resource policy's diagnostic is about the resource analysed, even when it names no URN. Resources are
        # registered concurrently, so their order varies between runs; analysing by URN keeps reports stable.
        responses = [(r.urn, pack.analyze(r, providers[r.urn])) for r in sorted(resources, key=lambda r: r.urn)]
        responses.append(("", pack.analyze_stack(resources, providers)))
    for subject, response in responses:
        for d in response.diagnostics:
            evaluation.violations.append(Violation(d.policyName, LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                                                   d.message, d.urn or subject))
        evaluation.not_applicable.extend((n.policy_name, n.reason) for n in response.not_applicable)
    return evaluation


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None
