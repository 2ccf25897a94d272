"""The `phasegate:` config reference, generated from the config models (`stackschema.py` builds the JSON Schema).

Everything is read from the models, never listed here: `StackConfig`'s sections, every runtime of
`RUNTIME_MODELS` (the compute union), the per-phase presets (`PRESETS`, `PHASE_RUNTIMES`, `compute_preset`) and
the pack's usage keys (the `Usage` model is built from them). A key's description is its pydantic
`Field(description=...)`; its type, bounds and allowed values come from pydantic's JSON Schema of the model,
completed by `DOMAIN_NOTES` for the domain types whose validators JSON Schema cannot express.
"""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Callable, Optional

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from components.config import app as app_module, compute as compute_module, models as models_module
from components.config import types as types_module
from components.config.compute import RUNTIME_MODELS
from components.config.models import StackConfig
from components.config.presets import PHASE_RUNTIMES, PRESETS, compute_preset
from components.config.types import POSTGRES_MAJORS, Phase
from phasegate_policies.cost.catalog import load_catalog

NAMESPACE = "phasegate"
COMPUTE = "compute"  # the section that is a union of runtime models, filled from the phase's default runtime
NOT_AVAILABLE = "not in this phase"
REQUIRED = "required"


def _retentions() -> list[int]:
    return list(getattr(types_module, "_LOG_RETENTIONS", ()))


# Domain type (its name in components/config) -> (what it accepts, JSON Schema to add). Values are computed from
# the same sources the validators use (the price catalog, the supported PostgreSQL majors).
DOMAIN_NOTES: dict[str, tuple[Callable[[], str], Callable[[], dict[str, Any]]]] = {
    "Region": (lambda: "a region the price catalog covers: " + ", ".join(f"`{r}`" for r in load_catalog().regions),
               lambda: {"enum": list(load_catalog().regions)}),
    "Cidr": (lambda: "a private IPv4 range (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16), /16 to /24", dict),
    "PublicCidr": (lambda: "an IPv4 range in CIDR notation, e.g. `203.0.113.0/24` or `0.0.0.0/0`", dict),
    "LogRetentionDays": (lambda: "one of " + ", ".join(map(str, _retentions())) + " (CloudWatch Logs retentions)",
                         lambda: {"enum": _retentions()} if _retentions() else {}),
    "Email": (lambda: "an e-mail address", dict),
    "Domain": (lambda: "a lower-case DNS name such as `app.example.com`", dict),
    "Slug": (lambda: "2-32 lower-case letters, digits and hyphens, starting with a letter",
             lambda: {"pattern": "^[a-z][a-z0-9-]{0,30}[a-z0-9]$"}),
    "ImageRef": (lambda: "an image reference that pins a tag other than `latest`, or a sha256 digest", dict),
    "SecretName": (lambda: "a Secrets Manager secret name: 1-512 letters, digits and `/ _ + = . @ -`", dict),
    "PathPrefix": (lambda: "a URL path starting with `/`, without empty or dot segments", dict),
    "HealthCheckPath": (lambda: "a URL path starting with `/`", dict),
    "PostgresVersion": (lambda: "a PostgreSQL major RDS supports (" + ", ".join(map(str, POSTGRES_MAJORS))
                        + ") or major.minor in quotes, e.g. `'17.4'`",
                        lambda: {"type": ["string", "integer"]}),
    "Ec2Type": (lambda: "an EC2 instance type the price catalog lists in the stack's region", dict),
    "DbClass": (lambda: "an RDS class (`db.*`) the price catalog lists in the stack's region", dict),
    "CacheNodeType": (lambda: "an ElastiCache node type (`cache.*`) the price catalog lists in the stack's region",
                      dict),
    "AscendingPercents": (lambda: "strictly ascending percentages, e.g. `[50, 80, 100]`", dict),
    "IamPrincipalArn": (lambda: "an IAM role or user ARN such as `arn:aws:iam::123456789012:role/admin`", dict),
}


@dataclass(frozen=True)
class Key:
    """One documented key of a stack file."""

    key: str  # phasegate:network.egress, phasegate:app.services[].image
    section: str
    runtime: Optional[str]  # the compute runtime the key belongs to
    type: str
    allowed: str
    defaults: dict[str, str]  # phase -> the default, rendered (or REQUIRED, NOT_AVAILABLE)
    description: str

    def default_text(self) -> str:
        values = [v for v in self.defaults.values() if v != NOT_AVAILABLE]
        if len(set(values)) == 1 and len(values) == len(self.defaults):
            return values[0]
        return "<br>".join(f"{phase}: {value}" for phase, value in self.defaults.items() if value != NOT_AVAILABLE)


def _domain_validators() -> dict[int, str]:
    """id(validator object) -> the domain type it belongs to, for every Annotated alias in components/config."""
    found: dict[int, str] = {}
    for module in (types_module, app_module, compute_module, models_module):
        for name, value in vars(module).items():
            if typing.get_origin(value) is Annotated and not name.startswith("_"):
                for meta in typing.get_args(value)[1:]:
                    if hasattr(meta, "func"):
                        found.setdefault(id(meta), name)
    return found


