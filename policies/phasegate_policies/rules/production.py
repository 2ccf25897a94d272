"""What a production phase adds: databases that survive an AZ (Multi-AZ instances, Aurora clusters of two or more
instances), a WAF in front of every public load balancer, and HTTP that redirects to HTTPS wherever HTTPS is served.

The phases each rule applies to are pack config (default: production), so a platform owner can extend them.
"""

from __future__ import annotations

from typing import Any, Iterable

from pulumi_policy import ReportViolation, StackValidationArgs

from ..declare import MANDATORY, stack_policy
from ..engine import UNKNOWN, as_bool, as_number, dig, items
from ..props import with_config_defaults
from ..stack import current_stack
from ..stackview import Finding, StackView, each

PHASES_SCHEMA = {"phases": {"type": "array", "items": {"type": "string"}, "default": ["production"],
                            "description": "Phases this rule applies to."}}
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")


def _applies(args: Any, schema: dict) -> bool:
    return current_stack().phase in with_config_defaults(args.get_config(), schema)["phases"]


CLUSTER_INSTANCES = "aws:rds/clusterInstance:ClusterInstance"


def _multi_az(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """RDS instances run Multi-AZ; an Aurora cluster has at least two instances (a writer and a reader to fail over to).

    A cluster instance belongs to the cluster its `clusterIdentifier` came from (the property dependency, known at a
    first preview), else to the cluster whose identifier or id it names. A Multi-AZ DB cluster (not Aurora) keeps
    its standbys in other AZs by design."""
    if not _applies(args, PHASES_SCHEMA):
        return
    phase = current_stack().phase
    view = StackView(args.resources)
    members: dict[str, list[Any]] = {}
    unplaced = []
    for instance in view.of_type(CLUSTER_INSTANCES):
        clusters = view.targets(instance, "clusterIdentifier")
        for cluster in clusters:
            members.setdefault(cluster.urn, []).append(instance)
        if not clusters and view.refers_to_unresolved(instance, "clusterIdentifier"):
            unplaced.append(instance)

    def check(database: Any) -> Iterable[Finding]:
        props = view.props(database)
        if database.resource_type == "aws:rds/instance:Instance":
            multi_az = as_bool(dig(props, "multiAz"))
            if multi_az is UNKNOWN:
                yield (f"{database.name}'s multi_az is unknown at preview, so it cannot be shown to survive an AZ "
                       f"outage: set it to a literal True.", database.urn)
            elif multi_az is not True:
                yield (f"{database.name} is a {phase} database in one AZ: set multi_az=True (a standby in a second AZ "
                       f"takes over in about a minute).", database.urn)
            return
        engine = dig(props, "engine")
        if engine is UNKNOWN:
            yield (f"{database.name}'s engine is unknown at preview, so it cannot be shown to survive an AZ outage.",
                   database.urn)
            return
        if not str(engine or "").startswith("aurora"):
            return  # a Multi-AZ DB cluster: a writer and two readable standbys in three AZs
        count = len(members.get(database.urn, []))
        if count >= 2:
            return
        if unplaced:
            yield (f"{database.name} is a {phase} Aurora cluster with {count} instance(s) shown to be its own; "
                   f"{', '.join(i.name for i in unplaced)} name a cluster unknown at preview, so it cannot be shown to "
                   f"survive an AZ outage.", database.urn)
        else:
            yield (f"{database.name} is a {phase} Aurora cluster with {count} instance(s): add a second "
                   f"aws.rds.ClusterInstance (a reader in another AZ, promoted if the writer's AZ fails).", database.urn)

    each(view.of_type("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"), check, report_violation,
         "multi-az-database")


def _is_public_alb(view: StackView, balancer: Any) -> bool:
    props = view.props(balancer)
    return (dig(props, "loadBalancerType", default="application") in ("application", UNKNOWN)
            and as_bool(dig(props, "internal")) is not True)


def _waf(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if not _applies(args, PHASES_SCHEMA):
        return
    view = StackView(args.resources)
    acls = {acl.urn: acl for acl in view.of_type("aws:wafv2/webAcl:WebAcl")}
    protected: dict[str, list[Any]] = {}
    for association in view.of_type("aws:wafv2/webAclAssociation:WebAclAssociation"):
        for target in view.targets(association, "resourceArn"):
            protected.setdefault(target.urn, []).extend(
                acl for acl in view.targets(association, "webAclArn") if acl.urn in acls)

    def check(balancer: Any) -> Iterable[Finding]:
        if not _is_public_alb(view, balancer):
            return
        guarding = protected.get(balancer.urn, [])
        if not guarding:
            yield (f"{balancer.name} faces the internet without AWS WAF: associate a web ACL (aws.wafv2."
                   f"WebAclAssociation) with managed rule groups and a rate limit.", balancer.urn)
        elif not any(items(view.props(acl), "rules") for acl in guarding):
            yield (f"{balancer.name}'s web ACL {guarding[0].name} has no rules, so it inspects nothing: add the AWS "
                   f"managed rule groups and a rate-based rule.", guarding[0].urn)

    each(view.of_type(*LOAD_BALANCERS), check, report_violation, "waf-protection")


def _redirects_to_https(listener_props: Any) -> bool:
    actions = items(listener_props, "defaultActions")
    return bool(actions) and all(
        dig(action, "type") == "redirect" and dig(action, "redirect", "protocol") in ("HTTPS", "#{protocol}")
        and str(dig(action, "redirect", "port", default="443")) in ("443", "#{port}") for action in actions)


def _https_redirect(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    view = StackView(args.resources)
    listeners_of: dict[str, list[Any]] = {}
    for listener in view.of_type(*LISTENERS):
        for balancer in view.targets(listener, "loadBalancerArn"):
            listeners_of.setdefault(balancer.urn, []).append(listener)

    def check(balancer: Any) -> Iterable[Finding]:
        listeners = listeners_of.get(balancer.urn, [])
        if not any(dig(view.props(l), "protocol") == "HTTPS" for l in listeners):
            return
        for listener in listeners:
            props = view.props(listener)
            if dig(props, "protocol") == "HTTP" and not _redirects_to_https(props):
                port = as_number(dig(props, "port"))
                yield (f"{listener.name} serves plain HTTP on port {f'{port:g}' if isinstance(port, (int, float)) else '?'} of "
                       f"{balancer.name}, which has HTTPS: make its default action a redirect to HTTPS (301).",
                       listener.urn)

    each(view.of_type(*LOAD_BALANCERS), check, report_violation, "https-redirect")


POLICIES = [
    stack_policy("multi-az-database", "Databases of these phases run Multi-AZ; an Aurora cluster has at least two "
                 "instances.", MANDATORY, _multi_az, PHASES_SCHEMA),
    stack_policy("waf-protection", "In these phases, every internet-facing load balancer has an AWS WAF web ACL with "
                 "rules.", MANDATORY, _waf, PHASES_SCHEMA),
    stack_policy("https-redirect", "A load balancer that serves HTTPS redirects its plain-HTTP listeners to HTTPS.",
                 MANDATORY, _https_redirect),
]
