"""Limits AWS derives from a size, computed the way AWS does, so alarms can be set as a share of them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Optional

from phasegate_policies.cost.catalog import load_catalog, normalized_units, split_size

# PostgreSQL on RDS defaults max_connections to LEAST(DBInstanceClassMemory / 9531392, 5000).
_BYTES_PER_CONNECTION = 9531392
_MAX_CONNECTIONS = 5000


def class_memory_gib(instance_class: str) -> Optional[float]:
    """A DB class's memory: listed in the catalog's specs, else scaled from its family per normalized unit."""
    catalog = load_catalog()
    spec = catalog.spec("rdsInstance", instance_class)
    if spec:
        return spec.memory_gib
    family, size = split_size(instance_class)
    units = normalized_units(size)
    per_unit = [s[1] / u for name, s in catalog.specs.get("rdsInstance", {}).items()
                if split_size(name)[0] == family and (u := normalized_units(split_size(name)[1]))]
    return statistics.median(per_unit) * units if per_unit and units else None


def max_connections(instance_class: str) -> int:
    """RDS's default max_connections for a class (nominal memory; RDS reserves a little, so an upper bound).

    A class the catalog cannot size gets RDS's cap, so the alarm threshold errs high rather than paging early."""
    gib = class_memory_gib(instance_class)
    if gib is None:
        return _MAX_CONNECTIONS
    return min(int(gib * 1024 ** 3) // _BYTES_PER_CONNECTION, _MAX_CONNECTIONS)


# Pods per node on the VPC CNI (ENIs x (IPv4 addresses per ENI - 1) + 2), by size, for the general-purpose
# families EKS nodes use; larger sizes are capped at 110 as EKS recommends. An approximation by size: the exact
# figure depends on the type's ENI limits (AWS's eni-max-pods.txt), and a higher count only reserves more memory.
_MAX_PODS_BY_SIZE = {"nano": 4, "micro": 4, "small": 11, "medium": 17, "large": 35, "xlarge": 58, "2xlarge": 58}
# What every node runs before the app: kube-proxy (100m CPU) and the VPC CNI (25m CPU) DaemonSets.
_NODE_DAEMONS_CPU = 0.125


@dataclass(frozen=True)
class ClusterPods:
    """Pods the cluster runs once (not per node), wherever they land, and what each requests of the scheduler."""

    name: str
    replicas: int
    cpu: float
    mib: int


# Traefik's chart sets no requests (`resources: {}` in traefik/traefik-helm-chart 41.3.0's values.yaml), which
# makes its pods BestEffort, the first evicted under memory pressure
# (https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/): all traffic passes through them, so phasegate
# requests this much for each.
TRAEFIK_CPU, TRAEFIK_MIB = 0.1, 128
TRAEFIK_REQUESTS = {"cpu": f"{round(TRAEFIK_CPU * 1000)}m", "memory": f"{TRAEFIK_MIB}Mi"}
# metrics-server (chart kubernetes-sigs/metrics-server 3.13.1, values.yaml: requests 100m CPU, 200Mi); two
# replicas, as AWS advises for the HPA's only source of metrics
# (https://repost.aws/articles/ARo3gNWB0fTaOUSasgws8VBA/kubernetes-metrics-server-setup-recommendations).
METRICS_SERVER_REPLICAS = 2
EKS_CLUSTER_PODS = (
    ClusterPods("CoreDNS", 2, 0.1, 70),  # the EKS coredns add-on's Deployment: 2 replicas, 100m CPU, 70Mi each
    ClusterPods("metrics-server", METRICS_SERVER_REPLICAS, 0.1, 200),
    ClusterPods("Traefik", 2, TRAEFIK_CPU, TRAEFIK_MIB),  # the release's deployment.replicas
    # The External Secrets Operator's three pods (operator, webhook, cert-controller) and Reloader's one request
    # nothing (`resources: {}` in external-secrets chart 0.19.2 and stakater reloader chart 2.2.3): a pod without
    # a request counts 0 toward what the scheduler places, so they add nothing here.
)
EKS_CLUSTER_ADDONS_CPU = round(sum(p.replicas * p.cpu for p in EKS_CLUSTER_PODS), 3)
EKS_CLUSTER_ADDONS_MIB = sum(p.replicas * p.mib for p in EKS_CLUSTER_PODS)


def eks_node_allocatable(instance_type: str, vcpu: float, memory_gib: float) -> tuple[float, float]:
    """CPU (vCPUs) and memory (MiB) the scheduler can give pods on one EKS AL2023 node of this type.

    EKS reserves for kubelet and the OS: 6% of the first core, 1% of the second, 0.5% of the third and fourth,
    0.25% of the rest; 255 MiB + 11 MiB per pod the node can hold; and evicts below 100 MiB free. The OS sees
    about 97% of the nominal memory.
    """
    cores = [0.06, 0.01, 0.005, 0.005]
    reserved_cpu = sum(share for share in cores[:int(vcpu)]) + max(0.0, vcpu - 4) * 0.0025
    max_pods = _MAX_PODS_BY_SIZE.get(split_size(instance_type)[1], 110)
    memory_mib = memory_gib * 1024 * 0.97 - (255 + 11 * max_pods) - 100
    return vcpu - reserved_cpu - _NODE_DAEMONS_CPU, memory_mib
