"""Renders the phase-independent app spec for Kubernetes: a namespace, a Deployment and Service per service, one Ingress.

Manifests never contain a secret: each Deployment takes its credentials from a Kubernetes Secret (named by
`secret_name`) that is filled from Secrets Manager outside Pulumi.
"""

from __future__ import annotations

import yaml

from ..config.models import App, Service

NAMESPACE = "phasegate"


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
                        # Kubernetes expands $(NAME) in values; $$( is a literal $(, so values arrive as written.
                        "env": [{"name": k, "value": v.replace("$(", "$$(")} for k, v in sorted(env.items())],
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


def _ingress(app: App) -> dict:
    # No host rule: the load balancer only forwards the app's own traffic, and its health checks (which
    # carry the node's address as Host) must reach the app too.
    paths = [
        {"path": svc.path_prefix, "pathType": "Prefix",
         "backend": {"service": {"name": svc.name, "port": {"number": svc.port}}}}
        for svc in sorted((s for s in app.services if s.public), key=lambda s: -len(s.path_prefix))
    ]
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": app.name, "namespace": NAMESPACE},
        "spec": {"ingressClassName": "traefik", "rules": [{"http": {"paths": paths}}]},
    }


def render_manifests(app: App, region: str, bucket: str) -> str:
    documents = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}]
    for svc in app.services:
        documents += [_deployment(app, svc, region, bucket), _service(app, svc)]
    documents.append(_ingress(app))
    return yaml.safe_dump_all(documents, sort_keys=False)
