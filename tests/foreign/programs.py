"""Programs of other teams, in the shapes public Pulumi AWS examples take (pulumi/examples aws-py-*), none of them a
phasegate stack: no `phasegate:*` config, no phasegate tags, only the organisation's `team` tag. Each is a function
for `offline.program.run_program(program=...)`; the AMI and account values are literals, as examples write them."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

TAGS = {"team": "shop"}
AMI = "ami-0c101f26f147fa7fd"  # Amazon Linux 2023, us-east-1 (a literal, as the examples use)
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"


def _role(name: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(name, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}), tags=TAGS)


def _vpc(name: str, cidr: str, public: bool = False) -> tuple[aws.ec2.Vpc, list[aws.ec2.Subnet]]:
    vpc = aws.ec2.Vpc(name, cidr_block=cidr, enable_dns_hostnames=True, tags=TAGS)
    prefix = cidr.rsplit(".", 2)[0]
    subnets = [aws.ec2.Subnet(f"{name}-{index}", vpc_id=vpc.id, cidr_block=f"{prefix}.{index * 16}.0/20",
                              availability_zone=zone, map_public_ip_on_launch=public, tags=TAGS)
               for index, zone in enumerate(("us-east-1a", "us-east-1b"))]
    return vpc, subnets


def webserver() -> None:
    """aws-py-webserver: one instance in the default VPC (no subnet), serving HTTP to the world."""
    group = aws.ec2.SecurityGroup("web-sg", description="HTTP in", tags=TAGS, ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"])],
        egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])])
    server = aws.ec2.Instance("web-server", ami=AMI, instance_type="t3.micro", vpc_security_group_ids=[group.id],
                              metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required"),
                              root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, volume_size=8,
                                                                                    volume_type="gp3"),
                              user_data="#!/bin/bash\ndnf install -y nginx && systemctl enable --now nginx\n",
                              tags=TAGS)
    pulumi.export("url", server.public_dns)


def fargate() -> None:
    """aws-py-fargate: an ECS service on Fargate in private subnets behind a public Application Load Balancer."""
    vpc, public = _vpc("app", "10.1.0.0/16", public=True)
    private = [aws.ec2.Subnet(f"app-private-{i}", vpc_id=vpc.id, cidr_block=f"10.1.{128 + i * 16}.0/20",
                              availability_zone=zone, tags=TAGS) for i, zone in enumerate(("us-east-1a", "us-east-1b"))]
    lb_group = aws.ec2.SecurityGroup("app-lb-sg", vpc_id=vpc.id, description="HTTPS in", tags=TAGS, ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"])])
    task_group = aws.ec2.SecurityGroup("app-task-sg", vpc_id=vpc.id, description="from the LB", tags=TAGS, ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, security_groups=[lb_group.id])])
    cluster = aws.ecs.Cluster("app-cluster", tags=TAGS, settings=[
        aws.ecs.ClusterSettingArgs(name="containerInsights", value="disabled")])
    balancer = aws.lb.LoadBalancer("app-lb", load_balancer_type="application", subnets=[s.id for s in public],
                                   security_groups=[lb_group.id], tags=TAGS)
    targets = aws.lb.TargetGroup("app-tg", port=80, protocol="HTTP", target_type="ip", vpc_id=vpc.id, tags=TAGS)
    aws.lb.Listener("app-https", load_balancer_arn=balancer.arn, port=443, protocol="HTTPS", tags=TAGS,
                    certificate_arn=CERTIFICATE,
                    default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=targets.arn)])
    logs = aws.cloudwatch.LogGroup("app-logs", retention_in_days=30, tags=TAGS)
    role = _role("app-exec", "ecs-tasks.amazonaws.com")
    definition = aws.ecs.TaskDefinition(
        "app-task", family="app", cpu="256", memory="512", network_mode="awsvpc", requires_compatibilities=["FARGATE"],
        execution_role_arn=role.arn, tags=TAGS,
        container_definitions=logs.name.apply(lambda group: json.dumps([{
            "name": "app", "image": "nginx:1.27", "essential": True, "portMappings": [{"containerPort": 80}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}])))
    aws.ecs.Service("app-svc", cluster=cluster.arn, task_definition=definition.arn, desired_count=2,
                    launch_type="FARGATE", tags=TAGS,
                    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                        subnets=[s.id for s in private], security_groups=[task_group.id], assign_public_ip=False),
                    load_balancers=[aws.ecs.ServiceLoadBalancerArgs(target_group_arn=targets.arn, container_name="app",
                                                                    container_port=80)])


def eks_cluster() -> None:
    """aws-py-eks: an EKS cluster and a managed node group from aws.eks resources, nodes in private subnets."""
    vpc, subnets = _vpc("k8s", "10.2.0.0/16")
    key = aws.kms.Key("k8s-secrets", enable_key_rotation=True, tags=TAGS)
    cluster_role = _role("k8s-cluster", "eks.amazonaws.com")
    node_role = _role("k8s-nodes", "ec2.amazonaws.com")
    cluster = aws.eks.Cluster("k8s", role_arn=cluster_role.arn, version="1.35", tags=TAGS,
                              upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
                              vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=[s.id for s in subnets],
                                                                      endpoint_public_access=False,
                                                                      endpoint_private_access=True),
                              encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                                  resources=["secrets"], provider=aws.eks.ClusterEncryptionConfigProviderArgs(
                                      key_arn=key.arn)))
    aws.eks.NodeGroup("k8s-nodes", cluster_name=cluster.name, node_role_arn=node_role.arn,
                      subnet_ids=[s.id for s in subnets], instance_types=["t3.medium"], tags=TAGS,
                      scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=2, min_size=1, max_size=3))


def static_site() -> None:
    """aws-py-s3-folder: a website bucket with its objects."""
    bucket = aws.s3.Bucket("site", tags=TAGS)
    aws.s3.BucketServerSideEncryptionConfiguration("site-sse", bucket=bucket.id, rules=[
        aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.
            BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(sse_algorithm="AES256"))])
    aws.s3.BucketWebsiteConfiguration("site-website", bucket=bucket.id,
                                      index_document=aws.s3.BucketWebsiteConfigurationIndexDocumentArgs(
                                          suffix="index.html"))
    aws.s3.BucketOwnershipControls("site-ownership", bucket=bucket.id,
                                   rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"))
    for name, body in (("index.html", "<h1>shop</h1>"), ("404.html", "<h1>not found</h1>")):
        aws.s3.BucketObjectv2(f"site-{name}", bucket=bucket.id, key=name, content=body, content_type="text/html",
                              tags=TAGS)


def rest_api() -> None:
    """aws-py-apigateway-lambda-serverless: a Lambda function behind an API Gateway REST API."""
    role = _role("api-fn-role", "lambda.amazonaws.com")
    function = aws.lambda_.Function("api-fn", role=role.arn, runtime="python3.12", handler="app.handler",
                                    s3_bucket="shop-artifacts", s3_key="api-fn.zip", memory_size=256, tags=TAGS)
    api = aws.apigateway.RestApi("api", tags=TAGS)
    proxy = aws.apigateway.Resource("api-proxy", rest_api=api.id, parent_id=api.root_resource_id, path_part="{proxy+}")
    method = aws.apigateway.Method("api-any", rest_api=api.id, resource_id=proxy.id, http_method="ANY",
                                   authorization="NONE")
    integration = aws.apigateway.Integration("api-lambda", rest_api=api.id, resource_id=proxy.id,
                                             http_method=method.http_method, integration_http_method="POST",
                                             type="AWS_PROXY", uri=function.invoke_arn)
    deployment = aws.apigateway.Deployment("api-deployment", rest_api=api.id,
                                           opts=pulumi.ResourceOptions(depends_on=[integration]))
    logs = aws.cloudwatch.LogGroup("api-access-logs", retention_in_days=30, tags=TAGS)
    aws.apigateway.Stage("api-prod", rest_api=api.id, deployment=deployment.id, stage_name="prod", tags=TAGS,
                         access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                             destination_arn=logs.arn, format='{"requestId":"$context.requestId"}'))
    aws.lambda_.Permission("api-invoke", action="lambda:InvokeFunction", function=function.name,
                           principal="apigateway.amazonaws.com")


def mysql() -> None:
    """aws-py-wordpress-fargate-rds's database: MySQL in private subnets, encrypted, password managed by RDS."""
    vpc, subnets = _vpc("db", "10.3.0.0/16")
    group = aws.ec2.SecurityGroup("db-sg", vpc_id=vpc.id, description="MySQL from the VPC", tags=TAGS, ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=3306, to_port=3306, cidr_blocks=["10.3.0.0/16"])])
    subnet_group = aws.rds.SubnetGroup("db-subnets", subnet_ids=[s.id for s in subnets], tags=TAGS)
    aws.rds.Instance("db", engine="mysql", engine_version="8.0.40", instance_class="db.t3.micro", allocated_storage=20,
                     storage_type="gp3", storage_encrypted=True, db_subnet_group_name=subnet_group.name,
                     vpc_security_group_ids=[group.id], username="admin", manage_master_user_password=True,
                     backup_retention_period=7, skip_final_snapshot=True, tags=TAGS)


