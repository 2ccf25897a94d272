"""Private placement: databases, caches, Kubernetes nodes, ECS services and Lambda functions are not publicly
accessible and live in private subnets (mandatory).

A subnet is public when it maps public IPs on launch or its route table (its own, or its VPC's main one) routes to an
internet gateway; `subnet_exposure` also serves the offline check's diagram. At a first preview subnet ids are unknown:
placement follows property dependencies, and what cannot be followed cannot be shown to be private.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ReportViolation, StackValidationArgs

from ..contract import NODE_ROLES, ROLE_TAG
from ..declare import MANDATORY, stack_policy
from ..engine import UNKNOWN, as_bool, dig, items
from ..props import with_config_defaults
from ..stackview import StackView, each

INTERNET_GATEWAYS = ("aws:ec2/internetGateway:InternetGateway", "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway")


def _internet_route_tables(view: StackView) -> tuple[set[str], set[str]]:
    """(route tables that route to an internet gateway, tables that may: a route target unknown at preview)."""
    igws = {r.urn for r in view.of_type(INTERNET_GATEWAYS[0])}
    internet, maybe = set(), set()

    def gateway_state(holder: Any, prop: str, value: Any) -> Any:
        if any(t.urn in igws for t in view.targets(holder, prop)):
            return True
        if isinstance(value, str):
            return value.startswith("igw-")
        return UNKNOWN if value is UNKNOWN else False

    for table in view.of_type("aws:ec2/routeTable:RouteTable"):
        routes = items(view.props(table), "routes")
        via_dependency = any(t.urn in igws for t in view.targets(table, "routes"))
        states = [gateway_state(table, "routes", UNKNOWN if route is UNKNOWN else dig(route, "gatewayId"))
                  for route in routes]
        if via_dependency or True in states:
            internet.add(table.urn)
        elif any(s is UNKNOWN for s in states) and not (table.property_dependencies or {}).get("routes"):
            maybe.add(table.urn)
    for route in view.of_type("aws:ec2/route:Route"):
        state = gateway_state(route, "gatewayId", dig(view.props(route), "gatewayId"))
        tables = {t.urn for t in view.targets(route, "routeTableId")}
        if state is True:
            internet |= tables
        elif state is UNKNOWN and not (route.property_dependencies or {}).get("gatewayId"):
            maybe |= tables
    return internet, maybe - internet


def subnet_exposure(view: StackView) -> tuple[set[str], set[str]]:
    """(public subnets, subnets whose exposure is unknown at preview): public means they map public IPs on
    launch or their route table (explicit, or the VPC's main one) routes to an internet gateway."""
    subnets = view.of_type("aws:ec2/subnet:Subnet")
    public, maybe = set(), set()
    for subnet in subnets:
        mapped = as_bool(dig(view.props(subnet), "mapPublicIpOnLaunch"))
        if mapped is True:
            public.add(subnet.urn)
        elif mapped is UNKNOWN:
            maybe.add(subnet.urn)
    internet, maybe_tables = _internet_route_tables(view)
    associated = set()
    for association in view.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        tables = {t.urn for t in view.targets(association, "routeTableId")}
        for subnet in view.targets(association, "subnetId"):
            associated.add(subnet.urn)
            if tables & internet:
                public.add(subnet.urn)
            elif tables & maybe_tables:
                maybe.add(subnet.urn)
    # Subnets without an explicit association use their VPC's main route table.
    for main in view.of_type("aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"):
        if {t.urn for t in view.targets(main, "routeTableId")} & internet:
            vpcs = {v.urn for v in view.targets(main, "vpcId")}
            public |= {s.urn for s in subnets if s.urn not in associated
                       and {v.urn for v in view.targets(s, "vpcId")} & vpcs}
    return public, maybe - public


DATABASES = ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance")
PLACEMENT = {  # resource type -> (what it is, the property holding its subnets)
    "aws:rds/subnetGroup:SubnetGroup": ("database subnet group", "subnetIds"),
    "aws:elasticache/subnetGroup:SubnetGroup": ("cache subnet group", "subnetIds"),
    "aws:elasticache/serverlessCache:ServerlessCache": ("serverless cache", "subnetIds"),
    "aws:eks/nodeGroup:NodeGroup": ("EKS node group", "subnetIds"),
}
PLACEMENT_SCHEMA = {"nodeRoles": {
    "type": "array", "items": {"type": "string"}, "default": list(NODE_ROLES),
    "description": "Values of an instance's phasegate:role tag that mark it as a Kubernetes node."}}
SUBNET = "aws:ec2/subnet:Subnet"
ECS_SERVICE = "aws:ecs/service:Service"
FUNCTION = "aws:lambda/function:Function"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"


def _nested_subnets(view: StackView, resource: Any, prop: str, key: str) -> tuple[list[Any], bool]:
    """The subnets `prop.key` names (a service's networkConfiguration.subnets, a function's vpcConfig.subnetIds), and
    whether some cannot be followed. The engine sends dependencies per top-level property, so `prop`'s dependencies
    (subnets and security groups alike) are narrowed to subnets; ids are matched only where none were sent."""
    ids = items(view.props(resource), prop, key)
    linked = [t for t in view.targets(resource, prop, values=[]) if t.resource_type == SUBNET]
    if not linked:
        linked = [t for t in view.targets(resource, prop, values=ids) if t.resource_type == SUBNET]
    known = {dig(view.outputs(s), "id") for s in linked}
    unresolved = any(v is UNKNOWN or (isinstance(v, str) and v not in known) for v in ids) and len(linked) < len(ids)
    return linked, unresolved


def _validate_private_placement(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    node_roles = set(with_config_defaults(args.get_config(), PLACEMENT_SCHEMA)["nodeRoles"])
    view = StackView(args.resources)
    public, undetermined = subnet_exposure(view)

    def placement(resource: Any, what: str, prop: str):
        subnets = view.targets(resource, prop)
        exposed = sorted(s.name for s in subnets if s.urn in public)
        unsure = sorted(s.name for s in subnets if s.urn in undetermined)
        if exposed:
            yield (f"The {what} {resource.name} uses public subnet(s) {', '.join(exposed)}: use private subnets only "
                   f"(no route to an internet gateway).", resource.urn)
        elif unsure or view.refers_to_unresolved(resource, prop):
            yield (f"The {what} {resource.name} uses subnets that cannot be shown to be private at preview "
                   f"({', '.join(unsure) or 'their ids are unknown and not linked to subnets of this stack'}).",
                   resource.urn)

    def nested_placement(resource: Any, what: str, prop: str, key: str):
        subnets, unresolved = _nested_subnets(view, resource, prop, key)
        exposed = sorted(s.name for s in subnets if s.urn in public)
        unsure = sorted(s.name for s in subnets if s.urn in undetermined)
        if exposed:
            yield (f"The {what} {resource.name} uses public subnet(s) {', '.join(exposed)}: use private subnets only "
                   f"(no route to an internet gateway).", resource.urn)
        elif unsure or unresolved:
            yield (f"The {what} {resource.name} uses subnets that cannot be shown to be private at preview "
                   f"({', '.join(unsure) or 'their ids are unknown and not linked to subnets of this stack'}).",
                   resource.urn)

    def check(resource: Any):
        kind, props = resource.resource_type, view.props(resource)
        if kind == ECS_SERVICE:
            yield from _ecs_service(resource, props)
        if kind == FUNCTION and dig(props, "vpcConfig") is not None:
            yield from nested_placement(resource, "Lambda function", "vpcConfig", "subnetIds")
        if kind == FUNCTION_URL:
            auth = dig(props, "authorizationType")
            if auth is UNKNOWN:
                yield (f"Lambda function URL {resource.name}'s authorization_type is unknown at preview: set it to a "
                       f"literal 'AWS_IAM'.", resource.urn)
            elif auth == "NONE":
                yield (f"Lambda function URL {resource.name} has authorization_type NONE, so anyone on the internet can "
                       f"invoke the function: use 'AWS_IAM', or serve it through API Gateway.", resource.urn)
        if kind == PERMISSION:
            yield from _public_permission(resource, props)
        if kind in DATABASES:
            exposed = as_bool(dig(props, "publiclyAccessible"))
            if exposed is True:
                yield f"Database {resource.name} is publicly accessible: set publicly_accessible=False.", resource.urn
            elif exposed is UNKNOWN:
                yield (f"Database {resource.name}'s publicly_accessible is unknown at preview: set it to a literal "
                       f"False.", resource.urn)
        if kind in PLACEMENT:
            yield from placement(resource, *PLACEMENT[kind])
        if kind == "eks:index:Cluster" and as_bool(dig(props, "nodeAssociatePublicIpAddress")) is not False:
            yield (f"EKS cluster {resource.name} may give nodes public IPs: set node_associate_public_ip_address=False "
                   f"and place nodes in private subnets.", resource.urn)
        if kind == "aws:ec2/instance:Instance" and _is_node(props, node_roles):
            if dig(props, "subnetId") is None:
                yield (f"Kubernetes node {resource.name} has no subnet_id, so it lands in the default VPC's public "
                       f"subnet: place it in a private subnet.", resource.urn)
                return
            public_ip = as_bool(dig(props, "associatePublicIpAddress"))
            on_public = any(s.urn in public for s in view.targets(resource, "subnetId"))
            if on_public or public_ip is True:
                yield (f"Kubernetes node {resource.name} is reachable from the internet: place it in a private "
                       f"subnet without a public IP.", resource.urn)
            elif public_ip is UNKNOWN:
                yield (f"Kubernetes node {resource.name}'s associate_public_ip_address is unknown at preview: set it "
                       f"to a literal False.", resource.urn)
            else:
                yield from placement(resource, "Kubernetes node", "subnetId")

    def _ecs_service(resource: Any, props: Any):
        network = dig(props, "networkConfiguration")
        if network is None:
            yield (f"The ECS service {resource.name} has no network_configuration, so its placement cannot be shown: "
                   f"give it private subnets and assign_public_ip=False.", resource.urn)
            return
        public_ip = as_bool(dig(network, "assignPublicIp"))
        if public_ip is True:
            yield (f"The ECS service {resource.name} gives its tasks public IPs (assign_public_ip=True): set it to False "
                   f"and reach the internet through NAT or VPC endpoints.", resource.urn)
        elif public_ip is UNKNOWN:
            yield (f"The ECS service {resource.name}'s assign_public_ip is unknown at preview: set it to a literal "
                   f"False.", resource.urn)
        yield from nested_placement(resource, "ECS service", "networkConfiguration", "subnets")

    each(args.resources, check, report_violation, "private-subnets")


def _public_permission(resource: Any, props: Any):
    """A resource-based policy statement that lets anyone invoke a function: principal "*" with no source ARN (nor
    source account) to narrow it."""
    principal = dig(props, "principal")
    if principal is UNKNOWN:
        yield (f"Lambda permission {resource.name}'s principal is unknown at preview, so the function cannot be shown to "
               f"stay private: set it to a literal service principal.", resource.urn)
    elif principal == "*" and dig(props, "sourceArn") is None and dig(props, "sourceAccount") is None:
        yield (f"Lambda permission {resource.name} lets principal '*' invoke the function with no source_arn, so anyone "
               f"can: name the service principal (apigateway.amazonaws.com) and the source_arn of the API.",
               resource.urn)


def _is_node(props: Any, node_roles: set[str]) -> bool:
    role = dig(props, "tags", ROLE_TAG)
    return role is UNKNOWN or role in node_roles  # a role not known yet may be a node's: judge it as one


POLICIES = [
    stack_policy("private-subnets", "Databases, caches, Kubernetes nodes, ECS services and Lambda functions are not "
                 "publicly accessible and live in private subnets.", MANDATORY, _validate_private_placement,
                 PLACEMENT_SCHEMA),
]
