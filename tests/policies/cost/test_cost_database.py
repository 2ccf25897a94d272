"""Golden tests of RDS databases (`cost/database.py`), against list prices computed by hand."""

from __future__ import annotations

from cost_helpers import lines, node, priced
from phasegate_policies.cost import Usage, estimate
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from runtime_pricing import named_lines


def test_multi_az_rds_uses_aws_multi_az_prices_for_instance_and_storage():
    # eu-west-1 db.t4g.small: $0.035/h Single-AZ, $0.069/h Multi-AZ (AWS's price, not 2 x); storage $0.254/GB.
    result = priced("aws:rds/instance:Instance", {"engine": "postgres", "instanceClass": "db.t4g.small",
                                                  "multiAz": True, "allocatedStorage": 50, "storageType": "gp3",
                                                  "manageMasterUserPassword": True}, region="eu-west-1")
    assert lines(result) == [("db.t4g.small PostgreSQL, Multi-AZ", 50.37), ("50 GB gp3 storage, Multi-AZ", 12.7),
                             ("RDS-managed master password secret", 0.4)]
    single = priced("aws:rds/instance:Instance", {"instanceClass": "db.t4g.small", "allocatedStorage": 50,
                                                  "storageType": "gp3"}, region="eu-west-1")
    assert lines(single) == [("db.t4g.small PostgreSQL, Single-AZ", 25.55), ("50 GB gp3 storage, Single-AZ", 6.35)]


def test_rds_proxy_bills_the_vcpus_of_the_instance_its_target_names_at_least_two():
    db = node("aws:rds/instance:Instance", "db", {"instanceClass": "db.r6g.large", "allocatedStorage": 20,
                                                   "storageType": "gp3", "multiAz": True})
    proxy = node("aws:rds/proxy:Proxy", "proxy", {"engineFamily": "POSTGRESQL"})
    target = node("aws:rds/proxyTarget:ProxyTarget", "target", {
        "dbProxyName": UNKNOWN_STRING_VALUE, "dbInstanceIdentifier": UNKNOWN_STRING_VALUE, "targetGroupName": "default"},
        deps={"dbProxyName": [proxy.urn], "dbInstanceIdentifier": [db.urn]})
    result = estimate([db, proxy, target], Usage(), "us-east-1")
    # db.r6g.large has 2 vCPUs; Multi-AZ counts the standby too: 4 x $0.015 x 730.
    assert [line for line in named_lines(result) if line[0] == "proxy"] == [
        ("proxy", "4 vCPUs x 730 h for db (2 vCPUs of db.r6g.large, its Multi-AZ standby counted too (an upper "
                  "bound))", 43.8)]
    alone = estimate([proxy], Usage(), "us-east-1")
    assert alone.unpriced[0][2].startswith("no proxy target of this stack names it")
