"""What the rule tests share: the pack driven over gRPC as the engine drives it, the MVP graph's tags, the pack's
policies at their levels, and resources linked the way the engine shows links (ids unknown at a first preview, property
dependencies known)."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, find, set_prop
from offline.analyzer import evaluate

TAGS = {"phasegate:phase": "mvp", "phasegate:stack": "mvp", "phasegate:app": "acme"}

POLICIES = {
    "cost-ceiling": "mandatory", "cost-coverage": "advisory", "encryption-at-rest": "mandatory",
    "encryption-at-rest-s3": "mandatory", "public-ingress": "mandatory", "public-ingress-combined": "mandatory",
    "private-subnets": "mandatory", "billing-alarms": "mandatory", "multi-az-database": "mandatory",
    "waf-protection": "mandatory", "https-redirect": "mandatory", "node-hardening": "mandatory",
    "eks-version-support": "advisory", "backups-enabled": "mandatory", "no-plaintext-secrets": "mandatory",
    "ecr-image-hygiene": "advisory", "api-access-logging": "advisory", "boot-script-no-xtrace": "mandatory",
    "node-role-dependencies": "mandatory", "ecs-capacity-providers-first": "mandatory",
    "fargate-spot-arm64-platform": "mandatory",
    "imdsv2-required": "advisory", "cdn-tls-minimum": "advisory", "backup-retention": "advisory", "deletion-protection": "advisory",
    "required-tags": "advisory", "log-retention": "advisory", "aws-preflight": "mandatory",
    "iam-least-privilege": "advisory"}

NOT_COSTED = {"cost-ceiling": "disabled", "cost-coverage": "disabled"}


def check(mode, resources, config=None, pack_config=None):
    return evaluate(resources, stack="mvp", project="phasegate", config=config or mode.run.config,
                    pack_config=pack_config, preview=mode.preview)


def messages(evaluation, policy):
    return [v.message.split("\n", 1)[1] for v in evaluation.violations if v.policy == policy]


def linked(resource, prop: str, *targets) -> None:
    """Point `prop` at other resources the way the engine shows it: their ids (unknown at preview) plus the
    property dependency."""
    ids = [t.id or UNKNOWN_STRING_VALUE for t in targets]
    set_prop(resource, prop, ids if len(ids) > 1 or prop.endswith("Ids") else ids[0])
    resource.property_dependencies[prop] = [t.urn for t in targets]


def known_or_unknown(mode, value):
    """A computed value as the engine sends it: unknown at a first preview, known at an update."""
    return UNKNOWN_STRING_VALUE if mode.preview else value


def launch_template(mode, name, **props):
    template = extra_resource("aws:ec2/launchTemplate:LaunchTemplate", name, {
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2},
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "volumeType": "gp3",
                                                                     "encrypted": "true"}}],
        "tags": TAGS, **props})
    template.id = f"lt-{name}0123456789"
    template.outputs["id"] = known_or_unknown(mode, template.id)
    return template


def uses_template(mode, resource, template):
    """`resource.launchTemplate` names `template` as the engine shows it: its id (unknown at preview) and the
    property dependency."""
    set_prop(resource, "launchTemplate", {"id": known_or_unknown(mode, template.id), "version": "$Latest"})
    resource.property_dependencies["launchTemplate"] = [template.urn]


def node_group(mode, graph, name="nodes", subnet="acme-net-private-0", typ="aws:eks/nodeGroup:NodeGroup", **props):
    group = extra_resource(typ, name, {"clusterName": "acme", "instanceTypes": ["t3.medium"],
                                       "scalingConfig": {"desiredSize": 2, "minSize": 2, "maxSize": 3},
                                       "tags": TAGS, **props})
    linked(group, "subnetIds", find(graph, subnet))
    return group


def config_tightens(mode, pack_config, change, policy):
    """The evaluation under `pack_config` after `change` ((resource name, property path, value) or None); with no
    change, the defaults must accept the same graph."""
    graph = mode.graph()
    if change:
        set_prop(find(graph, change[0]), change[1], change[2])
    evaluation = check(mode, graph, pack_config=pack_config)
    if change is None:
        assert messages(check(mode, graph), policy) == []  # the defaults accept the same graph
    return evaluation
