"""EKS: managed nodes hardened through their launch template and waiting for their role's policies (mandatory), and
versions kept in standard support (advisory, since the extended-support price is already in the cost estimate).

Both read the aws resources a real preview sends as pulumi-eks's children, or, where those are not in the graph
(under the offline check's mocks), pulumi-eks's own component: never both for the same cluster or node group.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable

from pulumi_policy import ReportViolation, StackValidationArgs

from ..contract import EKS_STANDARD_SUPPORT_ENDS
from ..cost import Unpriceable, load_catalog
from ..declare import ADVISORY, MANDATORY, stack_policy
from ..engine import UNKNOWN, as_bool, as_number, dig
from ..props import with_config_defaults
from ..stack import current_stack, resource_region
from ..stackview import Finding, StackView, each

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
CLUSTER = "aws:eks/cluster:Cluster"
CLUSTER_COMPONENT = "eks:index:Cluster"
ROLE = "aws:iam/role:Role"
ROLE_POLICIES = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicy:RolePolicy")

HARDENING_SCHEMA = {"maximumHopLimit": {
    "type": "integer", "minimum": 1, "maximum": 64, "default": 2,
    "description": "Highest http_put_response_hop_limit a node's launch template may set (2 lets pods reach IMDS)."}}


def _template_findings(group: Any, template: Any, view: StackView, maximum: int) -> Iterable[Finding]:
    props = view.props(template)
    tokens = dig(props, "metadataOptions", "httpTokens")
    hops = as_number(dig(props, "metadataOptions", "httpPutResponseHopLimit"))
    where = f"EKS node group {group.name}'s launch template {template.name}"
    if tokens is UNKNOWN:
        yield (f"{where} has metadata_options.http_tokens unknown at preview, so IMDSv2 cannot be shown to be "
               f"required: set it to 'required'.", group.urn)
    elif tokens != "required":
        yield (f"{where} allows IMDSv1 (metadata_options.http_tokens is {tokens or 'not set'}): set it to 'required', "
               f"so a pod cannot take the node's credentials with a plain GET.", group.urn)
    if hops is UNKNOWN:
        yield (f"{where} has metadata_options.http_put_response_hop_limit unknown at preview: set it to at most "
               f"{maximum}.", group.urn)
    elif hops is not None and hops > maximum:
        yield (f"{where} lets instance credentials travel {int(hops)} network hops: keep "
               f"http_put_response_hop_limit at most {maximum}.", group.urn)


def _node_hardening(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A managed node group without a launch template gets EKS's default one, which allows IMDSv1 (any pod can read the
    node role's credentials); with one, that template must require IMDSv2 tokens within the hop limit."""
    maximum = int(with_config_defaults(args.get_config(), HARDENING_SCHEMA)["maximumHopLimit"])
    view = StackView(args.resources)

    def check(group: Any) -> Iterable[Finding]:
        if group.resource_type == MANAGED_NODE_GROUP and NODE_GROUP in view.descendant_types(group):
            return  # its aws:eks/nodeGroup child is judged instead
        props = view.props(group)
        spec = dig(props, "launchTemplate")
        if spec is None:
            if group.resource_type == MANAGED_NODE_GROUP and as_bool(dig(props, "enableIMDSv2")) is True:
                return  # pulumi-eks gives it a launch template requiring IMDSv2 tokens, hop limit 2
            yield (f"EKS node group {group.name} has no launch template, so EKS gives its nodes its default one, which "
                   f"allows IMDSv1: give it a launch template with metadata_options http_tokens='required' and "
                   f"http_put_response_hop_limit at most {maximum}.", group.urn)
            return
        references = [UNKNOWN] if spec is UNKNOWN else [dig(spec, "id"), dig(spec, "name")]
        templates = [t for t in view.targets(group, "launchTemplate", references) if t.resource_type == LAUNCH_TEMPLATE]
        if not templates:
            why = "unknown at preview" if UNKNOWN in references else "not found"
            yield (f"EKS node group {group.name}'s launch template cannot be shown to require IMDSv2: it is not linked "
                   f"to a launch template of this stack ({why}).", group.urn)
            return
        for template in templates:
            yield from _template_findings(group, template, view, maximum)

    each(view.of_type(NODE_GROUP, MANAGED_NODE_GROUP), check, report_violation, "node-hardening")


def _waited_for(resource: Any) -> set[str]:
    """Every resource `resource` waits for: its dependencies, theirs, and so on (the engine orders by all of them)."""
    seen: set[str] = set()
    pending = list(resource.dependencies or [])
    for deps in (resource.property_dependencies or {}).values():
        pending += list(deps or [])
    while pending:
        dependency = pending.pop()
        if dependency.urn in seen:
            continue
        seen.add(dependency.urn)
        pending += list(dependency.dependencies or [])
    return seen


