"""The migration as a plan: ordered steps, each with its action, its verification and its undo, as plain text.

Pure: built from `MigrationFacts` and the snapshot name, so `--plan` prints exactly what a run would do without
touching anything. `steps.py` holds what each step does; the ids here and there are the same.

The assets copy comes after the target's deploy (not before, as in a hand-run runbook) because the target's
bucket is created by that deploy, and the deploy itself must come after `snapshotIdentifier` is set: RDS reads
it only when it creates the database.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Optional

from components.config import RUNTIME_MODELS
from project import PROJECT

from .facts import MigrationFacts
from .state import MigrationState
from .window import freeze_window

# The migration plan's JSON (`--plan --format json`), described by docs/schemas/migration-plan.schema.json:
# MAJOR.MINOR, a minor version only adds fields.
PLAN_SCHEMA_VERSION = "1.0"

DB_KEY = "phasegate:database.snapshotIdentifier"
DOMAIN_KEY = "phasegate:app.domain"
ZONE_KEY = "phasegate:app.hostedZone"


@dataclass(frozen=True)
class PlannedStep:
    id: str
    title: str
    action: str
    verification: str
    undo: str


def plan_steps(facts: MigrationFacts, snapshot: str) -> list[PlannedStep]:
    f, o = facts, facts.options
    src, tgt = f.source, f.target
    steps = [
        PlannedStep("stacks", f"Select {src}, create or select {tgt}",
                    f"Select stack {src} (it must exist and be deployed) and read its outputs; create or select stack "
                    f"{tgt}.",
                    f"{src} exports url, databaseAddress and assetsBucket; {tgt} can be selected.",
                    f"Nothing changed. An empty stack {tgt} can be removed with `pulumi stack rm {tgt}`."),
        _freeze(f),
    ]
    if o.database_restored:
        steps.append(PlannedStep(
            "database", f"Use the data already restored into {tgt}",
            f"Skip the snapshot: {tgt}'s database was restored by hand with pg_dump/pg_restore (--database-restored).",
            f"{tgt} has a database.", "Nothing changed."))
    else:
        key = f"{o.kms_key} in {f.target_region}"
        steps += [
            PlannedStep("snapshot", f"Snapshot {src}'s database",
                        f"Refuse if {tgt} already has a database; otherwise take the manual snapshot {snapshot} of "
                        f"{src}'s database in {f.source_region}, with its writes frozen: every write made before "
                        f"the freeze is in it.",
                        "The snapshot is available and encrypted.",
                        f"aws rds delete-db-snapshot --region {f.source_region} --db-snapshot-identifier {snapshot}"),
            PlannedStep("copy-snapshot", f"Copy the snapshot to {f.target_region}" if f.cross_region
                        else "Use the snapshot in place (same region)",
                        (f"Copy {snapshot} from {f.source_region} to {f.target_region}, re-encrypted with the KMS key "
                         f"{key}: an encrypted snapshot is usable in another region only as a copy encrypted with a "
                         f"key of that region." if f.cross_region else
                         f"Nothing to copy: {src} and {tgt} are both in {f.target_region}."),
                        (f"The copy is available in {f.target_region}, encrypted with {key}." if f.cross_region
                         else "The snapshot is available in the target's region."),
                        (f"aws rds delete-db-snapshot --region {f.target_region} --db-snapshot-identifier {snapshot}"
                         if f.cross_region else "Nothing to undo.")),
            PlannedStep("restore-point", f"Point {tgt}'s database at the snapshot",
                        f"Set {DB_KEY} on {tgt} to the snapshot's ARN, only while {tgt} has no database (RDS reads it "
                        f"at creation only). If {tgt} has one, stop and print the pg_dump/pg_restore route instead.",
                        f"{tgt}'s config holds the snapshot's ARN.",
                        f"pulumi config rm --path {DB_KEY} -s {tgt} (only before its database exists)."),
        ]
    hold = (f" {DOMAIN_KEY} ({f.domain}) is held back until the cutover, so {f.domain} keeps pointing at {src}."
            if f.domain else "")
    release = f"first, if the cutover ever ran, {_release_first(f)}; then " if target_owns_records(f) else ""
    steps += [
        PlannedStep("deploy", f"Deploy {tgt}",
                    f"./dev deploy {tgt} --yes: the offline check, a preview with the policy pack (any mandatory "
                    f"violation stops here), then up constrained to the previewed plan.{hold}",
                    f"{tgt} exports url, databaseAddress and assetsBucket.",
                    f"Never destroyed automatically. To discard {tgt}: {release}set deletionProtection: false and "
                    f"assets.forceDestroy: true in Pulumi.{tgt}.yaml, `pulumi up -s {tgt}`, `pulumi destroy -s {tgt}`."),
        PlannedStep("copy-assets", f"Copy the assets bucket to {tgt}'s",
                    f"Copy every object of {src}'s assets bucket ({f.source_region}) that is missing or different "
                    f"in {tgt}'s ({f.target_region})" + (", across regions." if f.cross_region else "."),
                    "Every source object is in the target bucket with the same size and ETag.",
                    f"Nothing to undo: {src}'s bucket is only read."),
        PlannedStep("health", f"Health-check {tgt}",
                    f"GET {tgt}'s url + {f.health_path} until it answers 2xx/3xx ({o.health_attempts} tries, "
                    f"{o.health_interval_seconds} s apart).",
                    f"{tgt} answers 2xx/3xx on {f.health_path}.",
                    f"Nothing to undo: traffic has not moved; {src} keeps serving."),
        _cutover(f),
        PlannedStep("soak", f"Soak: watch {tgt}'s alarms",
                    f"For {o.soak_minutes} minutes, read {tgt}'s alarms every {o.poll_seconds} s (next-phase "
                    f"triggers excepted); any alarm in ALARM rolls back.",
                    f"No alarm of {tgt} is in ALARM at the end of the window.",
                    f"Roll back: point {f.domain or 'DNS'} at {src} again."),
    ]
    return steps


def _freeze(f: MigrationFacts) -> PlannedStep:
    return PlannedStep(
        "freeze-writes", f"Freeze writes to {f.source}'s database",
        f"Record the source database parameter group's default_transaction_read_only, set it to 1 (applied at once) "
        f"and reboot the instance, which ends every open session and transaction: from then on {f.source}'s database "
        f"refuses writes, until the cutover and after it; {freeze_window(f, f.source_storage_gb).text()}.",
        "The parameter is 1, the group's apply status is in-sync and the instance is available after the reboot.",
        f"The parameter as it was before (reset to the engine default if the group did not set it), applied at "
        f"once: {f.source} takes writes again. A rollback runs it.")


def _cutover(f: MigrationFacts) -> PlannedStep:
    src, tgt, o = f.source, f.target, f.options
    if not f.domain:
        return PlannedStep("cutover", "Cut over (no domain)",
                           f"Nothing to change in DNS: neither stack declares {DOMAIN_KEY}; users move when you "
                           f"publish {tgt}'s url.", "Nothing to verify.", "Nothing to undo.")
    if o.cutover == "weighted":
        stages = " -> ".join(f"{w}%" for w in o.weights)
        return PlannedStep(
            "cutover", f"Shift {f.domain} to {tgt} with weighted records",
            f"Create a Route 53 health check on {tgt}'s load balancer ({f.health_path}) and weighted A records for "
            f"{f.domain} in {f.zone}: {tgt} {stages} ({src} the rest), {o.stage_minutes} minutes per stage watching "
            f"the health check and {tgt}'s alarms.",
            f"At each stage the weights are as planned, the health check is healthy and no alarm of {tgt} is in ALARM.",
            f"Weights {src} 100%, {tgt} 0%.")
    return PlannedStep(
        "cutover", f"Move {f.domain} to {tgt}",
        f"Save the current A record of {f.domain} (zone {f.zone}), set {DOMAIN_KEY}={f.domain} on {tgt} and deploy "
        f"again: the certificate is issued and validated, and the alias record takes {f.domain} over.",
        f"The record aliases {tgt}'s load balancer and https://{f.domain}{f.health_path} answers through it.",
        f"Restore the saved record (none saved: delete {tgt}'s): {f.domain} points at {src} again. "
        + (f"{tgt} keeps declaring {DOMAIN_KEY}: before removing it or destroying {tgt}, {_release_first(f)}."))


def rollback_text(f: MigrationFacts) -> str:
    if not f.domain:
        return "Nothing to roll back in DNS (no domain); the source was never changed."
    how = "weights back to 100% / 0%" if f.options.cutover == "weighted" else \
        "the saved record restored, or the target's record deleted if there was none"
    return (f"A failed verification at or after the cutover points {f.domain} back at {f.source} ({how}), then stops; "
            f"{f.source} itself is never changed."
            + (f" {f.target} keeps declaring {f.domain}: read the cutover's undo before removing it." if
               target_owns_records(f) else ""))


def target_owns_records(f: MigrationFacts) -> bool:
    """A domain cutover makes the target declare the domain: from then on its Pulumi state owns the records."""
    return bool(f.domain) and f.options.cutover == "domain"


def release_commands(f: MigrationFacts) -> list[str]:
    """Copy-pasteable: take the target's records for the domain out of its state (leaving them in Route 53), then
    stop it declaring the domain, or the next up declares them again and takes the domain over."""
    return [*state_delete_commands(f.target, f.app),
            f"pulumi config rm --path {DOMAIN_KEY} --stack {f.target}"]


def state_delete_commands(stack: str, app: str) -> list[str]:
    return [f"pulumi state delete --stack {stack} --yes '{urn}'" for urn in record_urns(stack, app)]


def _release_first(f: MigrationFacts) -> str:
    return (f"take {f.domain}'s records out of {f.target}'s state with the commands under \"Releasing {f.domain}\" "
            f"(after a rollback its alias record is the live one pointing {f.domain} at {f.source}, and its "
            f"certificate validation record is shared by every certificate for {f.domain}: a destroy would delete "
            f"both)")


def keeps_domain(f: MigrationFacts) -> str:
    """What to do before the target stops declaring the domain, once a domain cutover ran (even rolled back)."""
    return "\n".join([f"{f.target} keeps declaring {DOMAIN_KEY}: before removing it or destroying {f.target}, take "
                      f"{f.domain}'s records out of its state (they stay in Route 53), then only `pulumi up -s "
                      f"{f.target}` or `pulumi destroy -s {f.target}`:", *(f"  {c}" for c in release_commands(f))])


def retirement_steps(f: MigrationFacts, snapshot: str) -> list[str]:
    """What retiring the source takes; printed, never run: only a person decides that the source may go."""
    src = f.source
    steps = [f"Keep {src} until {f.target} has served well for a while; the snapshot {snapshot} is the way back to "
        f"{src}'s data as of the cutover.",
        *([f"To discard {f.target} instead (after a rollback), before anything else {_release_first(f)}; only then "
           f"deletion protection off, `pulumi up -s {f.target}` and `pulumi destroy -s {f.target}` (its deploy "
           f"step's undo)."] if target_owns_records(f) else []),
        f"In Pulumi.{src}.yaml set phasegate:database: {{deletionProtection: false}} (keep skipFinalSnapshot false "
        f"for a final snapshot) and phasegate:assets: {{forceDestroy: true}}.",
        f"pulumi up -s {src}   # applies the opt-outs: nothing is deleted yet",
        *([f"The records for {f.domain} now belong to {f.target}: take them out of {src}'s state first, or its destroy "
           f"deletes them:", *state_delete_commands(src, f.app)] if f.source_owns_records else []),
        f"pulumi destroy -s {src}",
        f"Once the final snapshot exists, delete the migration snapshot(s): aws rds delete-db-snapshot --region "
        f"{f.source_region} --db-snapshot-identifier {snapshot}"
        + (f" (and in {f.target_region} once {f.target}'s database has its own backups)" if f.cross_region else ""),
    ]
    if f.domain and f.options.cutover == "weighted":
        steps.append(f"Delete {src}'s weighted record for {f.domain} (weight 0) and the migration's health check.")
    return steps


def record_urns(stack: str, app: str) -> list[str]:
    """The Route 53 records a stack's load balancer part declares for the domain: its alias, its cert validation."""
    lb = "phasegate:loadbalancer:LoadBalancer"
    return [f"urn:pulumi:{stack}::{PROJECT}::{lb}$aws:lb/loadBalancer:LoadBalancer$aws:route53/record:Record::"
            f"{app}-lb-alias",
            f"urn:pulumi:{stack}::{PROJECT}::{lb}$aws:acm/certificate:Certificate$aws:route53/record:Record::"
            f"{app}-lb-cert-validation"]


