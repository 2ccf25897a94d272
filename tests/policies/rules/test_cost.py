"""cost-ceiling and cost-coverage (rules/cost.py), over gRPC at a first preview and at an update (the `mode` fixture):
the passing MVP graph, then one break per test; resources priced through what they link to, as the pack prices them;
the Fargate and Lambda runtimes' resources priced in the graph."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import extra_resource, find, set_prop

from .helpers import TAGS, check, known_or_unknown, launch_template, messages, uses_template
from .runtime_graphs import fargate, serverless

OWNER_OPTIONS = ("Use a type and size the price catalog lists, or have the platform owner price it (cost-ceiling: "
                 "prices) or accept it in the pack config (cost-ceiling: allowUnpriced).")


def test_an_instance_too_big_for_the_phase_breaks_the_ceiling(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "m6i.large")
    evaluation = check(mode, graph)
    [message] = messages(evaluation, "cost-ceiling")
    assert message.startswith("Estimated $90.80/month exceeds the mvp ceiling of $45.00 by $45.80. "
                              "Top cost drivers: acme-app-host $72.48, acme-db-postgres $14.38, acme-app-ip $3.65.")
    assert [v.level for v in evaluation.violations] == ["mandatory"]


@pytest.mark.parametrize("name, prop, size, total", [
    # The classes and types that used to be "unpriced", and so left out of the total, now count.
    # $35.91 - the db.t4g.micro line ($14.38) + the new size's (730 h x the listed price, storage, secret).
    ("acme-db-postgres", "instanceClass", "db.r6g.large", 188.48),
    ("acme-db-postgres", "instanceClass", "db.r6g.4xlarge", 1336.77),
    ("acme-db-postgres", "instanceClass", "db.m5.large", 154.17),
    ("acme-app-host", "instanceType", "m7i.8xlarge", 1198.07),
])
def test_a_bigger_size_is_priced_and_fails_the_ceiling(mode, name, prop, size, total):
    graph = mode.graph()
    set_prop(find(graph, name), prop, size)
    [message] = messages(check(mode, graph), "cost-ceiling")
    assert message.startswith(f"Estimated ${total:.2f}/month exceeds the mvp ceiling of $45.00")


def test_a_cheaper_older_type_is_priced_too(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "t2.micro")
    assert messages(check(mode, graph), "cost-ceiling") == []


def test_the_platform_owner_sets_the_ceilings_in_the_pack_config(mode):
    tight = check(mode, mode.run.resources, pack_config={"cost-ceiling": {"ceilings": {"mvp": 30}}})
    assert messages(tight, "cost-ceiling")[0].startswith("Estimated $35.91/month exceeds the mvp ceiling of $30.00")
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", "m6i.large")
    generous = check(mode, graph, pack_config={"cost-ceiling": {"ceilings": {"mvp": 100}}})
    assert messages(generous, "cost-ceiling") == []


def test_a_budget_above_the_ceiling_is_a_violation(mode):
    graph = mode.graph()
    budget = find(graph, "acme-billing-budget")
    set_prop(budget, "limitAmount", "60.00")
    evaluation = check(mode, graph)
    assert messages(evaluation, "cost-ceiling") == [
        "Budget acme-billing-budget allows $60.00/month, above the mvp ceiling of $45.00; set "
        "phasegate:billing.monthlyBudgetUsd to at most 45."]
    assert evaluation.violations[0].urn == budget.urn


def test_a_stack_without_a_known_phase_cannot_pass_the_ceiling(mode):
    config = {**mode.run.config, "phasegate:phase": "staging"}
    assert messages(check(mode, mode.run.resources, config), "cost-ceiling") == [
        "phasegate:phase is 'staging'; set it to one of mvp, growth, production so the cost ceiling of that "
        "phase applies."]


def test_a_resource_that_cannot_be_priced_fails_the_ceiling_closed(mode):
    search = extra_resource("aws:opensearch/domain:Domain", "search", {"engineVersion": "2.13", "tags": TAGS})
    evaluation = check(mode, mode.graph() + [search])
    assert messages(evaluation, "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: search (aws:opensearch/domain:Domain) no price for this "
        f"resource type. {OWNER_OPTIONS}"]
    assert {v.level for v in evaluation.violations if v.policy == "cost-ceiling"} == {"mandatory"}
    assert messages(evaluation, "cost-coverage") == [
        "aws:opensearch/domain:Domain is not priced (no price for this resource type): add it to the price catalog "
        "or declare it free, so the cost ceiling covers it."]


def test_the_platform_owner_can_accept_an_unpriced_type_deliberately(mode):
    search = extra_resource("aws:opensearch/domain:Domain", "search", {"engineVersion": "2.13", "tags": TAGS})
    evaluation = check(mode, mode.graph() + [search],
                       pack_config={"cost-ceiling": {"allowUnpriced": ["aws:opensearch/domain:Domain"]}})
    assert evaluation.mandatory_failures == []
    assert len(messages(evaluation, "cost-coverage")) == 1  # still reminded, as an advisory


def test_an_unknown_price_relevant_value_fails_the_ceiling_closed(mode):
    graph = mode.graph()
    set_prop(find(graph, "acme-app-host"), "instanceType", UNKNOWN_STRING_VALUE)
    evaluation = check(mode, graph)
    assert messages(evaluation, "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: acme-app-host (aws:ec2/instance:Instance) cannot be "
        "priced because its instanceType is unknown at preview."]


def undeclared(name, typ, key):
    return (f"Cannot show that the stack fits its $45.00 ceiling: {name} ({typ}) cannot be priced because its price "
            f"depends on phasegate:usage.{key}, which is not declared: declare it in the stack file, or have the "
            f"platform owner set a default (cost-ceiling: usage).")


def test_undeclared_usage_fails_the_ceiling_closed_naming_each_resource_priced_from_it(mode):
    config = {k: v for k, v in mode.run.config.items() if k != "phasegate:usage"}
    # Only the keys a resource is priced from are asked for: the MVP has no load balancer, so no requestsPerMonth.
    assert messages(check(mode, mode.run.resources, config), "cost-ceiling") == [
        undeclared("acme-assets-bucket", "aws:s3/bucket:Bucket", "assetsStorageGb"),
        undeclared("acme-app-ip", "aws:ec2/eip:Eip", "gbServedPerMonth"),
        undeclared("acme-app-logs", "aws:cloudwatch/logGroup:LogGroup", "logsGbPerMonth")]


def test_the_pack_configs_usage_prices_a_stack_that_declares_none(mode):
    stated = {k: v for k, v in mode.run.config.items() if k != "phasegate:usage"}
    usage = json.loads(mode.run.config["phasegate:usage"])
    same = check(mode, mode.run.resources, stated, pack_config={"cost-ceiling": {"ceilings": {"mvp": 30},
                                                                                   "usage": usage}})
    assert messages(same, "cost-ceiling")[0].startswith("Estimated $35.91/month exceeds the mvp ceiling of $30.00")
    # A stack that declares its own usage keeps it: the pack's default is for stacks that declare none.
    ignored = check(mode, mode.run.resources, pack_config={"cost-ceiling": {"usage": {"gbServedPerMonth": 1e6}}})
    assert messages(ignored, "cost-ceiling") == []


def foreign(mode, stack_config=None):
    """The MVP graph's config without a phasegate phase: a stack of another program."""
    return {k: v for k, v in (stack_config or mode.run.config).items() if k != "phasegate:phase"}


