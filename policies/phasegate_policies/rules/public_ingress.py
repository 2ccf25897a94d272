"""Public ingress: security groups open only HTTP/HTTPS to the internet, rule by rule and taken together (mandatory).

What a rule opens is read by the pack's ingress parser (`phasegate_policies.ingress`); these policies say it. A rule
whose ports cannot be read cannot be shown to stay off the internet, and is reported on its own so the other rules are
still judged.
"""

from __future__ import annotations

from typing import Any, Iterable

from pulumi_policy import ReportViolation, ResourceValidationArgs, StackValidationArgs

from ..declare import MANDATORY, resource_policy, stack_policy
from ..engine import UNKNOWN, plain
from ..ingress import ALL_PORTS, IngressRule, combined_exposures, parse_rules, single_rule_exposures, world_sources
from ..props import with_config_defaults
from ..stackview import StackView, each

SENSITIVE_PORTS = {22: "SSH", 3389: "RDP", 5432: "PostgreSQL", 3306: "MySQL", 1433: "SQL Server",
                   6379: "Redis", 11211: "Memcached", 27017: "MongoDB", 9200: "Elasticsearch", 2379: "etcd",
                   6443: "Kubernetes API", 10250: "kubelet"}
INGRESS_SCHEMA = {
    "allowedPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443],
                     "description": "TCP ports that may be open to the internet (0.0.0.0/0, ::/0 or any large public range)."},
}
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
RULE_TYPES = ("aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")


def _allowed(config: Any) -> set[int]:
    return {int(p) for p in with_config_defaults(config, INGRESS_SCHEMA)["allowedPorts"]}


def _advice(allowed: set[int]) -> str:
    return (f"Only TCP {sorted(allowed)} may face the internet: put other services behind the load balancer or "
            f"admit a security group instead.")


def _span(rule_protocol: Any, ports: Any) -> str:
    if rule_protocol is UNKNOWN or ports is UNKNOWN:
        return "ports unknown at preview"
    if rule_protocol not in ("tcp", "udp", "all"):
        return f"protocol {rule_protocol}"
    prefix = "" if rule_protocol in ("tcp", "all") else "UDP "
    if rule_protocol == "all" or ports == ALL_PORTS:
        return "all ports" if rule_protocol == "all" else f"all {prefix}ports".replace("  ", " ")
    low, high = ports
    return f"{prefix}port {low}" if low == high else f"{prefix}ports {low}-{high}"


def _sensitive(rule_protocol: Any, ports: Any) -> str:
    if rule_protocol not in ("tcp", "udp", "all") or ports is UNKNOWN:
        return ""
    exposed = [f"{name} ({port})" for port, name in SENSITIVE_PORTS.items() if ports[0] <= port <= ports[1]]
    return f", including {', '.join(exposed)}" if exposed else ""


def single_rule_messages(rules: Iterable[IngressRule], allowed: set[int]) -> list[str]:
    messages = []
    for rule, openness in single_rule_exposures(rules, allowed):
        span = _span(rule.protocol, rule.ports) + _sensitive(rule.protocol, rule.ports)
        if openness is UNKNOWN:
            messages.append(f"{rule.label} opens {span} to a source unknown at preview, so it cannot be shown to stay "
                            f"off the internet. {_advice(allowed)}")
        else:
            messages.append(f"{rule.label} opens {span} to {' and '.join(world_sources(rule.sources))}. "
                            f"{_advice(allowed)}")
    return messages


def _validate_ingress(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != SECURITY_GROUP and args.resource_type not in RULE_TYPES:
        return
    allowed = _allowed(args.get_config())
    rules, problems = parse_rules(args.resource_type, args.name, plain(args.props))
    for problem in problems:
        report_violation(_unreadable(problem))
    for message in single_rule_messages(rules, allowed):
        report_violation(message)
    for exposure in combined_exposures(rules, allowed):
        report_violation(_combined_message(args.name, exposure, allowed))


def _unreadable(problem: str) -> str:
    label, _, why = problem.partition(": ")
    return (f"{label} cannot be judged ({why}), so it cannot be shown to stay off the internet: give fromPort and "
            f"toPort as numbers.")


def _combined_message(group: str, exposure, allowed: set[int]) -> str:
    name = SENSITIVE_PORTS.get(exposure.ports)
    port = f"{exposure.protocol.upper()} port {exposure.ports}" + (f" ({name})" if name else "")
    return (f"{group} opens {port} to the internet through its rules together ({', '.join(exposure.rules)} admit "
            f"{', '.join(exposure.sources)}), although no single rule does. {_advice(allowed)}")


def _validate_ingress_union(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Rules are often separate resources: judge each group by the union of its inline and separate rules."""
    allowed = _allowed(args.get_config())
    view = StackView(args.resources)
    by_group: dict[str, list[IngressRule]] = {}

    def collect(rule_resource: Any):
        """Each rule resource on its own: one that cannot be read is reported against itself, not its group."""
        rules, problems = parse_rules(rule_resource.resource_type, rule_resource.name, view.props(rule_resource))
        for problem in problems:
            yield _unreadable(problem), rule_resource.urn
        for group in view.targets(rule_resource, "securityGroupId"):
            by_group.setdefault(group.urn, []).extend(rules)

    each(view.of_type(*RULE_TYPES), collect, report_violation, "public-ingress-combined")

    def check(group: Any):
        separate = by_group.get(group.urn, [])
        if not separate:
            return
        inline, problems = parse_rules(SECURITY_GROUP, group.name, view.props(group))
        for problem in problems:
            yield _unreadable(problem), group.urn
        everything = inline + separate
        # Exposures a single rule makes are the per-resource policy's findings; only the union's are new here.
        for exposure in combined_exposures(everything, allowed):
            if len({label.split(".ingress[")[0] for label in exposure.rules}) > 1:
                yield _combined_message(group.name, exposure, allowed), group.urn

    each(view.of_type(SECURITY_GROUP), check, report_violation, "public-ingress-combined")


POLICIES = [
    resource_policy("public-ingress", "Security groups open only HTTP/HTTPS to the internet, never database, cache, "
                    "SSH or admin ports.", MANDATORY, _validate_ingress, INGRESS_SCHEMA),
    stack_policy("public-ingress-combined", "A security group's separate ingress rules, taken together, open only "
                 "HTTP/HTTPS to the internet.", MANDATORY, _validate_ingress_union, INGRESS_SCHEMA),
]