def hub_and_spoke() -> None:
    """aws-py-hub-and-spoke-network: a Transit Gateway joining two spoke VPCs, inspected by a Network Firewall."""
    gateway = aws.ec2transitgateway.TransitGateway("hub-tgw", default_route_table_association="disable",
                                                   default_route_table_propagation="disable", tags=TAGS)
    routes = aws.ec2transitgateway.RouteTable("hub-routes", transit_gateway_id=gateway.id, tags=TAGS)
    inspection, inspection_subnets = _vpc("inspection", "10.10.0.0/16")
    rules = aws.networkfirewall.RuleGroup("hub-rules", capacity=100, type="STATEFUL", tags=TAGS,
                                          rule_group=aws.networkfirewall.RuleGroupRuleGroupArgs(
                                              rules_source=aws.networkfirewall.RuleGroupRuleGroupRulesSourceArgs(
                                                  rules_string='drop tcp any any -> any 23 (msg:"telnet"; sid:1;)')))
    policy = aws.networkfirewall.FirewallPolicy("hub-policy", tags=TAGS,
                                                firewall_policy=aws.networkfirewall.FirewallPolicyFirewallPolicyArgs(
                                                    stateless_default_actions=["aws:forward_to_sfe"],
                                                    stateless_fragment_default_actions=["aws:forward_to_sfe"],
                                                    stateful_rule_group_references=[
                                                        aws.networkfirewall.
                                                        FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs(
                                                            resource_arn=rules.arn)]))
    aws.networkfirewall.Firewall("hub-firewall", firewall_policy_arn=policy.arn, vpc_id=inspection.id, tags=TAGS,
                                 subnet_mappings=[aws.networkfirewall.FirewallSubnetMappingArgs(subnet_id=s.id)
                                                  for s in inspection_subnets])
    for name, cidr in (("spoke-a", "10.20.0.0/16"), ("spoke-b", "10.30.0.0/16")):
        vpc, subnets = _vpc(name, cidr)
        attachment = aws.ec2transitgateway.VpcAttachment(
            f"{name}-attachment", transit_gateway_id=gateway.id, vpc_id=vpc.id, subnet_ids=[s.id for s in subnets],
            transit_gateway_default_route_table_association=False,
            transit_gateway_default_route_table_propagation=False, tags=TAGS)
        aws.ec2transitgateway.RouteTableAssociation(f"{name}-association", transit_gateway_attachment_id=attachment.id,
                                                    transit_gateway_route_table_id=routes.id)
        aws.ec2transitgateway.RouteTablePropagation(f"{name}-propagation", transit_gateway_attachment_id=attachment.id,
                                                    transit_gateway_route_table_id=routes.id)
    aws.ec2transitgateway.Route("hub-default", destination_cidr_block="0.0.0.0/0",
                                transit_gateway_route_table_id=routes.id, blackhole=True)


