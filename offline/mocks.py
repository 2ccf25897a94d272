"""Pulumi mocks that answer like AWS would, so the real program runs offline as under `pulumi preview`.

`RealisticMocks` returns plausible computed outputs (ids, ARNs, endpoints, AMI ids, AZ names; the table is in
`mock_outputs.py`) so that code depending on them runs for real. In preview mode it answers as a first `pulumi
preview` of a new stack does: every id and every value AWS computes is unknown (the engine's unknown sentinel), and
so is everything derived from them; invokes (AZs, AMIs, the caller's account) still answer, as they do in a real
preview. What the engine records of each resource is kept by `recording.RecordingMonitor`.
"""

from __future__ import annotations

from typing import Optional

import pulumi
from pulumi.runtime.rpc import UNKNOWN

from .mock_outputs import ACCOUNT_ID, OUTPUTS, digest, generic_outputs, remote_component_outputs


class RealisticMocks(pulumi.runtime.Mocks):
    """Computed outputs shaped like AWS's, deterministic per resource name so runs are reproducible."""

    def __init__(self, region: str, preview: bool = False):
        self.region = region
        self.preview = preview
        self.provider_regions: dict[str, str] = {}  # provider id -> region

    def _region_of(self, provider_ref: Optional[str]) -> str:
        if provider_ref:
            return self.provider_regions.get(provider_ref.rsplit("::", 1)[-1], self.region)
        return self.region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[Optional[str], dict]:
        inputs = dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            provider_id = f"{digest(args.name, 8)}-{digest(args.name + 'p', 4)}"
            self.provider_regions[provider_id] = inputs.get("region", self.region)
            return provider_id, inputs
        if not args.custom:
            return remote_component_outputs(args, self.region, self.preview)
        # pulumi-aws v7 resources may name their own region, which wins over the provider's.
        region = inputs.get("region") if isinstance(inputs.get("region"), str) else self._region_of(args.provider)
        maker = OUTPUTS.get(args.typ)
        resource_id, extra = maker(args.name, inputs, region) if maker else generic_outputs(args.typ, args.name, region)
        state = {**inputs, **extra}
        if args.typ.startswith("aws:"):
            state.setdefault("id", resource_id)
            state.setdefault("region", region)
            if "tags" in inputs:
                state.setdefault("tagsAll", inputs["tags"])
        if self.preview:
            # A resource not created yet: no id, and nothing AWS computes (whatever the program did not set) is known.
            return "", {key: value if key in inputs else UNKNOWN for key, value in state.items()}
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        token, params = args.token, args.args
        region = self._region_of(args.provider)
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {"names": [f"{region}{z}" for z in "abc"], "zoneIds": [f"use1-az{i}" for i in (1, 2, 4)],
                    "id": region, "state": "available"}
        if token == "aws:ssm/getParameter:getParameter":
            return {"name": params["name"], "type": "String", "value": f"ami-{digest(params['name'] + region)}",
                    "arn": f"arn:aws:ssm:{region}::parameter{params['name']}", "id": params["name"], "version": 1}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/ci", "userId": "AIDAEXAMPLE",
                    "id": ACCOUNT_ID}
        if token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}
        if token == "aws:route53/getZone:getZone":
            name = params["name"].rstrip(".")
            zone_id = f"Z{digest(name, 13).upper()}"
            return {"name": f"{name}", "zoneId": zone_id, "id": zone_id, "privateZone": False,
                    "arn": f"arn:aws:route53:::hostedzone/{zone_id}", "nameServers": [f"ns-1.awsdns-{i}.org" for i in "12"]}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        raise NotImplementedError(f"phasegate mocks do not answer {token}; add it to offline/mocks.py")