def notes(f: MigrationFacts) -> list[str]:
    on_nodes = RUNTIME_MODELS[f.source_runtime].capabilities.state_on_nodes
    state = f" or {on_nodes}" if on_nodes else ""
    found = [f"Not migrated: the {f.source_runtime} compute{state}: the app is stateless, its data lives in RDS, the "
             f"cache and S3; the cache's contents are not copied (a cache refills)."]
    if f.cross_region:
        found.append(f"{f.source} is in {f.source_region} and {f.target} in {f.target_region}: the database moves as "
                     f"a snapshot copy and the assets as a cross-region copy.")
    return found


def render_json(f: MigrationFacts, steps: list[PlannedStep], snapshot: str, state: Optional[MigrationState],
                state_file: str) -> str:
    return json.dumps({
        "schemaVersion": PLAN_SCHEMA_VERSION, **f.as_json(), "snapshot": snapshot, "stateFile": state_file, "applied": False,
        "steps": [{"n": n, **asdict(step), "status": _status(state, step.id)} for n, step in enumerate(steps, 1)],
        "rollback": rollback_text(f), "retirement": retirement_steps(f, snapshot), "notes": notes(f),
        "releaseCommands": release_commands(f) if target_owns_records(f) else [],
        "freezeWindow": freeze_window(f, f.source_storage_gb).as_json(),
    }, indent=2) + "\n"


