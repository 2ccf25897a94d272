"""What each planned step does (`run`) and how it proves it is done (`verify`), up to the health check.

Every `run` is idempotent: it looks before it acts (an existing snapshot or copy is reused, objects already
copied are skipped, config already set is left), so a resumed or repeated run never does a step twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from ..errors import AwsError, Refused, StackError, VerificationFailed
from ..health import Probe, wait_healthy
from ..stacks import public_outputs
from .context import Context
from .plan import DB_KEY, DOMAIN_KEY, ZONE_KEY

REQUIRED_OUTPUTS = ("url", "databaseAddress", "assetsBucket")


@dataclass(frozen=True)
class StepImpl:
    run: Callable[[Context], str]
    verify: Callable[[Context], Optional[str]]  # None when verified, else what is wrong


def _tags(ctx: Context) -> dict[str, str]:
    return {"phasegate:migration": f"{ctx.facts.source}-to-{ctx.facts.target}", "phasegate:app": ctx.facts.app}


# --- 1. stacks ---------------------------------------------------------------------------------------------

def run_stacks(ctx: Context) -> str:
    outputs = ctx.source_stack().outputs()
    missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
    if missing:
        raise StackError(f"{ctx.facts.source}: no {', '.join(missing)} output(s); deploy it first "
                         f"(./dev deploy {ctx.facts.source} --yes)")
    keep = ("url", "databaseAddress", "assetsBucket", "publicIp", "loadBalancerDnsName", "alertsTopicArn", "instanceId",
            "k3sServerId")
    public = public_outputs(outputs)  # a secret output is never written to the state file
    ctx.state.facts["source"] = {k: public[k] for k in keep if isinstance(public.get(k), str)}
    ctx.remember_target_outputs(ctx.target_stack().outputs())
    return f"{ctx.facts.source} serves {outputs['url']}"


def verify_stacks(ctx: Context) -> Optional[str]:
    source = ctx.state.facts.get("source", {})
    missing = [key for key in REQUIRED_OUTPUTS if key not in source]
    return f"{ctx.facts.source} lacks outputs {', '.join(missing)}" if missing else None


# --- 2-4. the database -------------------------------------------------------------------------------------

def ensure_target_has_no_database(ctx: Context) -> None:
    """RDS reads snapshotIdentifier only at creation, and the database is protected: refuse rather than pretend."""
    f = ctx.facts
    address = ctx.fact("target", "databaseAddress")
    found = ctx.aws.find_database(f.target_region, address=address, stack=f.target)
    if found is not None:
        raise Refused(pg_route(ctx, found.address))


def pg_route(ctx: Context, target_address: str) -> str:
    f = ctx.facts
    return "\n".join([
        f"{f.target} already has a database ({target_address}): RDS reads {DB_KEY} only when it creates the "
        f"database, and the database is protected, so a snapshot set now would never be restored. Move the data "
        f"with pg_dump/pg_restore instead:",
        *pg_steps(ctx, "--database-restored"),
    ])


def pg_steps(ctx: Context, then: str) -> list[str]:
    """Copying the source's data into the target by hand, ending in the re-run that says it was done."""
    f, src = ctx.facts, ctx.state.facts.get("source", {})
    bucket, host = src.get("assetsBucket", "<source bucket>"), src.get("instanceId") or src.get("k3sServerId")
    target_bucket = ctx.fact("target", "assetsBucket") or "<target bucket>"
    return [
        f"  1. on a {f.source} host (aws ssm start-session --region {f.source_region} --target "
        f"{host or '<instance id>'}), with the DATABASE_URL the app gets:",
        f"     pg_dump --format=custom --no-owner --dbname=\"$DATABASE_URL\" | aws s3 cp - s3://{bucket}/migration/app.dump",
        f"  2. from inside {f.target} (a pod or node that gets its DATABASE_URL), after copying the dump to its bucket:",
        f"     aws s3 cp s3://{target_bucket}/migration/app.dump - | pg_restore --no-owner --clean --if-exists "
        "--dbname=\"$DATABASE_URL\"",
        f"  3. then: ./dev migrate {f.source} {f.target} --yes {then}",
    ]