class AppServer(pulumi.ComponentResource):
    """A team's own component: a security group and an instance in a private subnet, children of the component."""

    def __init__(self, name: str, subnet: aws.ec2.Subnet, vpc: aws.ec2.Vpc, opts=None):
        super().__init__("shop:index:AppServer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=vpc.id, description="from the VPC", tags=TAGS, opts=child,
                                      ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=8080,
                                                                                to_port=8080,
                                                                                cidr_blocks=["10.4.0.0/16"])])
        self.instance = aws.ec2.Instance(
            f"{name}-host", ami=AMI, instance_type="t3.small", subnet_id=subnet.id, vpc_security_group_ids=[group.id],
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required"),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, volume_size=20, volume_type="gp3"),
            tags=TAGS, opts=child)
        self.register_outputs({"privateIp": self.instance.private_ip})


def component() -> None:
    """A program with its own ComponentResource: the component costs nothing itself, its children are priced. It also
    uses other providers, as programs do: a generated password and key (free) and a shell command, which may create
    AWS resources outside the graph (registered by type token: pulumi-command and pulumi-tls are not installed here)."""
    vpc, subnets = _vpc("svc", "10.4.0.0/16")
    AppServer("svc", subnets[0], vpc)
    random.RandomPassword("svc-password", length=24)
    pulumi.CustomResource("tls:index/privateKey:PrivateKey", "svc-key", {"algorithm": "ED25519"})
    pulumi.CustomResource("command:local:Command", "svc-seed", {"create": "aws s3 cp seed.sql s3://shop-seed/"})


PROGRAMS = {"webserver": webserver, "fargate": fargate, "eks-cluster": eks_cluster, "static-site": static_site,
            "rest-api": rest_api, "mysql": mysql, "network-hub": hub_and_spoke, "component": component}