def test_a_stack_without_a_phase_and_no_ceiling_in_the_pack_config_fails_closed_saying_what_to_set(mode):
    assert messages(check(mode, mode.run.resources, foreign(mode)), "cost-ceiling") == [
        "No cost ceiling applies to phasegate/mvp: it sets no phasegate:phase, and the pack config has neither "
        "cost-ceiling: ceilingUsd nor a cost-ceiling: stackCeilings pattern matching it; the platform owner sets one "
        "of them."]


def test_the_pack_config_gives_other_stacks_a_ceiling_the_first_matching_pattern_first(mode):
    config = {"ceilingUsd": 30, "stackCeilings": [{"pattern": "other/*", "usd": 1},
                                                   {"pattern": "phase*/mv?", "usd": 20},
                                                   {"pattern": "*", "usd": 10}]}
    by_pattern, budget = messages(check(mode, mode.run.resources, foreign(mode), {"cost-ceiling": config}),
                                  "cost-ceiling")
    assert by_pattern.startswith("Estimated $35.91/month exceeds the ceiling for phase*/mv? (cost-ceiling: "
                                 "stackCeilings) of $20.00 by $15.91.")
    assert by_pattern.endswith("Size down these resources, or ask the platform owner for a higher ceiling.")
    assert budget == ("Budget acme-billing-budget allows $45.00/month, above the ceiling for phase*/mv? (cost-ceiling: "
                      "stackCeilings) of $20.00; set its limitAmount to at most 20.")
    organisation, _ = messages(check(mode, mode.run.resources, foreign(mode), {"cost-ceiling": {"ceilingUsd": 30}}),
                               "cost-ceiling")
    assert organisation.startswith("Estimated $35.91/month exceeds the organisation's ceiling (cost-ceiling: "
                                   "ceilingUsd) of $30.00")
    assert messages(check(mode, mode.run.resources, foreign(mode), {"cost-ceiling": {"ceilingUsd": 50}}),
                    "cost-ceiling") == []


