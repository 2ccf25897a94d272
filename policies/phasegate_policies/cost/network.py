"""Transit Gateway attachments and Network Firewall endpoints: the hourly charges of a hub-and-spoke network.

- A **Transit Gateway** has no hourly charge by itself (it is free, with its route tables): each **attachment** is
  billed per hour, and the data it sends through the gateway per GB ("charged for the number of connections that you
  make to the Transit Gateway per hour and the amount of traffic that flows through", aws.amazon.com/transit-gateway/
  pricing/). The GB declared in `phasegate:usage.transitGatewayGbPerMonth` are shared evenly between the attachments.
- A **Network Firewall** is billed per endpoint-hour, one endpoint per subnet mapping (per AZ), and per GB processed
  (aws.amazon.com/network-firewall/pricing/), from `phasegate:usage.firewallGbPerMonth` shared between firewalls.
"""

from __future__ import annotations

from ..engine import dig
from .base import Context, Line, Resource, need

TGW_ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
FIREWALL = "aws:networkfirewall/firewall:Firewall"


def _share(ctx: Context, key: str, typ: str) -> tuple[float, str]:
    """The declared GB of `key` shared evenly between the stack's resources of `typ`, and how that was done."""
    count = max(1, len(ctx.graph.of_type(typ)))
    gb = ctx.usage_of(key) / count
    return gb, f"phasegate:usage.{key}" + (f" / {count}" if count > 1 else "")


def _tgw_attachment(r: Resource, ctx: Context) -> list[Line]:
    hourly = ctx.monthly("transitGatewayAttachmentHour", r.region)  # a region without a price comes first
    gb, why = _share(ctx, "transitGatewayGbPerMonth", TGW_ATTACHMENT)
    return [Line("Transit Gateway attachment, 730 h", hourly),
            Line(f"{gb:g} GB processed ({why})", gb * ctx.catalog.price("transitGatewayGb", r.region))]


def _firewall(r: Resource, ctx: Context) -> list[Line]:
    """One endpoint per subnet mapping of a VPC firewall, or per AZ mapping of a Transit Gateway-attached one."""
    mappings = need(dig(r.props, "subnetMappings", default=[]), "subnetMappings") or need(
        dig(r.props, "availabilityZoneMappings", default=[]), "availabilityZoneMappings")
    endpoints = len(mappings) or 1
    hourly = ctx.monthly("networkFirewallEndpointHour", r.region, endpoints)  # a region without a price comes first
    gb, why = _share(ctx, "firewallGbPerMonth", FIREWALL)
    return [Line(f"{endpoints} firewall endpoint(s), 730 h", hourly),
            Line(f"{gb:g} GB processed ({why})", gb * ctx.catalog.price("networkFirewallGb", r.region))]


PRICERS = {
    TGW_ATTACHMENT: _tgw_attachment,
    FIREWALL: _firewall,
}
