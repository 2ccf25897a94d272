"""Moving the domain to the target, watching it, and pointing it back at the source when a check fails.

Two ways to move, both reversible by one Route 53 change:
- `domain`: save the domain's current record, set `phasegate:app.domain` on the target and deploy it; its load
  balancer part issues the certificate and takes the record over (`allow_overwrite`). Back: restore the saved
  record, or delete the target's if there was none. The target keeps declaring the domain after a rollback on
  purpose: removing it and running `up` would make Pulumi delete the record, which by then points at the source
  again (the plan's undo texts say to `pulumi state delete` the records first).
- `weighted`: a Route 53 health check on the target, waited for until Route 53 itself judges it healthy (more
  than 18% of its checkers), then weighted A records (source and target) shifted stage by stage while the check
  and the target's alarms are watched. Back: source 100, target 0.

`cutoverStarted` is set only once the records before the cutover are saved, so a rollback restores what was there,
never a record made up from the source's outputs.
"""

from __future__ import annotations

from typing import Optional

from ..aws import ROUTE53_HEALTHY_SHARE, Alarm
from ..errors import VerificationFailed
from ..health import Probe, wait_healthy
from .context import Context
from .plan import DOMAIN_KEY, ZONE_KEY
from .steps import StepImpl

TRIGGER_MARK = "-trigger-"  # next-phase triggers say "plan the next phase", not "this deploy is broken"


def _dns(name: str) -> str:
    return name.lower().rstrip(".").removeprefix("dualstack.")


def _zone(ctx: Context) -> str:
    if "zoneId" not in ctx.state.facts:
        ctx.state.facts["zoneId"] = ctx.aws.zone_id(ctx.facts.zone)
    return ctx.state.facts["zoneId"]


def _load_balancer(ctx: Context) -> str:
    name = ctx.fact("target", "loadBalancerDnsName")
    if not name:
        raise VerificationFailed(f"{ctx.facts.target} exports no loadBalancerDnsName to move {ctx.facts.domain} to")
    return str(name)


def _source_record(ctx: Context) -> dict:
    """A record pointing at the source: its Elastic IP (compose), or an alias to its load balancer."""
    f, source = ctx.facts, ctx.state.facts.get("source", {})
    record: dict = {"Name": f.domain, "Type": "A"}
    if source.get("loadBalancerDnsName"):
        record["AliasTarget"] = {"HostedZoneId": ctx.aws.load_balancer_zone(f.source_region,
                                                                             source["loadBalancerDnsName"]),
                                 "DNSName": source["loadBalancerDnsName"], "EvaluateTargetHealth": True}
    elif source.get("publicIp"):
        record |= {"TTL": 60, "ResourceRecords": [{"Value": source["publicIp"]}]}
    else:
        raise VerificationFailed(f"{f.source} exports neither publicIp nor loadBalancerDnsName to point back at")
    return record


def _weighted_source(ctx: Context, weight: int) -> dict:
    """The source's weighted record: its record before the cutover if it had a simple one, else derived."""
    simple = [r for r in ctx.state.facts.get("dnsBefore", []) if "SetIdentifier" not in r]
    base = dict(simple[0]) if simple else _source_record(ctx)
    base.pop("HealthCheckId", None)
    return {**base, "SetIdentifier": ctx.facts.source, "Weight": weight}


def firing_alarms(ctx: Context) -> list[Alarm]:
    topic = ctx.fact("target", "alertsTopicArn")
    if not topic:
        return []
    return [alarm for alarm in ctx.aws.alarms_notifying(ctx.facts.target_region, topic)
            if alarm.state == "ALARM" and TRIGGER_MARK not in alarm.name]


def _alarm_problem(ctx: Context) -> Optional[str]:
    firing = firing_alarms(ctx)
    return f"{ctx.facts.target} alarms in ALARM: {', '.join(a.name for a in firing)}" if firing else None


# --- the cutover step --------------------------------------------------------------------------------------