def test_a_phasegate_stack_keeps_its_phase_ceiling_unless_an_entry_overrides_the_phase(mode):
    kept = {"ceilingUsd": 10, "stackCeilings": [{"pattern": "*", "usd": 10}]}
    assert messages(check(mode, mode.run.resources, pack_config={"cost-ceiling": kept}), "cost-ceiling") == []
    override = {"stackCeilings": [{"pattern": "phasegate/mvp", "usd": 10, "overridePhase": True}]}
    message, budget = messages(check(mode, mode.run.resources, pack_config={"cost-ceiling": override}), "cost-ceiling")
    assert message.startswith("Estimated $35.91/month exceeds the ceiling for phasegate/mvp")
    assert budget.endswith("of $10.00; set phasegate:billing.monthlyBudgetUsd to at most 10.")


def test_the_platform_owner_can_price_a_type_the_catalog_lacks_instead_of_accepting_it_at_zero(mode):
    search = extra_resource("aws:opensearch/domain:Domain", "search", {"engineVersion": "2.13", "tags": TAGS})
    priced = check(mode, mode.graph() + [search],
                   pack_config={"cost-ceiling": {"prices": {"aws:opensearch/domain:Domain": 20}}})
    [message] = messages(priced, "cost-ceiling")
    # $35.91 + the platform owner's $20 a month: counted, so it can break the ceiling.
    assert message.startswith("Estimated $55.91/month exceeds the mvp ceiling of $45.00 by $10.91. Top cost drivers: "
                              "search $20.00")


# --- resources priced through what they link to (over gRPC, as the pack prices them) --------------------------

def test_an_autoscaling_group_is_priced_from_its_launch_template_and_breaks_the_ceiling(mode):
    template = launch_template(mode, "workers", instanceType="m5.large")
    group = extra_resource("aws:autoscaling/group:Group", "workers", {"minSize": 1, "maxSize": 4,
                                                                      "desiredCapacity": 2})
    uses_template(mode, group, template)
    [message] = messages(check(mode, mode.graph() + [template, group]), "cost-ceiling")
    # $35.91 + 2 x m5.large (730 h x $0.096) $140.16 + 2 x 30 GB gp3 $4.80.
    assert message.startswith("Estimated $180.87/month exceeds the mvp ceiling of $45.00 by $135.87. Top cost "
                              "drivers: workers $144.96")


