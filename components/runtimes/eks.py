"""The `eks` runtime: Amazon EKS (pulumi-eks) with managed node groups in the private subnets, behind the ALB.

- Control plane: API authentication mode (access entries, no aws-auth ConfigMap), secrets envelope-encrypted
  with a rotating KMS key, private endpoint on, public endpoint limited to `compute.publicAccessCidrs`, audit and
  authenticator logs into a log group created first so it has a retention, upgrade policy STANDARD by default.
- Nodes: managed node groups through a launch template, so IMDSv2 (hop limit 1: pods get credentials from Pod
  Identity, never from the node role) and the encrypted gp3 root are explicit; nodes carry the EKS cluster
  security group and the app's node group, which alone admits the load balancer. An optional Spot group is
  tainted so only pods that tolerate interruption land there.
- Ingress: the ALB that Pulumi owns forwards to Traefik's NodePort on every node; the node groups' autoscaling
  groups are its targets (no AWS Load Balancer Controller, so nothing creates load balancers behind our back).
  Traefik trusts X-Forwarded-* from the VPC only, and limits each service's request bodies.
- Autoscaling: metrics-server (EKS does not install it) feeds the HorizontalPodAutoscalers.
- Secrets: the External Secrets Operator reads Secrets Manager with an EKS Pod Identity role and writes each
  service's Kubernetes Secret, so no secret value passes through Pulumi state; Reloader rolls a Deployment when
  its Secret changes (RDS rotates the database password every 7 days). Chosen over the growth phase's
  node-side sync because EKS nodes are managed and replaced by AWS: nothing should run on them but kubelet.
"""

from __future__ import annotations

import json
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.eks as aws_eks
import pulumi_aws.iam as iam
import pulumi_aws.kms as kms
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from phasegate_policies.contract import EKS_NODE_ROLE, ROLE_TAG

from ..config.compute import EksCompute
from ..config.models import Alerts as AlertsConfig
from ..endpoints import resolved
from ..parts.assets import read_write_policy
from ..parts.ec2 import EC2_ASSUME_ROLE, HardenedTemplateArgs, hardened_launch_template
from ..parts.iam import ASSUME_ROLE, assume_role_policy, secret_arn_pattern
from ..parts.security_groups import AppSecurityGroupShape
from ..render.alarms import AlarmSpec, Metric, status_check_alarm
from ..render.kubernetes import APP_SERVICE_ACCOUNT, NAMESPACE, EksAppFacts, render_eks_objects
from ..render.checks import eks_pods_fit
from ..render.limits import METRICS_SERVER_REPLICAS, TRAEFIK_REQUESTS
from .registry import RUNTIMES, Runtime, RuntimeArgs, known_where_possible, stand_in_endpoints

# Traefik serves the Ingress on this NodePort on every node; the load balancer forwards to it.
TRAEFIK_NODE_PORT = 30080
# Pinned Helm charts (upgrade deliberately): Traefik chart 41.3.0 (2026-08-19, Traefik v3.7.11), External
# Secrets Operator chart 0.19.2 (serves the external-secrets.io/v1 API).
TRAEFIK_CHART = ("traefik", "41.3.0", "https://traefik.github.io/charts")
EXTERNAL_SECRETS_CHART = ("external-secrets", "0.19.2", "https://charts.external-secrets.io")
# Stakater Reloader chart 2.2.3: rolls the app's Deployments when their Secrets change (a rotated DB password).
RELOADER_CHART = ("reloader", "2.2.3", "https://stakater.github.io/stakater-charts")
# metrics-server chart 3.13.1 (metrics-server v0.8.1): EKS does not deploy it, and without it no
# HorizontalPodAutoscaler gets a metric, so none ever scales
# (https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html). Chosen over the `metrics-server`
# community add-on, whose page lists neither the Kubernetes versions it supports nor its pods' requests
# (https://docs.aws.amazon.com/eks/latest/userguide/community-addons.html), which the pod-fit rule must count.
METRICS_SERVER_CHART = ("metrics-server", "3.13.1", "https://kubernetes-sigs.github.io/metrics-server/")
EXTERNAL_SECRETS_NAMESPACE = "external-secrets"
EXTERNAL_SECRETS_ACCOUNT = "external-secrets"
NODE_POLICIES = {
    "worker": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "cni": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "ecr": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
}
POD_IDENTITY_TRUST = assume_role_policy("pods.eks.amazonaws.com", [ASSUME_ROLE, "sts:TagSession"])
KINDS = {
    "Namespace": k8s.core.v1.Namespace, "ServiceAccount": k8s.core.v1.ServiceAccount,
    "Deployment": k8s.apps.v1.Deployment, "Service": k8s.core.v1.Service,
    "PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "Ingress": k8s.networking.v1.Ingress,
}


CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def _iam_identity(arn: str) -> Optional[tuple[str, str, str, str]]:
    """(partition, account, role|user, name) of an IAM role or user ARN, or of an STS assumed-role session."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    _, partition, service, _, account, resource = parts
    kind, _, rest = resource.partition("/")
    if service == "iam" and kind in ("role", "user") and rest:
        return partition, account, kind, rest.rsplit("/", 1)[-1]  # a name is unique in its account, path aside
    if service == "sts" and kind == "assumed-role" and "/" in rest:
        return partition, account, "role", rest.split("/", 1)[0]  # assumed-role/NAME/SESSION: no path
    return None


def is_caller(principal_arn: str, caller_arn: str) -> bool:
    """Whether `principal_arn` is the identity running Pulumi, whose ARN (from sts:GetCallerIdentity) is, for a
    role, `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`, without the role's path."""
    principal = _iam_identity(principal_arn)
    return principal is not None and principal == _iam_identity(caller_arn)


def admin_access_entries(principal_arns: list[str], creator_arn: str) -> dict[str, eks.AccessEntryArgs]:
    """Cluster-admin for each configured principal, through access entries (API mode has no aws-auth ConfigMap).

    pulumi-eks creates the cluster with bootstrapClusterCreatorAdminPermissions=true (github.com/pulumi/pulumi-eks,
    nodejs/eks/cluster/cluster.ts: "It is required for this component because it deploys charts to the cluster"),
    so EKS itself gives the creator an admin access entry; a second entry for the same principal fails with
    ResourceInUseException. The creator's entry is left out (`compute.clusterCreatorArn`, else whoever runs
    `pulumi up`, which is the creator at the first deploy); the others keep their index, so their names stay.
    """
    return {f"admin-{index}": eks.AccessEntryArgs(
        principal_arn=arn, access_policies={"cluster-admin": eks.AccessPolicyAssociationArgs(
            policy_arn=CLUSTER_ADMIN_POLICY,
            access_scope=aws_eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"))})
        for index, arn in enumerate(principal_arns) if not is_caller(arn, creator_arn)}


def cluster_name(app: str, stack: str) -> str:
    """The EKS cluster's physical name: known before it exists, so its log group can be created first."""
    return f"{app}-{stack}"


def ami_type(cfg: EksCompute) -> str:
    return "AL2023_ARM_64_STANDARD" if cfg.architecture == "arm64" else "AL2023_x86_64_STANDARD"


def secret_reader_policy(region: str, account: str, secret_arns: list[str], names: list[str]) -> str:
    """What the External Secrets Operator may read: the database and cache secrets, and the app's named ones."""
    resources = list(secret_arns) + [secret_arn_pattern(region, account, n) for n in names]
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ReadAppSecrets", "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Resource": resources}]})


class EksCluster(pulumi.ComponentResource):
    outputs: Mapping[str, pulumi.Input]
    url: Optional[pulumi.Input[str]] = None  # the load balancer serves the app

    def __init__(self, name: str, args: RuntimeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("phasegate:eks:EksCluster", name, None, opts)
        cfg: EksCompute = args.compute
        child = pulumi.ResourceOptions(parent=self)
        physical = cluster_name(args.app.name, args.stack)
        # A plain invoke, not an output: pulumi-eks's accessEntries is a plain map (`"plain": true` in its schema), so
        # it must be known while the program runs; invokes answer at a first preview too.
        creator = cfg.cluster_creator_arn or aws.get_caller_identity(opts=pulumi.InvokeOptions(parent=self)).arn

        key = kms.Key(f"{name}-secrets-key", description=f"EKS {physical}: envelope encryption of Kubernetes secrets",
                      enable_key_rotation=True, deletion_window_in_days=30, tags=args.tags(f"{name}-secrets-key"),
                      opts=child)
        kms.Alias(f"{name}-secrets-key", name=f"alias/{physical}-eks-secrets", target_key_id=key.key_id,
                  opts=pulumi.ResourceOptions(parent=key))
        # EKS writes control-plane logs to this name; created first, it has a retention instead of "never expire".
        logs = cloudwatch.LogGroup(f"{name}-control-plane-logs", name=f"/aws/eks/{physical}/cluster",
                                   retention_in_days=cfg.log_retention_days,
                                   tags=args.tags(f"{name}-control-plane-logs"), opts=child)

        self.cluster = eks.Cluster(
            f"{name}-cluster", name=physical, version=cfg.version, vpc_id=args.network.vpc_id,
            public_subnet_ids=list(args.network.public_subnet_ids),
            private_subnet_ids=list(args.network.private_subnet_ids),
            authentication_mode=eks.AuthenticationMode.API, skip_default_node_group=True,
            skip_default_security_groups=True, node_associate_public_ip_address=False,
            endpoint_private_access=True, endpoint_public_access=True, public_access_cidrs=cfg.public_access_cidrs,
            encryption_config_key_arn=key.arn, enabled_cluster_log_types=["audit", "authenticator"],
            upgrade_policy=aws_eks.ClusterUpgradePolicyArgs(support_type=cfg.upgrade_policy),
            create_oidc_provider=False, access_entries=admin_access_entries(cfg.admin_principal_arns, creator) or None,
            tags=args.tags(f"{name}-cluster"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]))
        # The name is ours; reading it through an output of the cluster keeps every user waiting for the cluster.
        name_after_cluster = self.cluster.kubeconfig_json.apply(lambda _: physical)

        self.node_groups = self._node_groups(name, args, cfg, name_after_cluster)
        self._autoscaling_groups = [group.resources.apply(lambda resources: resources[0].autoscaling_groups[0].name)
                                    for group in self.node_groups]
        args.ingress.attach_autoscaling_groups(self._autoscaling_groups)

        provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.cluster.kubeconfig_json,
                                enable_server_side_apply=True, opts=child)
        on_cluster = pulumi.ResourceOptions(parent=self, provider=provider, depends_on=self.node_groups)
        operator = self._external_secrets(name, args, name_after_cluster, on_cluster)
        traefik = self._traefik(name, args.network.cidr, on_cluster)
        reloader = self._reloader(name, on_cluster)
        metrics = self._metrics_server(name, on_cluster)
        app_role = self._pod_role(f"{name}-app", pulumi.Output.from_input(args.bucket.arn).apply(read_write_policy),
                                  args, name_after_cluster, NAMESPACE, APP_SERVICE_ACCOUNT)
        facts = pulumi.Output.all(database=resolved(args.database), bucket=args.bucket.name,
                                  cache=resolved(args.cache) if args.cache else None).apply(
            lambda v: EksAppFacts(region=args.region, **v))
        self._apply_app(name, args, facts, pulumi.ResourceOptions(
            parent=self, provider=provider, depends_on=[operator, traefik, reloader, metrics, *app_role]))

        self.outputs = {"eksClusterName": name_after_cluster}
        self.register_outputs({"clusterName": name_after_cluster})

    def _node_groups(self, name: str, args: RuntimeArgs, cfg: EksCompute,
                     cluster: pulumi.Output[str]) -> list[aws_eks.NodeGroup]:
        role = iam.Role(f"{name}-node-role", assume_role_policy=EC2_ASSUME_ROLE, description="EKS managed nodes",
                        tags=args.tags(f"{name}-node-role"), opts=pulumi.ResourceOptions(parent=self))
        # A child of the role is not a dependency of what uses the role: the node groups name each attachment, so
        # nodes join only once they may pull images and run the CNI, and are drained before the policies go.
        attachments = [iam.RolePolicyAttachment(f"{name}-node-{key}", role=role.name, policy_arn=arn,
                                                opts=pulumi.ResourceOptions(parent=role))
                       for key, arn in NODE_POLICIES.items()]
        node_tags = args.tags(f"{name}-nodes", **{ROLE_TAG: EKS_NODE_ROLE})
        template = hardened_launch_template(f"{name}-nodes", HardenedTemplateArgs(
            description="EKS nodes: IMDSv2, encrypted gp3 root, cluster and app security groups",
            root_volume_gb=cfg.root_volume_gb,
            security_group_ids=[self.cluster.cluster_security_group_id, args.security_group_id], tags=node_tags,
            instance_tags=args.tags(f"{name}-node", **{ROLE_TAG: EKS_NODE_ROLE}),
            volume_tags=args.tags(f"{name}-node-root")), parent=self)
        launch = aws_eks.NodeGroupLaunchTemplateArgs(id=template.id, version=template.latest_version.apply(str))
        node_opts = pulumi.ResourceOptions(parent=self, depends_on=[role, *attachments])
        groups = [aws_eks.NodeGroup(
            f"{name}-nodes", cluster_name=cluster, node_role_arn=role.arn,
            subnet_ids=list(args.network.private_subnet_ids), ami_type=ami_type(cfg), capacity_type="ON_DEMAND",
            instance_types=[cfg.node_type], launch_template=launch,
            scaling_config=aws_eks.NodeGroupScalingConfigArgs(
                min_size=cfg.min_nodes, desired_size=cfg.desired_nodes, max_size=cfg.max_nodes),
            update_config=aws_eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            labels={"phasegate/capacity": "on-demand"},
            tags=args.tags(f"{name}-nodes", **{ROLE_TAG: EKS_NODE_ROLE}), opts=node_opts)]
        if cfg.spot_nodes:
            groups.append(aws_eks.NodeGroup(
                f"{name}-spot", cluster_name=cluster, node_role_arn=role.arn,
                subnet_ids=list(args.network.private_subnet_ids), ami_type=ami_type(cfg), capacity_type="SPOT",
                instance_types=[cfg.node_type], launch_template=launch,
                scaling_config=aws_eks.NodeGroupScalingConfigArgs(
                    min_size=0, desired_size=cfg.spot_nodes, max_size=cfg.spot_nodes * 2),
                update_config=aws_eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
                labels={"phasegate/capacity": "spot"},
                taints=[aws_eks.NodeGroupTaintArgs(key="phasegate/spot", value="true", effect="NO_SCHEDULE")],
                tags=args.tags(f"{name}-spot", **{ROLE_TAG: EKS_NODE_ROLE}), opts=node_opts))
        return groups

    def _pod_role(self, name: str, policy: pulumi.Input[str], args: RuntimeArgs, cluster: pulumi.Output[str],
                  namespace: str, service_account: str) -> list[pulumi.Resource]:
        """The role a service account's pods get through EKS Pod Identity: what depends on those pods waits for the
        association and for the role's policy (a child of the role, which nothing would otherwise wait for)."""
        role = iam.Role(f"{name}-role", assume_role_policy=POD_IDENTITY_TRUST,
                        description=f"EKS Pod Identity: {namespace}/{service_account}",
                        tags=args.tags(f"{name}-role"), opts=pulumi.ResourceOptions(parent=self))
        access = iam.RolePolicy(f"{name}-access", role=role.id, policy=policy, opts=pulumi.ResourceOptions(parent=role))
        return [aws_eks.PodIdentityAssociation(
            f"{name}-identity", cluster_name=cluster, namespace=namespace, service_account=service_account,
            role_arn=role.arn, tags=args.tags(f"{name}-identity"), opts=pulumi.ResourceOptions(parent=role)), access]

    def _external_secrets(self, name: str, args: RuntimeArgs, cluster: pulumi.Output[str],
                          opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
        agent = aws_eks.Addon(f"{name}-pod-identity-agent", cluster_name=cluster, addon_name="eks-pod-identity-agent",
                              tags=args.tags(f"{name}-pod-identity-agent"),
                              opts=pulumi.ResourceOptions(parent=self, depends_on=self.node_groups))
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        names = sorted({secret for svc in args.app.services for secret in svc.secrets.values()})
        secret_arns = [args.database.secret_arn] + ([args.cache.secret_arn] if args.cache else [])
        policy = pulumi.Output.all(account=account, arns=secret_arns).apply(
            lambda v: secret_reader_policy(args.region, v["account"], v["arns"], names))
        identity = self._pod_role(f"{name}-external-secrets", policy, args, cluster, EXTERNAL_SECRETS_NAMESPACE,
                                  EXTERNAL_SECRETS_ACCOUNT)
        chart, version, repo = EXTERNAL_SECRETS_CHART
        return k8s.helm.v3.Release(
            f"{name}-external-secrets", chart=chart, version=version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repo), namespace=EXTERNAL_SECRETS_NAMESPACE,
            create_namespace=True, atomic=True,
            values={"installCRDs": True, "serviceAccount": {"create": True, "name": EXTERNAL_SECRETS_ACCOUNT}},
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[agent, *identity])))

    def _reloader(self, name: str, opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
        chart, version, repo = RELOADER_CHART
        return k8s.helm.v3.Release(
            f"{name}-reloader", chart=chart, version=version, repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repo),
            namespace="reloader", create_namespace=True, atomic=True,
            # Only workloads that name a Secret in their annotation are rolled; nothing else is touched.
            values={"reloader": {"autoReloadAll": False, "reloadOnCreate": False}}, opts=opts)

    def _metrics_server(self, name: str, opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
        chart, version, repo = METRICS_SERVER_CHART
        return k8s.helm.v3.Release(
            f"{name}-metrics-server", chart=chart, version=version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repo), namespace="kube-system", atomic=True,
            # Two replicas on different nodes, and at most one down at a time, keep the HPAs' metrics available.
            values={"replicas": METRICS_SERVER_REPLICAS,
                    "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
                    "topologySpreadConstraints": [{
                        "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "metrics-server"}}}]},
            opts=opts)

    def _traefik(self, name: str, vpc_cidr: str, opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
        """Traefik 41.3.0's values (traefik/traefik-helm-chart, traefik/values.yaml at v41.3.0)."""
        chart, version, repo = TRAEFIK_CHART
        return k8s.helm.v3.Release(
            f"{name}-traefik", chart=chart, version=version, repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repo),
            namespace="traefik", create_namespace=True, atomic=True,
            values={
                "deployment": {"replicas": 2},
                "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
                "ingressClass": {"enabled": True, "isDefaultClass": True, "name": "traefik"},
                "resources": {"requests": dict(TRAEFIK_REQUESTS)},
                # Plain HTTP on a fixed NodePort: TLS ends at the load balancer, which alone reaches the nodes. Since
                # chart v40.0.0 the type is `service.spec.type` ("fix(service)!: align syntax with upstream");
                # `service.type` is ignored there, leaving the default LoadBalancer: a Classic Load Balancer that
                # EKS's cloud provider would create and bill behind Pulumi's back.
                "service": {"spec": {"type": "NodePort"}},
                "ports": {
                    # The ALB sets X-Forwarded-For/-Proto; Traefik keeps them only from trusted addresses, and a
                    # NodePort hop source-NATs to a node, so requests arrive from inside the VPC: trust the VPC's
                    # range, nothing wider, so a client cannot forge its address or scheme
                    # (forwardedHeaders.trustedIPs:
                    # https://doc.traefik.io/traefik/reference/install-configuration/entrypoints/).
                    "web": {"nodePort": TRAEFIK_NODE_PORT, "forwardedHeaders": {"trustedIPs": [vpc_cidr]}},
                    "websecure": {"expose": {"default": False}}},
                "topologySpreadConstraints": [{
                    "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "traefik"}}}],
            }, opts=opts)

    def _apply_app(self, name: str, args: RuntimeArgs, facts: pulumi.Output[EksAppFacts],
                   opts: pulumi.ResourceOptions) -> None:
        """Register each rendered object as its own resource, so a diff shows exactly which object changes.

        A field that does not depend on any output (a Service's spec, every object's metadata) is sent as a plain
        value, so a first preview, where outputs are unknown, still shows it to the pack (a Service's type is
        what its price depends on). Which fields depend on outputs is found by rendering with two different sets
        of stand-in facts: what comes out the same depends on none.
        """
        first, second = (render_eks_objects(args.app, EksAppFacts(region=args.region, **stand_in_endpoints(args, n)))
                         for n in (1, 2))
        deployed = facts.apply(lambda f: render_eks_objects(args.app, f))  # rendered once, shared by every object
        created: dict[str, pulumi.Resource] = {}
        for index, shape in enumerate(first):
            kind, meta = shape["kind"], shape["metadata"]
            key = f"{name}-{kind.lower()}-{meta['name']}"

            def field(part: str, i: int = index):
                return known_where_possible(first, second, deployed, lambda objects: objects[i][part])

            after = [created[k] for k in created if k.endswith("-namespace-" + NAMESPACE)]
            local = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=after))
            if kind in KINDS:
                spec = {"spec": field("spec")} if "spec" in shape else {}
                created[key] = KINDS[kind](key, metadata=field("metadata"), **spec, opts=local)
            else:  # the External Secrets Operator's custom resources
                created[key] = k8s.apiextensions.CustomResource(
                    key, api_version=shape["apiVersion"], kind=kind, metadata=field("metadata"),
                    spec=field("spec"), opts=local)

    def alarms(self, cfg: AlertsConfig) -> list[AlarmSpec]:
        """Average CPU per node group (EC2 publishes it per autoscaling group) and failed status checks.

        Node memory needs Container Insights or the CloudWatch agent, which this phase does not install."""
        specs = []
        for group, asg in zip(self.node_groups, self._autoscaling_groups):
            key = group._name.rsplit("-", 1)[-1]  # nodes, spot
            dims = {"AutoScalingGroupName": asg}
            specs += [
                AlarmSpec(f"{key}-cpu", f"EKS {key} average CPU above {cfg.host_cpu_percent}% for 15 minutes",
                          "GreaterThanThreshold", cfg.host_cpu_percent, Metric("AWS/EC2", "CPUUtilization", dims),
                          evaluation_periods=3),
                status_check_alarm(key, f"An EKS {key} node failed its EC2 status checks", dims),
            ]
        return specs


RUNTIMES.register(Runtime(
    name="eks", component="eks", ingress_port=TRAEFIK_NODE_PORT, build=EksCluster, checks=(eks_pods_fit,),
    security_group=AppSecurityGroupShape(
        "nodes", "EKS nodes: the load balancer on the Traefik NodePort (node-to-node is the cluster group)",
        allow_members=False),
))