def run_snapshot(ctx: Context) -> str:
    f, name = ctx.facts, ctx.state.snapshot
    ensure_target_has_no_database(ctx)
    existing = ctx.aws.snapshot(f.source_region, name)
    if existing is None:
        address = ctx.fact("source", "databaseAddress")
        database = ctx.aws.find_database(f.source_region, address=address)
        if database is None:
            raise AwsError(f"rds: no database with address {address} in {f.source_region}")
        ctx.write(f"  snapshotting {database.identifier} as {name} (minutes for a small database)")
        ctx.aws.create_snapshot(f.source_region, database.identifier, name, _tags(ctx))
    snapshot = ctx.aws.wait_for_snapshot(f.source_region, name)
    ctx.state.facts["snapshotArn"] = snapshot.arn
    # When the data was captured: the cutover shows its age, and refuses data older than the limit.
    taken = snapshot.created.timestamp() if snapshot.created else ctx.clock.now()
    ctx.state.facts["snapshotTaken"] = taken
    return "reused the snapshot taken earlier" if existing else f"took {snapshot.arn}"


def verify_snapshot(ctx: Context) -> Optional[str]:
    snapshot = ctx.aws.snapshot(ctx.facts.source_region, ctx.state.snapshot)
    if snapshot is None or snapshot.status != "available":
        return f"snapshot {ctx.state.snapshot} is {snapshot.status if snapshot else 'missing'}"
    return None if snapshot.encrypted else f"snapshot {snapshot.name} is not encrypted"


def run_copy(ctx: Context) -> str:
    f, name = ctx.facts, ctx.state.snapshot
    if not f.cross_region:
        ctx.state.facts["restoreFrom"] = ctx.state.facts["snapshotArn"]
        return f"same region ({f.target_region}): the snapshot is used as it is"
    key = ctx.aws.kms_key_arn(f.target_region, f.options.kms_key)
    ctx.state.facts["targetKmsKey"] = key
    existing = ctx.aws.snapshot(f.target_region, name)
    if existing is None:
        source = ctx.aws.snapshot(f.source_region, name)
        if source is None:
            raise AwsError(f"rds: snapshot {name} is gone from {f.source_region}")
        ctx.write(f"  copying {name} to {f.target_region} with {key}")
        ctx.aws.copy_snapshot(source, f.target_region, name, key, _tags(ctx))
    copy = ctx.aws.wait_for_snapshot(f.target_region, name)
    ctx.state.facts["restoreFrom"] = copy.arn
    return f"copy {copy.arn}"


def verify_copy(ctx: Context) -> Optional[str]:
    f = ctx.facts
    snapshot = ctx.aws.snapshot(f.target_region, ctx.state.snapshot)
    if snapshot is None or snapshot.status != "available":
        return f"no available snapshot {ctx.state.snapshot} in {f.target_region}"
    if not snapshot.encrypted:
        return f"the copy in {f.target_region} is not encrypted"
    wanted = ctx.state.facts.get("targetKmsKey")
    if f.cross_region and wanted and snapshot.kms_key != wanted:
        return f"the copy is encrypted with {snapshot.kms_key}, not {wanted}"
    return None


def run_restore_point(ctx: Context) -> str:
    ensure_target_has_no_database(ctx)
    arn = ctx.state.facts["restoreFrom"]
    target = ctx.target_stack()
    if target.config(DB_KEY, path=True) != arn:
        target.set_config(DB_KEY, arn, path=True)
    return f"{ctx.facts.target}: {DB_KEY}={arn}"


def verify_restore_point(ctx: Context) -> Optional[str]:
    value = ctx.target_stack().config(DB_KEY, path=True)
    wanted = ctx.state.facts.get("restoreFrom")
    return None if value == wanted else f"{ctx.facts.target}'s {DB_KEY} is {value!r}, not {wanted!r}"


def run_database_restored(ctx: Context) -> str:
    return "the data was restored by hand"


def verify_database_restored(ctx: Context) -> Optional[str]:
    f = ctx.facts
    found = ctx.aws.find_database(f.target_region, address=ctx.fact("target", "databaseAddress"), stack=f.target)
    return None if found else f"{f.target} has no database to hold the restored data"