def run_cutover(ctx: Context) -> str:
    f = ctx.facts
    if not f.domain:
        return "no domain: nothing to move"
    zone = _zone(ctx)
    check = _ready_health_check(ctx) if f.options.cutover == "weighted" else None  # before DNS is touched
    if "dnsBefore" not in ctx.state.facts:  # only the first attempt sees the source's record
        ctx.state.facts["dnsBefore"] = ctx.aws.records(zone, f.domain)
        ctx.state.save()
    ctx.state.facts["cutoverStarted"] = True  # from here on a failure rolls back, to the records saved above
    ctx.state.rolled_back = False
    ctx.state.save()
    if check is not None:
        return _shift_weights(ctx, zone, check)
    target = ctx.target_stack()
    if target.config(DOMAIN_KEY, path=True) != f.domain:
        target.set_config(DOMAIN_KEY, f.domain, path=True)
    zone = ctx.state.facts.get("heldBackZone")  # held back with the domain: a zone without a domain is invalid
    if zone and target.config(ZONE_KEY, path=True) != zone:
        target.set_config(ZONE_KEY, zone, path=True)
    # refresh: after a rollback the engine must see that the record points at the source again, or it would
    # think nothing changed and leave it there.
    ctx.deploy_target(refresh=True)
    return f"{DOMAIN_KEY}={f.domain} deployed on {f.target}"


def _ready_health_check(ctx: Context) -> str:
    """The migration's Route 53 health check on the target, once Route 53 judges it healthy (a new one is not)."""
    f, o = ctx.facts, ctx.facts.options
    check = ctx.state.facts.get("healthCheckId") or ctx.aws.create_health_check(
        f"phasegate-{ctx.state.snapshot}", _load_balancer(ctx), f.health_path, https=False)
    ctx.state.facts["healthCheckId"] = check
    ctx.state.save()
    deadline = ctx.clock.now() + o.health_check_wait_minutes * 60
    while not ctx.aws.health_check_healthy(check):
        if ctx.clock.now() >= deadline:
            raise VerificationFailed(
                f"the Route 53 health check {check} on {f.target} is not healthy after {o.health_check_wait_minutes} "
                f"minutes (Route 53 counts it healthy when more than {ROUTE53_HEALTHY_SHARE:.0%} of its checkers "
                f"report success); DNS was not changed")
        ctx.clock.sleep(min(o.health_interval_seconds, max(0.0, deadline - ctx.clock.now())))
    ctx.write(f"  the Route 53 health check {check} on {f.target} is healthy")
    return check


def _shift_weights(ctx: Context, zone: str, check: str) -> str:
    f, o = ctx.facts, ctx.facts.options
    balancer = _load_balancer(ctx)
    alias = {"HostedZoneId": ctx.aws.load_balancer_zone(f.target_region, balancer), "DNSName": balancer,
             "EvaluateTargetHealth": True}
    simple = [r for r in ctx.state.facts["dnsBefore"] if "SetIdentifier" not in r]
    for weight in o.weights:
        if weight <= ctx.state.facts.get("weight", 0):
            continue  # this stage was reached before an interruption
        target_record = {"Name": f.domain, "Type": "A", "SetIdentifier": f.target, "Weight": weight,
                         "HealthCheckId": check, "AliasTarget": alias}
        current = {r.get("SetIdentifier") for r in ctx.aws.records(zone, f.domain)}
        ctx.aws.change_records(zone, upsert=[_weighted_source(ctx, 100 - weight), target_record],
                               delete=simple if None in current else [])
        ctx.state.facts["weight"] = weight
        ctx.state.save()
        ctx.write(f"  {f.domain}: {f.target} {weight}%, {f.source} {100 - weight}%")
        _watch(ctx, o.stage_minutes, health_check=check)
    return f"{f.domain} weighted {f.target} 100%"


def verify_cutover(ctx: Context) -> Optional[str]:
    f = ctx.facts
    if not f.domain:
        return None
    records = ctx.aws.records(_zone(ctx), f.domain)
    balancer = _dns(_load_balancer(ctx))
    if f.options.cutover == "weighted":
        weights = {r.get("SetIdentifier"): r.get("Weight") for r in records}
        if weights.get(f.target) != 100 or weights.get(f.source, 0) != 0:
            return f"{f.domain} weights are {weights}, not {f.target} 100 / {f.source} 0"
        return None
    if not any(_dns(r.get("AliasTarget", {}).get("DNSName", "")) == balancer for r in records):
        return f"{f.domain} does not alias {f.target}'s load balancer {balancer}"
    o = f.options
    result = wait_healthy(ctx.prober, Probe(f"https://{f.domain}{f.health_path}", connect_to=balancer), ctx.clock,
                          o.health_attempts, o.health_interval_seconds)
    ctx.write(f"  {result.detail} (through {balancer})")
    return None if result.healthy else f"{f.target} is not healthy behind {f.domain}: {result.detail}"


