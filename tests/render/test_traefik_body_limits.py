"""Each service's maxBodyMb, enforced by Traefik on K3s and EKS alike: a buffering Middleware per limit, only for
the services that set one (the middleware buffers responses too, so streaming ends for them)
(https://doc.traefik.io/traefik/middlewares/http/buffering/: a larger body gets 413 and never reaches the service),
referenced from the Ingress through `traefik.ingress.kubernetes.io/router.middlewares: <namespace>-<name>@kubernetescrd`
(https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/ingress/), in the traefik.io/v1alpha1
group that Traefik v2.10+ (K3s v1.31) and v3 (chart 41.3.0) both serve."""

from __future__ import annotations

import yaml

from components.config import build_stack_config
from components.endpoints import DatabaseEndpoint
from components.render.kubernetes import EksAppFacts, render_eks_objects, render_manifests
from conftest import stack_values

MIB = 1024 * 1024
FACTS = EksAppFacts(region="us-west-2", bucket="b", cache=None,
                    database=DatabaseEndpoint(address="db", port=5432, db_name="app", secret_arn="arn:db"))


def _app(stack: str, **limits: int):
    values = stack_values(stack)
    for service in values["phasegate:app"]["services"]:
        if service["name"] in limits:
            service["maxBodyMb"] = limits[service["name"]]
    return build_stack_config(values, f"Pulumi.{stack}.yaml").app


def _k3s(app) -> list[dict]:
    return list(yaml.safe_load_all(render_manifests(app, "us-west-2", "b")))


def _by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _routes(ingress: dict) -> tuple[str, list[tuple[str, str]]]:
    middleware = ingress["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"]
    paths = ingress["spec"]["rules"][0]["http"]["paths"]
    return middleware, [(p["path"], p["backend"]["service"]["name"]) for p in paths]


def test_without_maxbodymb_there_is_one_plain_ingress_and_no_buffering():
    objects = _k3s(_app("growth"))
    assert _by_kind(objects, "Middleware") == {}
    [ingress] = _by_kind(objects, "Ingress").values()
    assert ingress["metadata"] == {"name": "acme", "namespace": "phasegate"}


def test_k3s_services_with_the_same_limit_share_one_ingress_and_one_middleware():
    objects = _k3s(_app("growth", web=10, api=10))
    [middleware] = _by_kind(objects, "Middleware").values()
    assert (middleware["apiVersion"], middleware["metadata"]) == (
        "traefik.io/v1alpha1", {"name": "body-limit-10mb", "namespace": "phasegate"})
    assert middleware["spec"] == {"buffering": {"maxRequestBodyBytes": 10 * MIB}}
    ingresses = _by_kind(objects, "Ingress")
    assert {name: _routes(i) for name, i in ingresses.items()} == {
        "acme": ("phasegate-body-limit-10mb@kubernetescrd", [("/api", "api"), ("/", "web")])}


def test_k3s_a_service_with_its_own_limit_gets_its_own_ingress_and_the_root_keeps_the_apps_name():
    objects = _k3s(_app("growth", web=10, api=100))
    assert {n: m["spec"]["buffering"]["maxRequestBodyBytes"] for n, m in _by_kind(objects, "Middleware").items()} == {
        "body-limit-10mb": 10 * MIB, "body-limit-100mb": 100 * MIB}
    assert {name: _routes(i) for name, i in _by_kind(objects, "Ingress").items()} == {
        "acme": ("phasegate-body-limit-10mb@kubernetescrd", [("/", "web")]),
        "acme-body-limit-100mb": ("phasegate-body-limit-100mb@kubernetescrd", [("/api", "api")])}
    kinds = [o["kind"] for o in objects]
    assert kinds.index("Middleware") < kinds.index("Ingress")  # the Ingress never names a middleware not yet sent


def test_eks_objects_carry_the_same_limits():
    objects = render_eks_objects(_app("production", web=25), FACTS)
    assert {n: m["spec"]["buffering"]["maxRequestBodyBytes"] for n, m in _by_kind(objects, "Middleware").items()} == {
        "body-limit-25mb": 25 * MIB}
    ingresses = _by_kind(objects, "Ingress")
    assert _routes(ingresses["acme"]) == ("phasegate-body-limit-25mb@kubernetescrd", [("/", "web")])
    unlimited = ingresses["acme-no-body-limit"]
    assert "annotations" not in unlimited["metadata"]  # the api service streams as before
    assert [p["path"] for p in unlimited["spec"]["rules"][0]["http"]["paths"]] == ["/api"]
