"""What a security group's ingress rules open to the internet: pure logic over plain props, no policy API.

A rule is world-open when its sources cover a large public range: at least a /8's worth of public IPv4
addresses or a /16's worth of IPv6 (so 0.0.0.0/1 + 128.0.0.0/1 is as open as 0.0.0.0/0, while 10.0.0.0/8 is
private). Several rules of one group are judged together, port by port: their union is what the group admits.
Protocols are normalised (6/"6"/"tcp", 17/"udp", -1/"all"; numbers arrive as floats).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

from .engine import UNKNOWN, dig, items

IPv4 = ipaddress.IPv4Network
IPv6 = ipaddress.IPv6Network
Network = Union[IPv4, IPv6]

# A /8's worth of public IPv4 addresses, a /16's worth of IPv6: at least that much is "the internet".
WORLD_OPEN = {4: 2 ** 24, 6: 2 ** 112}
NOT_PUBLIC = {
    4: [IPv4(n) for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                          "172.16.0.0/12", "192.168.0.0/16")],
    6: [IPv6(n) for n in ("::1/128", "fc00::/7", "fe80::/10")],
}
PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "tcp": "tcp", "17": "udp", "udp": "udp", "1": "icmp",
             "icmp": "icmp", "58": "icmpv6", "icmpv6": "icmpv6"}
ALL_PORTS = (0, 65535)


@dataclass(frozen=True)
class IngressRule:
    label: str  # the resource name, with the inline index where there is one
    protocol: Any  # "tcp", "udp", "all", "icmp", another protocol number, or UNKNOWN
    ports: Any  # (low, high) inclusive, or UNKNOWN
    sources: tuple[Any, ...] = field(default_factory=tuple)  # CIDR strings, or UNKNOWN


def protocol(value: Any) -> Any:
    if value is UNKNOWN or value is None:
        return UNKNOWN if value is UNKNOWN else "all"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().lower()
    return PROTOCOLS.get(text, text)


class RuleError(ValueError):
    """A rule whose ports cannot be read: it cannot be shown to stay off the internet, and is reported on its own."""


def _port(value: Any, what: str) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        raise RuleError(f"{what} {value!r} is not a port number") from None


def _ports(proto: Any, low: Any, high: Any) -> Any:
    if proto == "all":
        return ALL_PORTS  # protocol -1 ignores the ports
    if low is UNKNOWN or high is UNKNOWN:
        return UNKNOWN
    if low is None and high is None:
        return ALL_PORTS
    low = _port(low if low is not None else high, "fromPort")
    high = _port(high if high is not None else low, "toPort")
    if proto in ("tcp", "udp") and (low, high) in ((0, 0), (-1, -1)):
        return ALL_PORTS
    return (max(low, 0), min(high, 65535)) if low <= high else (high, low)


def parse_rules(resource_type: str, name: str, props: Any) -> tuple[list[IngressRule], list[str]]:
    """(the rules that can be read, a problem for each that cannot: "<label>: <why>")."""
    found: list[IngressRule] = []
    problems: list[str] = []

    def add(label: str, proto: Any, low: Any, high: Any, sources: tuple) -> None:
        if not sources:
            return  # no CIDR source (a security group, a prefix list): never the internet
        try:
            found.append(IngressRule(label, proto, _ports(proto, low, high), sources))
        except RuleError as error:
            problems.append(f"{label}: {error}")

    if resource_type == "aws:ec2/securityGroup:SecurityGroup":
        inline = items(props, "ingress")
        for index, rule in enumerate(inline):
            if rule is UNKNOWN:
                found.append(IngressRule(f"{name}.ingress[{index}]", UNKNOWN, UNKNOWN, (UNKNOWN,)))
                continue
            proto = protocol(dig(rule, "protocol"))
            add(f"{name}.ingress[{index}]" if len(inline) > 1 else name, proto, dig(rule, "fromPort"),
                dig(rule, "toPort"), tuple(items(rule, "cidrBlocks") + items(rule, "ipv6CidrBlocks")))
    elif resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule" and dig(props, "type") in ("ingress", UNKNOWN):
        add(name, protocol(dig(props, "protocol")), dig(props, "fromPort"), dig(props, "toPort"),
            tuple(items(props, "cidrBlocks") + items(props, "ipv6CidrBlocks")))
    elif resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        add(name, protocol(dig(props, "ipProtocol")), dig(props, "fromPort"), dig(props, "toPort"),
            tuple(v for v in (dig(props, "cidrIpv4"), dig(props, "cidrIpv6")) if v is not None))
    return found, problems


def _network(cidr: Any) -> Optional[Network]:
    try:
        return ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return None


def public_size(networks: Iterable[Network], version: int) -> int:
    """How many public addresses the networks cover together (overlaps and private ranges not counted)."""
    mine = [n for n in networks if n.version == version]
    total = 0
    for net in ipaddress.collapse_addresses(mine):
        inside = sum(net.num_addresses if net.subnet_of(p) else p.num_addresses if p.subnet_of(net) else 0
                     for p in NOT_PUBLIC[version])
        total += max(net.num_addresses - inside, 0)
    return total


def world_open(sources: Iterable[Any]) -> Any:
    """True when the sources admit the internet, False when not, UNKNOWN when a source is unknown (and the
    known ones do not already admit it)."""
    networks = [n for n in (_network(s) for s in sources if s is not UNKNOWN) if n is not None]
    if any(public_size(networks, v) >= WORLD_OPEN[v] for v in (4, 6)):
        return True
    return UNKNOWN if any(s is UNKNOWN for s in sources) else False


def world_sources(sources: Iterable[Any]) -> list[str]:
    """The sources worth naming in a message: those that are public by themselves, else all the known ones."""
    known = [str(s) for s in sources if s is not UNKNOWN]
    big = [s for s in known if (n := _network(s)) is not None and public_size([n], n.version) > 0]
    return big or known


@dataclass(frozen=True)
class Exposure:
    """A protocol and port range that sources admit from the internet (or might: `unknown`)."""

    protocol: str
    ports: Any
    sources: tuple[str, ...]
    rules: tuple[str, ...]
    unknown: bool = False


def allowed_exposure(rule: IngressRule, allowed_ports: set[int]) -> bool:
    return rule.protocol == "tcp" and rule.ports is not UNKNOWN and rule.ports[0] == rule.ports[1] \
        and rule.ports[0] in allowed_ports


def single_rule_exposures(rules: Iterable[IngressRule], allowed_ports: set[int]) -> list[tuple[IngressRule, Any]]:
    """Rules that are world-open (or may be) by themselves on something other than an allowed TCP port."""
    found = []
    for rule in rules:
        if allowed_exposure(rule, allowed_ports):
            continue
        openness = world_open(rule.sources)
        if openness is True or openness is UNKNOWN:
            found.append((rule, openness))
    return found


def combined_exposures(rules: list[IngressRule], allowed_ports: set[int]) -> list[Exposure]:
    """Ports that the rules open to the internet only together (no single rule does), per protocol."""
    singles = {id(rule) for rule, _ in single_rule_exposures(rules, allowed_ports)}
    exposures = []
    for proto in ("tcp", "udp"):
        relevant = [r for r in rules if r.protocol in (proto, "all") and r.ports is not UNKNOWN]
        if len(relevant) < 2:
            continue
        candidates = {p for r in relevant for p in (r.ports[0], r.ports[1] + 1)} | {p for a in allowed_ports
                                                                                 for p in (a, a + 1)}
        for port in sorted(p for p in candidates if 0 <= p <= 65535):
            if proto == "tcp" and port in allowed_ports:
                continue
            covering = [r for r in relevant if r.ports[0] <= port <= r.ports[1]]
            if any(id(r) in singles for r in covering) or len(covering) < 2:
                continue
            if world_open([s for r in covering for s in r.sources]) is True:
                exposures.append(Exposure(proto, port, tuple(world_sources([s for r in covering for s in r.sources])),
                                          tuple(sorted({r.label for r in covering}))))
    return exposures