# --- the soak step -----------------------------------------------------------------------------------------

def _watch(ctx: Context, minutes: float, health_check: Optional[str] = None) -> None:
    """Poll the target's alarms (and the health check) until the window ends; raise at the first bad sign."""
    end = ctx.clock.now() + minutes * 60
    while True:
        problem = _alarm_problem(ctx)
        if problem is None and health_check and not ctx.aws.health_check_healthy(health_check):
            problem = f"the Route 53 health check on {ctx.facts.target} is failing"
        if problem:
            raise VerificationFailed(problem)
        if ctx.clock.now() >= end:
            return
        ctx.clock.sleep(min(ctx.facts.options.poll_seconds, max(0.0, end - ctx.clock.now())))


def run_soak(ctx: Context) -> str:
    minutes = ctx.facts.options.soak_minutes
    ctx.write(f"  watching {ctx.facts.target}'s alarms for {minutes} minutes")
    _watch(ctx, minutes)
    return f"{minutes} minutes without an alarm"


def verify_soak(ctx: Context) -> Optional[str]:
    return _alarm_problem(ctx)


# --- rollback ----------------------------------------------------------------------------------------------

def point_back(ctx: Context) -> str:
    """DNS back the way it was before the cutover, from the records saved then; the source was never touched."""
    f = ctx.facts
    if not f.domain or not ctx.state.facts.get("cutoverStarted"):
        return "DNS was not changed: nothing to roll back"
    before = ctx.state.facts.get("dnsBefore")
    if before is None:  # a state written before dnsBefore was saved first: there is nothing true to restore
        return (f"no record of {f.domain} from before the cutover was saved, so nothing was restored (migrate never "
                f"makes one up): check {f.domain} in Route 53 yourself")
    zone = _zone(ctx)
    if f.options.cutover == "weighted":
        message = _weights_back(ctx, zone, before)
    elif before:
        ctx.aws.change_records(zone, upsert=before, comment="phasegate migrate: roll back")
        message = f"{f.domain} points at {f.source} again"
    else:
        message = _delete_target_records(ctx, zone)
    ctx.state.rolled_back = True
    ctx.state.save()
    return message


def _weights_back(ctx: Context, zone: str, before: list[dict]) -> str:
    f = ctx.facts
    current = ctx.aws.records(zone, f.domain)
    ours = [r for r in current if r.get("SetIdentifier") == f.target]
    sources = [r for r in current if r.get("SetIdentifier") == f.source]
    ctx.state.facts["weight"] = 0
    if not ours:
        return f"{f.domain} has no weighted record for {f.target}: DNS was not changed"
    if not before:  # nothing answered for the domain before: the weighted records are all the migration's own
        ctx.aws.change_records(zone, delete=ours + sources, comment="phasegate migrate: roll back")
        return f"{f.domain} had no record before the cutover: the migration's weighted records are deleted"
    ctx.aws.change_records(zone, upsert=[{**r, "Weight": 100} for r in sources or [_weighted_source(ctx, 100)]] + [
        {**r, "Weight": 0} for r in ours], comment="phasegate migrate: roll back")
    return f"{f.domain} points at {f.source} again (weights {f.source} 100, {f.target} 0)"


def _delete_target_records(ctx: Context, zone: str) -> str:
    """Nothing answered for the domain before the cutover: take away the target's record, invent none."""
    f = ctx.facts
    balancer = ctx.fact("target", "loadBalancerDnsName")
    ours = [r for r in ctx.aws.records(zone, f.domain)
            if balancer and _dns(r.get("AliasTarget", {}).get("DNSName", "")) == _dns(str(balancer))]
    ctx.aws.change_records(zone, delete=ours, comment="phasegate migrate: roll back")
    return f"{f.domain} had no record before the cutover: {f.target}'s record is deleted, as it was"


STEPS: dict[str, StepImpl] = {
    "cutover": StepImpl(run_cutover, verify_cutover),
    "soak": StepImpl(run_soak, verify_soak),
}