# --- 5-7. deploy, assets, health ---------------------------------------------------------------------------

def run_deploy(ctx: Context) -> str:
    target = ctx.target_stack()
    if ctx.facts.domain:  # the domain moves only at the cutover, deliberately
        held = target.config(DOMAIN_KEY, path=True)
        if held:
            ctx.state.facts["heldBackDomain"] = held
            zone = target.config(ZONE_KEY, path=True)  # a hostedZone without a domain is an invalid stack file
            if zone:
                ctx.state.facts["heldBackZone"] = zone
            ctx.state.save()
            if zone:  # the zone first: stopped in between, the file is still valid (a domain without a zone)
                target.remove_config(ZONE_KEY, path=True)
            target.remove_config(DOMAIN_KEY, path=True)
            ctx.write(f"  {DOMAIN_KEY} ({held}) held back until the cutover" + (f", with {ZONE_KEY}" if zone else ""))
    outputs = ctx.deploy_target()
    return f"{ctx.facts.target} serves {outputs.get('url')}"


def verify_deploy(ctx: Context) -> Optional[str]:
    outputs = ctx.target_stack().outputs()
    missing = [key for key in REQUIRED_OUTPUTS if key not in outputs]
    return f"{ctx.facts.target} lacks outputs {', '.join(missing)}" if missing else None


def _same_object(a: tuple[int, str], b: Optional[tuple[int, str]]) -> bool:
    """Same size, and the same ETag unless one was copied in parts (a multipart ETag is not the content's MD5)."""
    return b is not None and a[0] == b[0] and (a[1] == b[1] or "-" in a[1] or "-" in b[1])


def run_copy_assets(ctx: Context) -> str:
    f = ctx.facts
    source, target = ctx.fact("source", "assetsBucket"), ctx.fact("target", "assetsBucket")
    have, want = ctx.aws.objects(target, f.target_region), ctx.aws.objects(source, f.source_region)
    todo = [key for key, info in want.items() if not _same_object(info, have.get(key))]
    for count, key in enumerate(todo, 1):
        ctx.aws.copy_object(source, f.source_region, key, target, f.target_region)
        if count % 100 == 0:
            ctx.write(f"  {count}/{len(todo)} objects copied")
    return f"{len(todo)} copied, {len(want) - len(todo)} already there"


def verify_copy_assets(ctx: Context) -> Optional[str]:
    f = ctx.facts
    want = ctx.aws.objects(ctx.fact("source", "assetsBucket"), f.source_region)
    have = ctx.aws.objects(ctx.fact("target", "assetsBucket"), f.target_region)
    missing = [key for key, info in want.items() if not _same_object(info, have.get(key))]
    return f"{len(missing)} object(s) missing or different, e.g. {missing[0]}" if missing else None


def health_probe(ctx: Context) -> Probe:
    url = str(ctx.fact("target", "url") or "").rstrip("/")
    return Probe(url + ctx.facts.health_path)


def run_health(ctx: Context) -> str:
    o = ctx.facts.options
    result = wait_healthy(ctx.prober, health_probe(ctx), ctx.clock, o.health_attempts, o.health_interval_seconds)
    if not result.healthy:
        raise VerificationFailed(f"{ctx.facts.target} is not healthy ({result.detail}); DNS was not changed, "
                                 f"{ctx.facts.source} keeps serving")
    return result.detail


def verify_health(ctx: Context) -> Optional[str]:
    result = ctx.prober(health_probe(ctx))  # once more: healthy now, not only a moment ago
    return None if result.healthy else f"{ctx.facts.target} stopped answering: {result.detail}"


STEPS: dict[str, StepImpl] = {
    "stacks": StepImpl(run_stacks, verify_stacks),
    "database": StepImpl(run_database_restored, verify_database_restored),
    "snapshot": StepImpl(run_snapshot, verify_snapshot),
    "copy-snapshot": StepImpl(run_copy, verify_copy),
    "restore-point": StepImpl(run_restore_point, verify_restore_point),
    "deploy": StepImpl(run_deploy, verify_deploy),
    "copy-assets": StepImpl(run_copy_assets, verify_copy_assets),
    "health": StepImpl(run_health, verify_health),
}
