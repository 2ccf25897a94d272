"""Renders the phase-independent app spec for Kubernetes: a namespace, a Deployment and Service per service, and
Ingresses with Traefik body-size limits.

Manifests never contain a secret: each Deployment takes its credentials from a Kubernetes Secret (named by
`secret_name`) that is filled from Secrets Manager outside Pulumi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import yaml

from ..config.models import App, Service
from ..endpoints import CacheEndpoint, DatabaseEndpoint

NAMESPACE = "phasegate"
# Stakater Reloader (github.com/stakater/Reloader) rolls a Deployment when a Secret named here changes.
RELOAD_ANNOTATION = "secret.reloader.stakater.com/reload"


def secret_name(service: Service) -> str:
    return f"{service.name}-secrets"


def _labels(app: App, service: Service) -> dict[str, str]:
    return {"app.kubernetes.io/name": service.name, "app.kubernetes.io/part-of": app.name}


def _deployment(app: App, svc: Service, region: str, bucket: str) -> dict:
    env = {**svc.environment, "PORT": str(svc.port), "AWS_REGION": region, "ASSETS_BUCKET": bucket}
    probe = {"httpGet": {"path": svc.health_check_path, "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 3,
             "failureThreshold": 3}
    memory = f"{svc.memory_mb}Mi"
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": svc.name, "namespace": NAMESPACE, "labels": _labels(app, svc)},
        "spec": {
            "replicas": svc.replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": svc.name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": _labels(app, svc)},
                "spec": {
                    "containers": [{
                        "name": svc.name, "image": svc.image,
                        "ports": [{"name": "http", "containerPort": svc.port}],
                        # The kubelet expands $(NAME) and turns $$ into $: doubling every $ makes values arrive
                        # exactly as written.
                        "env": [{"name": k, "value": v.replace("$", "$$")} for k, v in sorted(env.items())],
                        "envFrom": [{"secretRef": {"name": secret_name(svc)}}],
                        "resources": {"requests": {"cpu": f"{int(svc.cpu * 1000)}m", "memory": memory},
                                      "limits": {"memory": memory}},
                        "readinessProbe": probe,
                        "livenessProbe": {**probe, "initialDelaySeconds": 15, "periodSeconds": 20},
                        "securityContext": {"allowPrivilegeEscalation": False},
                    }],
                    # Spread copies across nodes so losing one node does not take a service down.
                    "topologySpreadConstraints": [{
                        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": svc.name}}}],
                },
            },
        },
    }


def _service(app: App, svc: Service) -> dict:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": svc.name, "namespace": NAMESPACE, "labels": _labels(app, svc)},
        "spec": {"selector": {"app.kubernetes.io/name": svc.name},
                 "ports": [{"name": "http", "port": svc.port, "targetPort": "http"}]},
    }


# Traefik's CRDs: the traefik.io group since Traefik v2.10 (traefik.containo.us before it, removed in v3); K3s v1.31
# ships Traefik v2.11 and v1.32+ Traefik v3 (https://docs.k3s.io/upgrades), the EKS chart 41.3.0 Traefik v3.7
# (its crds/traefik.io_middlewares.yaml). https://doc.traefik.io/traefik/v2.11/migration/v2/#v210
TRAEFIK_API = "traefik.io/v1alpha1"
# Attaches CRD middlewares to every router of an Ingress, named `<namespace>-<name>@kubernetescrd`:
# https://doc.traefik.io/traefik/reference/routing-configuration/kubernetes/ingress/#on-ingress
MIDDLEWARES_ANNOTATION = "traefik.ingress.kubernetes.io/router.middlewares"
MIB = 1024 * 1024


def body_limit_name(max_body_mb: int) -> str:
    return f"body-limit-{max_body_mb}mb"


def _body_limits(app: App) -> list[dict]:
    """One buffering Middleware per body limit the public services use: a larger body gets 413 and never reaches
    the service (https://doc.traefik.io/traefik/middlewares/http/buffering/). Traefik holds up to 1 MiB of a body
    in memory (memRequestBodyBytes' default) and spools the rest to disk before forwarding it. It buffers the
    service's responses as well (maxResponseBodyBytes, memResponseBodyBytes on the same page), which ends streaming,
    so only a service that sets maxBodyMb gets one."""
    limits = sorted({svc.max_body_mb for svc in app.services if svc.public and svc.max_body_mb is not None})
    return [{"apiVersion": TRAEFIK_API, "kind": "Middleware",
             "metadata": {"name": body_limit_name(mb), "namespace": NAMESPACE},
             "spec": {"buffering": {"maxRequestBodyBytes": mb * MIB}}} for mb in limits]


def _ingresses(app: App) -> list[dict]:
    """One Ingress per body limit (and one for the services without), since Traefik applies an Ingress's middlewares to all its paths; the group that
    holds the root service keeps the app's name (the Ingress every earlier release created), so its URN stays.

    No host rule: the load balancer only forwards the app's own traffic, and its health checks (which carry the
    node's address as Host) must reach the app too. Across Ingresses Traefik still prefers the longest prefix: a
    router's default priority is the length of its rule."""
    public = sorted((s for s in app.services if s.public), key=lambda s: -len(s.path_prefix))
    root_limit = app.root_service.max_body_mb
    ingresses = []
    for mb in sorted({svc.max_body_mb for svc in public}, key=lambda mb: (mb != root_limit, mb or 0)):
        paths = [{"path": svc.path_prefix, "pathType": "Prefix",
                  "backend": {"service": {"name": svc.name, "port": {"number": svc.port}}}}
                 for svc in public if svc.max_body_mb == mb]
        name = app.name if mb == root_limit else f"{app.name}-{body_limit_name(mb) if mb else 'no-body-limit'}"
        ingresses.append({
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": NAMESPACE, **({"annotations": {
                MIDDLEWARES_ANNOTATION: f"{NAMESPACE}-{body_limit_name(mb)}@kubernetescrd"}} if mb else {})},
            "spec": {"ingressClassName": "traefik", "rules": [{"http": {"paths": paths}}]},
        })
    return ingresses


