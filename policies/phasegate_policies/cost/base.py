"""What every pricer shares: its input (`Resource`), its output (`Line`), the pricing context and the stack's graph.

A pricer reads plain props (unknowns are `UNKNOWN`) and returns (item, USD/month) lines. It raises `Unpriceable`
when the catalog has no price for what is asked, and `UnknownInput` when a price-relevant value is unknown at
preview; both fail the cost ceiling closed.

Some resources are priced from others (an autoscaling group from its launch template, a backup plan from the
database its selection names). `Graph.linked` finds them the way the pack's stack rules do: through the property
dependencies the engine sends (known at a first preview, when ids and ARNs are not), and only where none were
sent, by matching a known id, ARN or name against the resources of the stack.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ..engine import UNKNOWN, as_bool, as_number, dig
from .catalog import Catalog, SizedPrice, Unpriceable
from .usage import Usage


class UnknownInput(Exception):
    """A value the price depends on is unknown at preview."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Line:
    item: str
    monthly_usd: float
    derived: bool = False  # priced from a family's rate, not a listed size


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    props: Any
    region: str
    urn: str = ""
    dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Node:
    """A resource of the stack as the graph knows it: what it declared, and the values other resources may name it by."""

    urn: str
    type: str
    name: str
    props: Any
    region: str
    parent: Optional[str] = None
    dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict, compare=False)
    link_values: tuple[str, ...] = ()


class Graph:
    """The stack's resources, linked by property dependency first and by known id/ARN/name only where none was sent."""

    def __init__(self, nodes: Iterable[Node] = ()):
        self.nodes = list(nodes)
        self.by_urn = {n.urn: n for n in self.nodes}
        self._by_value: dict[str, list[Node]] = defaultdict(list)
        for node in self.nodes:
            for value in node.link_values:
                self._by_value[value].append(node)
        parents = {n.urn: n.parent for n in self.nodes}
        self._descendant_types: dict[str, set[str]] = defaultdict(set)
        for node in self.nodes:
            ancestor, seen = node.parent, set()
            while ancestor and ancestor not in seen:
                seen.add(ancestor)
                self._descendant_types[ancestor].add(node.type)
                ancestor = parents.get(ancestor)

    def of_type(self, *types: str) -> list[Node]:
        return [n for n in self.nodes if n.type in types]

    def descendant_types(self, urn: str) -> set[str]:
        return self._descendant_types.get(urn, set())

    def linked(self, resource: Any, prop: str, values: Iterable[Any], types: Sequence[str]) -> "Links":
        """The resources of `types` that `prop` of `resource` refers to.

        `values` are the references as declared (ids, names, ARNs; UNKNOWN at a first preview). A property dependency
        names the resources the input came from, whatever their ids; without one, a known value is matched against
        the stack's resources. `unresolved` says some reference could not be followed (unknown, or outside the stack).
        """
        dependencies = [self.by_urn[u] for u in (resource.dependencies or {}).get(prop, ()) if u in self.by_urn]
        found = [n for n in dependencies if n.type in types]
        references = [v for v in values if v is not None]
        if found:
            known = {v for v in references if isinstance(v, str)}
            narrowed = [n for n in found if known & set(n.link_values)] if len(found) > 1 and known else found
            return Links(narrowed or found, unresolved=False)
        matched: list[Node] = []
        unresolved = False
        for value in references:
            hits = [n for n in self._by_value.get(value, []) if n.type in types] if isinstance(value, str) else []
            if hits:
                matched += [n for n in hits if n not in matched]
            else:
                unresolved = True
        return Links(matched, unresolved=unresolved)


@dataclass(frozen=True)
class Links:
    nodes: list[Node]
    unresolved: bool


class Context:
    def __init__(self, catalog: Catalog, usage: Usage, graph: Optional[Graph] = None):
        self.catalog = catalog
        self.usage = usage
        self.hours = catalog.hours_per_month
        self.graph = graph or Graph()

    def monthly(self, key: str, region: str, count: float = 1) -> float:
        """`count` units of an hourly-priced item for a whole month."""
        return self.catalog.price(key, region) * self.hours * count

    def sized(self, key: str, region: str, size: Any, what: str) -> SizedPrice:
        return self.catalog.sized(key, region, need(size, what))

    def usage_of(self, key: str) -> float:
        """A usage value a price is read from. Usage is demanded only where it prices something: a key the stack did
        not declare makes the resource that needs it unknown, never $0."""
        if not self.usage.is_declared(key):
            raise UnknownInput(undeclared(key))
        return float(getattr(self.usage, key))


def undeclared(key: str) -> str:
    """The reason a resource priced from an undeclared usage key cannot be priced (it follows "because its")."""
    return (f"price depends on phasegate:usage.{key}, which is not declared: declare it in the stack file, or have "
            f"the platform owner set a default (cost-ceiling: usage)")