def _node_role_dependencies(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A node group that names its role waits for the role, not for the role's policy attachments (children of the
    role are not dependencies of what uses it): nodes could try to join before they may pull images or run the CNI,
    and on destroy the policies could go while the nodes still drain. Links follow property dependencies, which the
    engine sends even when the role's ARN is unknown (a first preview)."""
    view = StackView(args.resources)
    policies = view.of_type(*ROLE_POLICIES)

    def check(group: Any) -> Iterable[Finding]:
        roles = [r for r in view.targets(group, "nodeRoleArn") if r.resource_type == ROLE]
        if not roles:
            return  # a role from outside this stack: nothing here to wait for
        waited = _waited_for(group)
        for role in roles:
            missing = sorted(p.name for p in policies
                             if role.urn in {t.urn for t in view.targets(p, "role")} and p.urn not in waited)
            if missing:
                yield (f"EKS node group {group.name} does not depend on {', '.join(missing)}, the policies of its node "
                       f"role {role.name}: add them to its depends_on, so nodes join only once the role holds them and "
                       f"are drained before a destroy removes them.", group.urn)

    each(view.of_type(NODE_GROUP), check, report_violation, "node-role-dependencies")


VERSION_SCHEMA = {"warnDays": {
    "type": "integer", "minimum": 0, "default": 90,
    "description": "Warn this many days before a cluster's Kubernetes version leaves EKS standard support."}}


def _extended_price(region: str) -> str:
    catalog = load_catalog()
    try:
        hourly, standard = catalog.price("eksExtendedSupportHour", region), catalog.price("eksClusterHour", region)
    except Unpriceable:
        return "$0.60/h instead of $0.10/h"
    return f"${hourly:.2f}/h (${hourly * catalog.hours_per_month:.2f}/month) instead of ${standard:.2f}/h"


def _version_support(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    warn_days = int(with_config_defaults(args.get_config(), VERSION_SCHEMA)["warnDays"])
    view = StackView(args.resources)
    stack_region = current_stack().region
    today = datetime.date.today()
    oldest = min(EKS_STANDARD_SUPPORT_ENDS, key=lambda v: tuple(int(p) for p in v.split(".")))

    def check(cluster: Any) -> Iterable[Finding]:
        if cluster.resource_type == CLUSTER_COMPONENT and CLUSTER in view.descendant_types(cluster):
            return  # its aws:eks/cluster child is judged instead
        props = view.props(cluster)
        price = _extended_price(resource_region(cluster, stack_region))
        support = dig(props, "upgradePolicy", "supportType")
        version = dig(props, "version")
        if support is UNKNOWN:
            yield (f"EKS cluster {cluster.name}'s upgrade_policy.support_type is unknown at preview; EXTENDED (EKS's "
                   f"default) bills the control plane {price} once its version leaves standard support.", cluster.urn)
        elif support != "STANDARD":
            default = " (EKS's default: none is set)" if support is None else ""
            yield (f"EKS cluster {cluster.name}'s upgrade policy is EXTENDED{default}: once its version leaves standard "
                   f"support, the control plane costs {price}; set upgrade_policy support_type='STANDARD' to have EKS "
                   f"upgrade it instead, and plan upgrades.", cluster.urn)
        if version is UNKNOWN:
            yield (f"EKS cluster {cluster.name}'s version is unknown at preview, so its end of standard support cannot "
                   f"be checked: pin it.", cluster.urn)
            return
        if version is None:
            return  # EKS creates the newest version
        text = str(version)
        ends = EKS_STANDARD_SUPPORT_ENDS.get(text)
        try:
            older = tuple(int(p) for p in text.split(".")) < tuple(int(p) for p in oldest.split("."))
        except ValueError:
            older = False
        if ends is None and not older:
            return  # newer than the calendar: in standard support
        then = "EKS upgrades it automatically" if support == "STANDARD" else f"the control plane costs {price}"
        if ends is None:
            yield (f"EKS cluster {cluster.name} runs Kubernetes {text}, long out of standard support ({then}): "
                   f"upgrade it.", cluster.urn)
            return
        left = (datetime.date.fromisoformat(ends) - today).days
        if left < 0:
            yield (f"EKS cluster {cluster.name} runs Kubernetes {text}, which left standard support on {ends} "
                   f"({then}): upgrade it.", cluster.urn)
        elif left <= warn_days:
            yield (f"EKS cluster {cluster.name} runs Kubernetes {text}, which leaves standard support on {ends}, in "
                   f"{left} days; after that {then}: upgrade it before then.", cluster.urn)

    each(view.of_type(CLUSTER, CLUSTER_COMPONENT), check, report_violation, "eks-version-support")


POLICIES = [
    stack_policy("node-hardening", "EKS managed node groups run through a launch template that requires IMDSv2 within "
                 "the hop limit.", MANDATORY, _node_hardening, HARDENING_SCHEMA),
    stack_policy("node-role-dependencies", "EKS managed node groups depend on every policy attachment and inline policy "
                 "of their node role.", MANDATORY, _node_role_dependencies),
    stack_policy("eks-version-support", "EKS clusters stay in standard support: warns on the EXTENDED upgrade policy "
                 "and before a version's end of standard support.", ADVISORY, _version_support, VERSION_SCHEMA),
]