def render_manifests(app: App, region: str, bucket: str) -> str:
    documents = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}]
    for svc in app.services:
        documents += [_deployment(app, svc, region, bucket), _service(app, svc)]
    documents += _body_limits(app) + _ingresses(app)
    return yaml.safe_dump_all(documents, sort_keys=False)


# --- EKS: the same app spec, as individual objects for the pulumi-kubernetes provider --------------------------

SECRET_STORE = "aws-secrets-manager"
# How often the operator re-reads Secrets Manager: RDS rotates the database password every 7 days, and until the
# Secret is rewritten (and Reloader rolls the pods) new connections would use the old one. At most 5 minutes.
EXTERNAL_SECRET_REFRESH = "5m"
APP_SERVICE_ACCOUNT = "app"  # pods' AWS identity (EKS Pod Identity): the assets bucket, nothing else


@dataclass(frozen=True)
class EksAppFacts:
    """What the app's objects need from the parts around them; all plain text (resolved outputs)."""

    region: str
    bucket: str
    database: DatabaseEndpoint
    cache: Optional[CacheEndpoint]


def _zone_spread(svc: Service) -> dict:
    return {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": svc.name}}}


def _eks_deployment(app: App, svc: Service, facts: EksAppFacts) -> dict:
    deployment = _deployment(app, svc, facts.region, facts.bucket)
    pod = deployment["spec"]["template"]["spec"]
    pod["serviceAccountName"] = APP_SERVICE_ACCOUNT
    # Across zones first (an AZ outage), then across nodes, as in growth.
    pod["topologySpreadConstraints"] = [_zone_spread(svc), *pod["topologySpreadConstraints"]]
    pod["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"}}
    # Environment from a Secret is read at pod start: when the External Secrets Operator rewrites the Secret (RDS
    # rotates the database password every 7 days), Reloader rolls the Deployment so new pods get the new value.
    deployment["metadata"]["annotations"] = {RELOAD_ANNOTATION: secret_name(svc)}
    deployment["spec"].pop("replicas")  # the HPA owns it
    return deployment


def _pdb(app: App, svc: Service) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": svc.name, "namespace": NAMESPACE, "labels": _labels(app, svc)},
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": svc.name}}}}


def _hpa(app: App, svc: Service) -> dict:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": svc.name, "namespace": NAMESPACE, "labels": _labels(app, svc)},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": svc.name},
                     "minReplicas": svc.replicas, "maxReplicas": svc.replicas * 3,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}


def _secret_store(facts: EksAppFacts) -> dict:
    # No auth block: the operator's own service account has an EKS Pod Identity role that may read these secrets.
    return {"apiVersion": "external-secrets.io/v1", "kind": "SecretStore",
            "metadata": {"name": SECRET_STORE, "namespace": NAMESPACE},
            "spec": {"provider": {"aws": {"service": "SecretsManager", "region": facts.region}}}}


def _template_value(key: str) -> str:
    return "{{ ." + key + " }}"


def _external_secret(app: App, svc: Service, facts: EksAppFacts) -> dict:
    """The service's Secret, built by the External Secrets Operator from Secrets Manager; Pulumi never sees a value.

    DATABASE_URL and REDIS_URL are templated from the RDS-managed and cache secrets, URL-encoded as in growth."""
    db = facts.database
    data = [{"secretKey": "db_username", "remoteRef": {"key": db.secret_arn, "property": "username"}},
            {"secretKey": "db_password", "remoteRef": {"key": db.secret_arn, "property": "password"}}]
    template = {"DATABASE_URL": (
        "postgresql://{{ .db_username | urlquery }}:{{ .db_password | urlquery }}"
        f"@{db.address}:{db.port}/{db.db_name}?sslmode=require")}
    if facts.cache:
        data.append({"secretKey": "cache_token", "remoteRef": {"key": facts.cache.secret_arn}})
        template["REDIS_URL"] = f"rediss://:{{{{ .cache_token | urlquery }}}}@{facts.cache.address}:{facts.cache.port}"
    for env, secret in sorted(svc.secrets.items()):
        data.append({"secretKey": env, "remoteRef": {"key": secret}})
        template[env] = _template_value(env)
    return {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": {"name": svc.name, "namespace": NAMESPACE, "labels": _labels(app, svc)},
            "spec": {"refreshInterval": EXTERNAL_SECRET_REFRESH,
                     "secretStoreRef": {"name": SECRET_STORE, "kind": "SecretStore"},
                     "target": {"name": secret_name(svc), "creationPolicy": "Owner",
                                "template": {"engineVersion": "v2", "mergePolicy": "Replace", "data": template}},
                     "data": data}}


def render_eks_objects(app: App, facts: EksAppFacts) -> list[dict]:
    """Namespace, service account, secret store, then per service its secret, Deployment, Service, PDB and HPA;
    last the body limits and the Ingresses (served by Traefik, which the load balancer reaches on its NodePort)."""
    objects = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
               {"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": APP_SERVICE_ACCOUNT, "namespace": NAMESPACE}},
               _secret_store(facts)]
    for svc in app.services:
        objects += [_external_secret(app, svc, facts), _eks_deployment(app, svc, facts), _service(app, svc),
                    _pdb(app, svc), _hpa(app, svc)]
    return objects + _body_limits(app) + _ingresses(app)
