"""Resource types AWS does not charge for by themselves (their cost, if any, is priced elsewhere).

Anything neither here nor in the estimator's PRICERS is reported as unpriced, never as $0.
"""

FREE_TYPES = frozenset({
    # Networking plumbing: no hourly charge.
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/route:Route",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "aws:ec2/eipAssociation:EipAssociation",
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/keyPair:KeyPair",
    # Launch templates and configurations cost nothing themselves: the autoscaling groups and node groups that start
    # instances from them are priced with them.
    "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/launchConfiguration:LaunchConfiguration",
    # Identity and configuration.
    "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policy:Policy", "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:ssm/parameter:Parameter",  # standard tier
    "aws:secretsmanager/secretVersion:SecretVersion", "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:kms/alias:Alias",
    # S3 bucket sub-resources (storage and requests are priced from usage on the bucket).
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketPolicy:BucketPolicy",
    # Database and cache configuration objects.
    "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup",
    # Notifications: SNS topics are free; e-mail deliveries are free for the first 1,000 a month.
    "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription", "aws:sns/topicPolicy:TopicPolicy",
    # Load balancer parts (the hour and LCUs are priced on the load balancer).
    "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:autoscaling/attachment:Attachment",
    # Public certificates and DNS records (queries to alias records of AWS resources are free).
    "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/record:Record",
    # CDN configuration (transfer and requests are priced from usage on the distribution).
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    # EKS plumbing (the cluster hour and the nodes are priced).
    "aws:eks/addon:Addon", "aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    # A web ACL's association with a load balancer (the ACL, its rules and requests are priced on the ACL).
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    # AWS Backup: a vault and a selection cost nothing; the snapshots and copies are priced on the plan.
    "aws:backup/vault:Vault", "aws:backup/selection:Selection",
    # The Fargate runtime: capacity providers and scalable targets cost nothing (the tasks, and a target-tracking
    # policy's alarms, are priced); ECR policies are configuration (storage is priced from usage).
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "aws:appautoscaling/target:Target",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
    # The Lambda runtime: permissions and function URLs add no charge (invocations are priced on the function); an
    # HTTP API's stages, integrations, routes, custom domains and mappings are free (requests are priced on the API).
    "aws:lambda/permission:Permission", "aws:lambda/functionUrl:FunctionUrl",
    "aws:apigatewayv2/stage:Stage", "aws:apigatewayv2/integration:Integration", "aws:apigatewayv2/route:Route",
    "aws:apigatewayv2/domainName:DomainName", "aws:apigatewayv2/apiMapping:ApiMapping",
    # An EventBridge target is configuration (the rule's events and the target's work are priced).
    "aws:cloudwatch/eventTarget:EventTarget",
    # RDS Proxy parts (the proxy is priced by the vCPUs its targets have).
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "aws:rds/proxyTarget:ProxyTarget",
})