def render_text(f: MigrationFacts, steps: list[PlannedStep], snapshot: str, state: Optional[MigrationState],
                state_file: str) -> str:
    out = [f"Migration {f.source} ({f.source_region}, {f.source_runtime}) -> {f.target} ({f.target_region}, "
           f"{f.target_runtime}); cutover: {f.options.cutover if f.domain else 'none'}; progress in {state_file}",
           f"Write freeze: {freeze_window(f, f.source_storage_gb).text()}.", ""]
    for n, step in enumerate(steps, 1):
        out += [f"{n}. {step.title} [{_status(state, step.id)}]", f"   action: {step.action}",
                f"   verify: {step.verification}", f"   undo:   {step.undo}"]
    out += ["", f"Rollback: {rollback_text(f)}", "", "Retiring the source (printed at the end, never run):"]
    out += [f"  {n}. {line}" for n, line in enumerate(retirement_steps(f, snapshot), 1)]
    if target_owns_records(f):
        out += ["", f"Releasing {f.domain} from {f.target}'s state (only once the cutover ran; copy-paste, in order):"]
        out += [f"  {command}" for command in release_commands(f)]
    out += ["", "Notes:"] + [f"  - {line}" for line in notes(f)]
    return "\n".join(out) + "\n"


def _status(state: Optional[MigrationState], step: str) -> str:
    return (state.status(step) if state else None) or "pending"