def test_an_autoscaling_group_that_cannot_tell_its_instance_type_fails_the_ceiling_closed(mode):
    group = extra_resource("aws:autoscaling/group:Group", "workers", {"minSize": 1, "maxSize": 4})
    assert messages(check(mode, mode.graph() + [group]), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: workers (aws:autoscaling/group:Group) it names no launch "
        f"template, mixed instances policy or launch configuration, so there is no way to tell the instance type. "
        f"{OWNER_OPTIONS}"]


def k8s_service(spec, annotations=None):
    return extra_resource("kubernetes:core/v1:Service", "web-svc", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "annotations": annotations or {}},
        "spec": spec})


def test_a_kubernetes_load_balancer_service_is_priced_and_other_objects_stay_free(mode):
    deployment = extra_resource("kubernetes:apps/v1:Deployment", "web", {"spec": {"replicas": 2}})
    cluster_ip = check(mode, mode.graph() + [deployment, k8s_service({"ports": [{"port": 80}]})])
    assert [v for v in cluster_ip.violations if v.policy.startswith("cost-")] == []
    tight = {"cost-ceiling": {"ceilings": {"mvp": 40}}}
    balanced = check(mode, mode.graph() + [k8s_service({"type": "LoadBalancer"})], pack_config=tight)
    # $35.91 + Classic LB 730 h x $0.025 + 50 GB x $0.008 + 2 public IPv4 (the stack's 2 AZs) $7.30.
    assert messages(balanced, "cost-ceiling")[0].startswith("Estimated $61.86/month exceeds the mvp ceiling of $40.00")


def test_a_service_whose_spec_is_unknown_at_preview_fails_the_ceiling_closed(mode):
    service = k8s_service(UNKNOWN_STRING_VALUE)
    assert messages(check(mode, mode.graph() + [service]), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: web-svc (kubernetes:core/v1:Service) cannot be priced "
        "because its spec (a Service of type LoadBalancer creates an AWS load balancer) is unknown at preview."]


def test_a_helm_release_asking_for_a_load_balancer_cannot_be_priced(mode):
    release = extra_resource("kubernetes:helm.sh/v3:Release", "ingress", {
        "chart": "ingress-nginx", "values": {"controller": {"service": {"type": "LoadBalancer"}}}})
    quiet = extra_resource("kubernetes:helm.sh/v3:Release", "quiet", {"chart": "x", "values": {
        "service": {"type": "NodePort"}}})
    assert messages(check(mode, mode.graph() + [release, quiet]), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: ingress (kubernetes:helm.sh/v3:Release) cannot price what "
        f"the chart creates: values.controller.service.type is LoadBalancer (an AWS load balancer). {OWNER_OPTIONS}"]


def backup_resources(mode, db, *, selected=None):
    """A vault here, one in us-west-2, a daily plan copying there and a selection of `db`, linked as the engine shows
    them: ARNs and ids unknown at a first preview, property dependencies in both modes."""
    vault = extra_resource("aws:backup/vault:Vault", "vault", {"tags": TAGS})
    dr_vault = extra_resource("aws:backup/vault:Vault", "dr-vault", {"region": "us-west-2", "tags": TAGS})
    vault.outputs.update(name=known_or_unknown(mode, "vault-1"),
                         arn=known_or_unknown(mode, "arn:aws:backup:us-east-1:123456789012:backup-vault:vault-1"))
    dr_vault.outputs.update(name=known_or_unknown(mode, "dr-1"),
                            arn=known_or_unknown(mode, "arn:aws:backup:us-west-2:123456789012:backup-vault:dr-1"))
    rule = {"ruleName": "daily", "schedule": "cron(0 5 ? * * *)", "targetVaultName": vault.outputs["name"],
            "lifecycle": {"deleteAfter": 14}, "copyActions": [{"destinationVaultArn": dr_vault.outputs["arn"],
                                                               "lifecycle": {"deleteAfter": 14}}]}
    plan = extra_resource("aws:backup/plan:Plan", "plan", {"rules": [rule], "tags": TAGS})
    plan.property_dependencies["rules"] = [vault.urn, dr_vault.urn]
    plan.outputs["id"] = known_or_unknown(mode, "plan-1")
    selection = extra_resource("aws:backup/selection:Selection", "selection", {
        "planId": plan.outputs["id"], "iamRoleArn": known_or_unknown(mode, "arn:aws:iam::123456789012:role/b"),
        "resources": [selected if selected is not None else known_or_unknown(mode, db.outputs.get("arn"))]})
    selection.property_dependencies["planId"] = [plan.urn]
    if selected is None:
        selection.property_dependencies["resources"] = [db.urn]
    return [vault, dr_vault, plan, selection]


