"""AWS Backup of RDS databases: the plan is priced (vaults and selections are free) from what its selections back up.

Size: each selected database's allocated storage, as an upper bound of one full snapshot. AWS Backup's RDS snapshots
are billed as RDS backup storage; RDS's free backup storage (100% of the allocated storage, per region) is taken to
be used by the database's own automated backups, so these snapshots are charged in full.

- Every vault a rule targets (in the plan's region) holds one full snapshot of each selected database.
- Every vault a copy action names holds one more, priced in that vault's region, and each copy action transfers
  one full snapshot a month from the plan's region (assumed: incremental copies of a month add up to at most that).

The selection is linked to the plan through its `planId` property dependency and to the databases through its
`resources` dependency (by known id or ARN where none was sent). Nothing linkable is never $0: a plan no selection
names, a selection by tag, or a resource outside the stack is Unpriceable; a reference unknown at preview is
UnknownInput.
"""

from __future__ import annotations

import re
from typing import Any

from ..engine import UNKNOWN, dig, items
from .base import Context, Line, Node, Resource, UnknownInput, need, number, referrers
from .catalog import Unpriceable
from .database import DB_CLUSTERS, DB_INSTANCES

VAULTS = ("aws:backup/vault:Vault",)
SELECTIONS = ("aws:backup/selection:Selection",)
_VAULT_ARN = re.compile(r"^arn:aws[a-z-]*:backup:([a-z0-9-]+):\d*:backup-vault:")


def _databases(selection: Node, ctx: Context) -> list[Node]:
    where = f"backup selection {selection.name}"
    if items(selection.props, "selectionTags") or items(selection.props, "conditions"):
        raise Unpriceable(f"{where} chooses resources by tag or condition, so what it backs up cannot be sized")
    resources = need(dig(selection.props, "resources", default=[]), f"{where} resources")
    resources = resources if isinstance(resources, list) else [resources]
    if not resources:
        raise Unpriceable(f"{where} names no resources, so what it backs up cannot be sized")
    if any(isinstance(v, str) and "*" in v for v in resources):
        raise Unpriceable(f"{where} selects resources by wildcard, so what it backs up cannot be sized")
    linked = ctx.graph.linked(selection, "resources", resources, DB_INSTANCES + DB_CLUSTERS).nodes
    if len(linked) < len(resources):
        if any(v is UNKNOWN for v in resources):
            raise UnknownInput(f"{where} resources are unknown at preview and not all linked to databases of this stack")
        raise Unpriceable(f"{where} names resources that are not RDS instances of this stack "
                          f"({', '.join(str(v) for v in resources)}), so what it backs up cannot be sized")
    for node in linked:
        if node.type in DB_CLUSTERS:
            raise Unpriceable(f"{where} backs up the Aurora cluster {node.name}, whose snapshots are sized by its "
                              f"usage-based cluster volume")
    return linked


def _copy_region(arn: Any, plan_region: str, vaults: list[Node], where: str) -> str:
    """The region of a copy action's destination vault: from its ARN, else from the vaults the plan is linked to."""
    if isinstance(arn, str):
        match = _VAULT_ARN.match(arn)
        if not match:
            raise Unpriceable(f"{where} {arn!r} is not a backup vault ARN, so the copy's region is not known")
        return match.group(1)
    if arn is None:
        raise Unpriceable(f"{where} is not set")
    foreign = sorted({v.region for v in vaults if v.region != plan_region})
    if len(foreign) == 1:
        return foreign[0]
    if not foreign and len(vaults) >= 2:
        return plan_region
    raise UnknownInput(f"{where} is unknown at preview and the vaults the plan is linked to do not tell its region"
                       + (f" (any of {', '.join(foreign)})" if foreign else ""))


def _backup_plan(r: Resource, ctx: Context) -> list[Line]:
    selections = referrers(ctx, r, SELECTIONS, "planId", what="backup selection",
                           unlinked="not linked to a plan, so it may select for this one")
    if not selections:
        raise Unpriceable("no backup selection of this stack is linked to it, so what it backs up cannot be sized")
    databases: dict[str, Node] = {}
    for selection in selections:
        databases.update({db.urn: db for db in _databases(selection, ctx)})
    gb = sum(number(dig(db.props, "allocatedStorage"), f"database {db.name} allocatedStorage")
             for db in databases.values())
    names = ", ".join(sorted(db.name for db in databases.values()))
    snapshot = f"one full snapshot of {names} ({gb:g} GB allocated), an upper bound"
    vaults = ctx.graph.linked(r, "rules", [], VAULTS).nodes
    rules = need(dig(r.props, "rules", default=[]), "rules")
    lines: list[Line] = []
    stored: set[Any] = set()
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        rule = need(rule, f"rules[{index}]")
        label = dig(rule, "ruleName", default=f"rules[{index}]")
        target = dig(rule, "targetVaultName")  # the plan's region either way; unknown only forgoes sharing a vault
        key = (r.region, target if isinstance(target, str) else f"rule {index}")
        if key not in stored:
            stored.add(key)
            vault = f"vault {target}" if isinstance(target, str) else f"rule {label}'s vault"
            lines.append(Line(f"{gb:g} GB RDS snapshot storage in {vault} ({r.region}): {snapshot}",
                              gb * ctx.catalog.price("awsBackupRdsSnapshotStorage", r.region)))
        for copy_index, action in enumerate(items(rule, "copyActions")):
            where = f"rules[{index}].copyActions[{copy_index}].destinationVaultArn"
            action = need(action, f"rules[{index}].copyActions[{copy_index}]")
            arn = dig(action, "destinationVaultArn")
            region = _copy_region(arn, r.region, vaults, where)
            copy_key = (region, arn if isinstance(arn, str) else f"copy {index}.{copy_index}")
            if copy_key not in stored:
                stored.add(copy_key)
                lines.append(Line(f"{gb:g} GB RDS snapshot storage in the copy's vault ({region}, rule {label}): "
                                  f"{snapshot}", gb * ctx.catalog.price("awsBackupRdsSnapshotStorage", region)))
            if region != r.region:
                lines.append(Line(f"{gb:g} GB copied {r.region} -> {region} (rule {label}; assumed one full snapshot "
                                  f"a month per copy action, an upper bound)",
                                  gb * ctx.catalog.price("interRegionTransferGb", r.region)))
    if not lines:
        raise Unpriceable("it has no rules, so where it keeps snapshots is not known")
    return lines


PRICERS = {"aws:backup/plan:Plan": _backup_plan}