def domain_types(annotation: Any, metadata: list[Any] = ()) -> list[str]:
    """The domain types (Region, Ec2Type, ...) a field's annotation uses, outermost first."""
    validators, names = _domain_validators(), []

    def walk(node: Any, meta: tuple) -> None:
        for m in meta:
            name = validators.get(id(m))
            if name and name not in names:
                names.append(name)
        for arg in typing.get_args(node):
            walk(arg, typing.get_args(arg)[1:] if typing.get_origin(arg) is Annotated else ())

    walk(annotation, tuple(metadata))
    return names


def _shown(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if value is None:
        return "unset"
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, mode="json")
    return f"`{json.dumps(value) if not isinstance(value, str) else value}`"


def _model_default(field: Any) -> Any:
    if field.is_required():
        return REQUIRED
    return field.get_default(call_default_factory=True)


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else schema


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def type_text(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[str, str]:
    """(type, allowed values) of a property, in words, from its JSON Schema."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        options = [_resolve(s, defs) for s in schema["anyOf"] if s.get("type") != "null"]
        if len(options) == 1:
            typ, allowed = type_text(options[0], defs)
            return f"{typ} (optional)", allowed
    if "const" in schema:
        return "string", f"`{schema['const']}`"
    if "enum" in schema:
        return "string", ", ".join(f"`{v}`" for v in schema["enum"])
    typ = schema.get("type", "object")
    if typ == "array":
        inner, allowed = type_text(schema.get("items", {}), defs)
        bounds = f", at least {schema['minItems']}" if schema.get("minItems") else ""
        return f"list of {inner}{bounds}", allowed
    if typ == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return f"map of string to {type_text(extra, defs)[0]}", ""
        return "object", ""
    low = f">= {_num(schema['minimum'])}" if "minimum" in schema else (
        f"> {_num(schema['exclusiveMinimum'])}" if "exclusiveMinimum" in schema else "")
    high = f"<= {_num(schema['maximum'])}" if "maximum" in schema else ""
    if "minimum" in schema and high:
        words = [f"{_num(schema['minimum'])} to {_num(schema['maximum'])}"]
    else:
        words = [", ".join(w for w in (low, high) if w)] if low or high else []
    if "pattern" in schema:
        words.append(f"matches `{schema['pattern']}`")
    return typ, "; ".join(words)


def model_schemas() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Every section model's JSON Schema (by alias, as in the stack files) and the shared definitions."""
    models = [m for m in section_models().values()] + list(RUNTIME_MODELS.values())
    refs, document = models_json_schema([(m, "validation") for m in models], by_alias=True,
                                        ref_template="#/$defs/{model}")
    defs = document.get("$defs", {})
    return {m.__name__: _resolve(refs[(m, "validation")], defs) for m in models}, defs


def section_models() -> dict[str, type[BaseModel]]:
    """Section key -> its model, for every StackConfig section that is one model (not the compute union)."""
    sections = {}
    for name, field in StackConfig.model_fields.items():
        alias = field.alias or name
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            sections[alias] = field.annotation
    return sections


def _keys_of(model: type[BaseModel], schema: dict[str, Any], defs: dict[str, Any], prefix: str, section: str,
             defaults_of: Callable[[str, Any], dict[str, str]], runtime: Optional[str] = None) -> list[Key]:
    keys = []
    for name, field in model.model_fields.items():
        alias = field.alias or name
        prop = schema.get("properties", {}).get(alias, {})
        typ, allowed = type_text(prop, defs)
        notes = [DOMAIN_NOTES[t][0]() for t in domain_types(field.annotation, field.metadata) if t in DOMAIN_NOTES]
        if notes:
            allowed = "; ".join(notes + ([allowed] if allowed and "matches" not in allowed else []))
        inner = _list_model(field.annotation)
        if inner is not None:
            typ = f"list of {inner.__name__} (below)"
        keys.append(Key(f"{prefix}{alias}", section, runtime, typ, allowed, defaults_of(alias, field),
                        (field.description or "").strip()))
        if inner is not None:
            nested = _resolve({"$ref": f"#/$defs/{inner.__name__}"}, defs)
            keys += _keys_of(inner, nested, defs, f"{prefix}{alias}[].", section,
                             lambda a, f: {p.value: _shown(_model_default(f)) if _model_default(f) != REQUIRED
                                           else REQUIRED for p in Phase}, runtime)
    return keys


def _list_model(annotation: Any) -> Optional[type[BaseModel]]:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _rendered(value: Any) -> str:
    return REQUIRED if value is REQUIRED else _shown(value)


def reference_keys() -> list[Key]:
    """Every `phasegate:` key, in stack-file order: phase, the sections, then compute per runtime."""
    schemas, defs = model_schemas()
    phase_field = StackConfig.model_fields["phase"]
    keys = [Key(f"{NAMESPACE}:phase", "phase", None, "string", ", ".join(f"`{p.value}`" for p in Phase),
                {p.value: REQUIRED for p in Phase}, (phase_field.description or "").strip())]
    for section, model in section_models().items():
        def preset_default(alias: str, field: Any, section: str = section) -> dict[str, str]:
            return {p.value: _rendered(PRESETS[p].get(section, {}).get(alias, _model_default(field))) for p in Phase}

        keys += _keys_of(model, schemas[model.__name__], defs, f"{NAMESPACE}:{section}.", section, preset_default)
    runtimes = ", ".join(f"`{r}`" for r in RUNTIME_MODELS)
    keys.append(Key(f"{NAMESPACE}:{COMPUTE}.runtime", COMPUTE, None, "string", runtimes,
                    {p.value: f"`{PHASE_RUNTIMES[p][0]}`" for p in Phase},
                    "The compute that runs the app; each runtime has its own keys (below), and a phase allows only "
                    "some runtimes."))
    for runtime, model in RUNTIME_MODELS.items():
        def runtime_default(alias: str, field: Any, runtime: str = runtime) -> dict[str, str]:
            out = {}
            for p in Phase:
                if runtime not in PHASE_RUNTIMES[p]:
                    out[p.value] = NOT_AVAILABLE
                else:
                    out[p.value] = _rendered(compute_preset(p, runtime).get(alias, _model_default(field)))
            return out

        keys += [k for k in _keys_of(model, schemas[model.__name__], defs, f"{NAMESPACE}:{COMPUTE}.", COMPUTE,
                                     runtime_default, runtime=runtime) if not k.key.endswith(".runtime")]
    return keys


def section_description(section: str) -> str:
    field = next((f for n, f in StackConfig.model_fields.items() if (f.alias or n) == section), None)
    text = (field.description if field is not None else None) or ""
    if not text and section in section_models():
        text = (section_models()[section].__doc__ or "").strip()
    return " ".join(text.split())


def render_reference() -> str:
    keys = reference_keys()
    phases = [p.value for p in Phase]
    out = ["# Stack configuration reference", "",
           "<!-- Generated by `./dev docs` from components/config (models, presets) and the policy pack's usage "
           "keys. Do not edit by hand. -->", "",
           f"Every setting lives under the `{NAMESPACE}` namespace of a `Pulumi.<stack>.yaml`. `{NAMESPACE}:phase` "
           "picks the preset of defaults; a stack file states only what differs. Defaults are given per phase "
           f"({', '.join(phases)}) where the presets differ. The region is `aws:region` "
           f"({DOMAIN_NOTES['Region'][0]()}). Editors that speak the YAML language server complete and check "
           "these keys from [schemas/stack-config.schema.json](schemas/stack-config.schema.json).", ""]
    sections = list(dict.fromkeys(k.section for k in keys if k.section != COMPUTE))
    out += ["Sections: " + ", ".join(f"[`{NAMESPACE}:{s}`](#{NAMESPACE}{s})" for s in sections)
            + f", [`{NAMESPACE}:{COMPUTE}`](#{NAMESPACE}{COMPUTE}) (by runtime).", ""]
    header = ["| key | type | allowed values | default | description |", "|---|---|---|---|---|"]

    def row(k: Key, name: str) -> str:
        cells = [f"`{name}`", k.type, k.allowed or "", k.default_text(), k.description or "**undocumented**"]
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    for section in sections:
        out += [f"## {NAMESPACE}:{section}", ""]
        if section_description(section):
            out += [section_description(section), ""]
        out += header + [row(k, k.key.split(":", 1)[1].split(".", 1)[-1] if "." in k.key else k.key)
                         for k in keys if k.section == section] + [""]
    out += [f"## {NAMESPACE}:{COMPUTE}", "", section_description(COMPUTE) or "", "",
            "`runtime` chooses the compute; each runtime has its own keys. A phase allows only some runtimes; "
            "the first is its default when `runtime` is not given.", "",
            "| runtime | phases (default in) | what it is |", "|---|---|---|"]
    runtime_key = next(k for k in keys if k.key == f"{NAMESPACE}:{COMPUTE}.runtime")
    for runtime, model in RUNTIME_MODELS.items():
        allowed = [p.value for p in Phase if runtime in PHASE_RUNTIMES[p]]
        default_in = [p.value for p in Phase if PHASE_RUNTIMES[p][:1] == (runtime,)]
        what = " ".join((model.model_fields["runtime"].description or model.__doc__ or "").split())
        out.append(f"| `{runtime}` | {', '.join(allowed) or 'none'}"
                   f"{' (' + ', '.join(default_in) + ')' if default_in else ''} | {what} |")
    out += ["", header[0], header[1], row(runtime_key, "runtime"), ""]
    for runtime, model in RUNTIME_MODELS.items():
        out += [f"### runtime: {runtime}", "", " ".join((model.__doc__ or "").split()), ""]
        out += header + [row(k, k.key.split(".", 1)[1]) for k in keys if k.runtime == runtime] + [""]
    return "\n".join(out).replace("\n\n\n", "\n\n")