@dataclass(frozen=True)
class StackUsage:
    """What a stack-level hook sees once every resource is priced, and where its lines and problems go.

    `priced(*types)` gives the resources of `types` priced so far (neither unpriced nor unknown), type by type in the
    order given, each in stack order; `add(resource, item, usd)` puts a line on a resource (None: the stack itself);
    `unpriced(resource, reason)` reports one that cannot be priced after all.
    """

    ctx: Context
    priced: Callable[..., list[Any]]
    add: Callable[[Any, str, float], None]
    unpriced: Callable[[Any, str], None]


# Lines a module prices once for the stack from declared usage (a storage total, an always-free allowance), registered
# in `pricers.STACK_HOOKS` like a pricer in `PRICERS`.
StackHook = Callable[[StackUsage], None]


def need(value: Any, what: str) -> Any:
    """The value, or UnknownInput naming it when it is unknown at preview."""
    if value is UNKNOWN:
        raise UnknownInput(f"{what} is unknown at preview")
    return value


def number(value: Any, what: str, default: Optional[float] = None) -> float:
    value = need(value, what)
    if value is None:
        if default is None:
            raise Unpriceable(f"{what} is not set")
        return default
    parsed = as_number(value)
    if parsed is None:
        raise Unpriceable(f"{what} is not a number: {value!r}")
    return parsed


def sized_line(label: str, price: SizedPrice, ctx: Context, count: float = 1) -> Line:
    """`count` of a sized item for a month; a derived price says where it came from."""
    note = f" (derived from {price.derived_from})" if price.derived_from else ""
    return Line(f"{label}{note}", price.usd * ctx.hours * count, bool(price.derived_from))


def volume_key(volume_type: Any, what: str) -> str:
    kind = need(volume_type, what)
    if kind in (None, "gp3"):
        return "ebsGp3Storage"
    if kind == "gp2":
        return "ebsGp2Storage"
    raise Unpriceable(f"no price for {kind} EBS volumes")


SUBNETS = ("aws:ec2/subnet:Subnet",)


def maps_public_ip(ctx: Context, r: Resource, prop: str) -> Any:
    """Whether the subnets `prop` names give instances launched there a public IPv4 address (`mapPublicIpOnLaunch`):
    True if any does, UNKNOWN if one could (unknown at preview, or a subnet outside the stack: charged, the upper
    bound), else None. EC2 auto-assigns a public IPv4 address in such a subnet unless the instance's network
    interface says otherwise (docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html, "Public IPv4
    addresses")."""
    value = dig(r.props, prop)
    references = value if isinstance(value, list) else [value]
    links = ctx.graph.linked(r, prop, references, SUBNETS)
    flags = [as_bool(dig(n.props, "mapPublicIpOnLaunch")) for n in links.nodes]
    if any(f is True for f in flags):
        return True
    return UNKNOWN if links.unresolved or any(f is UNKNOWN for f in flags) else None


def one_link(ctx: Context, r: Resource, prop: str, references: Sequence[Any], types: Sequence[str],
             what: str) -> Node:
    """The single resource `prop` refers to, or why it cannot be followed (unknown: UnknownInput; else Unpriceable)."""
    links = ctx.graph.linked(r, prop, references, types)
    if len(links.nodes) == 1:
        return links.nodes[0]
    if len(links.nodes) > 1:
        raise UnknownInput(f"{what} could be any of {', '.join(sorted(n.name for n in links.nodes))} (not told "
                           f"apart at preview)")
    if any(v is UNKNOWN for v in references):
        raise UnknownInput(f"{what} is unknown at preview and not linked to a resource of this stack")
    shown = ", ".join(str(v) for v in references if v is not None) or "nothing"
    raise Unpriceable(f"{what} ({shown}) is not a resource of this stack, so what it sets cannot be read")


def referrers(ctx: Context, r: Resource, types: Sequence[str], prop: str, *, what: str, unlinked: str,
              same_name: bool = False) -> list[Node]:
    """The resources of `types` whose `prop` refers to `r` (a backup plan's selections, a proxy's targets).

    One whose reference is unknown at preview and not linked to any resource might be `r`'s: UnknownInput, with
    `unlinked` completing the message. With `same_name`, a reference equal to `r`'s declared name also counts."""
    found = []
    for node in ctx.graph.of_type(*types):
        reference = dig(node.props, prop)
        links = ctx.graph.linked(node, prop, [reference], (r.type,))
        if any(n.urn == r.urn for n in links.nodes) or (
                same_name and isinstance(reference, str) and reference == dig(r.props, "name")):
            found.append(node)
        elif not links.nodes and reference is UNKNOWN:
            raise UnknownInput(f"{what} {node.name}'s {prop} is unknown at preview and {unlinked}")
    return found