def test_a_backup_plan_is_priced_from_the_database_its_selection_names(mode):
    graph = mode.graph()
    extra = backup_resources(mode, find(graph, "acme-db-postgres"))
    reported = messages(check(mode, graph + extra, pack_config={"cost-ceiling": {"ceilings": {"mvp": 30}}}),
                        "cost-ceiling")
    # $35.91 + 20 GB snapshot in each vault (2 x 20 x $0.095) + 20 GB copied us-east-1 -> us-west-2 at $0.02.
    assert reported[0].startswith("Estimated $40.11/month exceeds the mvp ceiling of $30.00")


def test_a_backup_plan_whose_selection_names_no_database_of_the_stack_fails_the_ceiling_closed(mode):
    graph = mode.graph()
    extra = backup_resources(mode, find(graph, "acme-db-postgres"),
                             selected="arn:aws:rds:us-east-1:123456789012:db:elsewhere")
    assert messages(check(mode, graph + extra), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: plan (aws:backup/plan:Plan) backup selection selection "
        "names resources that are not RDS instances of this stack (arn:aws:rds:us-east-1:123456789012:db:elsewhere), "
        f"so what it backs up cannot be sized. {OWNER_OPTIONS}"]


# --- the Fargate and Lambda runtimes in the graph ---------------------------------------------------------------

def test_fargate_spot_and_arm64_are_priced_through_the_link_at_a_first_preview(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph, desired=3, arch="ARM64", strategy=[
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 3}])
    evaluation = check(mode, graph + runtime, pack_config={"cost-ceiling": {"ceilings": {"mvp": 40}}})
    # 3 ARM tasks (1 FARGATE base, then 2 at weight 3:1 -> 0.5 FARGATE + 1.5 FARGATE_SPOT, Spot at on-demand):
    # 3 x 730 x (0.25 x $0.03238 + 0.5 x $0.00356) = $21.63; with the MVP's $35.91 = $57.54.
    assert messages(evaluation, "cost-ceiling")[0].startswith("Estimated $57.54/month exceeds")


def test_container_insights_on_fails_the_ceiling_closed_unless_accepted(mode):
    graph = mode.graph()
    runtime = fargate(mode, graph)
    set_prop(find(runtime, "acme-ecs"), "settings", [{"name": "containerInsights", "value": "enabled"}])
    [message] = messages(check(mode, graph + runtime), "cost-ceiling")
    assert message.startswith("Cannot show that the stack fits its $45.00 ceiling: acme-ecs (aws:ecs/cluster:Cluster) "
                              "has Container Insights 'enabled': its custom metrics and performance log events are "
                              "billed per cluster, service and task")
    accepted = check(mode, graph + runtime, pack_config={"cost-ceiling": {"allowUnpriced": ["aws:ecs/cluster:Cluster"]}})
    assert accepted.mandatory_failures == []


def test_a_function_without_a_declared_duration_fails_the_ceiling_closed(mode):
    graph = mode.graph()
    assert messages(check(mode, graph + serverless(mode, graph)), "cost-ceiling") == [
        "Cannot show that the stack fits its $45.00 ceiling: acme-fn (aws:lambda/function:Function) cannot be priced "
        "because its duration is priced from phasegate:usage.lambdaAvgDurationMs, which is not declared: declare the "
        "average duration per request in ms."]
