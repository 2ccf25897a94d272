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
    # S3 objects, website configuration and ACLs: S3 bills storage, requests and transfer (aws.amazon.com/s3/pricing/:
    # "You pay for storing objects in your S3 buckets ... requests ... data transfer"), priced from usage on the bucket;
    # the configuration itself has no charge. A website endpoint's requests and transfer are the bucket's.
    "aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
    "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2",
    # The default VPC and its subnets exist in every account; adopting them creates nothing billed.
    "aws:ec2/defaultVpc:DefaultVpc", "aws:ec2/defaultSubnet:DefaultSubnet",
    # A REST API's parts: "you pay only for the API calls you receive and the amount of data transferred out"; caching
    # is the one hourly charge (aws.amazon.com/api-gateway/pricing/), priced on a stage that enables it (`apis`), so a
    # stage is not here. Requests are priced on the API.
    "aws:apigateway/deployment:Deployment", "aws:apigateway/resource:Resource", "aws:apigateway/method:Method",
    "aws:apigateway/integration:Integration", "aws:apigateway/methodResponse:MethodResponse",
    "aws:apigateway/integrationResponse:IntegrationResponse", "aws:apigateway/methodSettings:MethodSettings",
    "aws:apigateway/model:Model", "aws:apigateway/restApiPolicy:RestApiPolicy",
    # Transit Gateway: "charged for the number of connections that you make to the Transit Gateway per hour and the
    # amount of traffic that flows through" (aws.amazon.com/transit-gateway/pricing/): the gateway, its route tables,
    # routes, associations and propagations cost nothing; attachments and data processed are priced (`network`).
    "aws:ec2transitgateway/transitGateway:TransitGateway", "aws:ec2transitgateway/routeTable:RouteTable",
    "aws:ec2transitgateway/route:Route", "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
    "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation",
    "aws:ec2transitgateway/defaultRouteTablePropagation:DefaultRouteTablePropagation",
    # Network Firewall bills endpoint-hours and GB processed (aws.amazon.com/network-firewall/pricing/), priced on the
    # firewall (`network`); its policies and rule groups are configuration.
    "aws:networkfirewall/firewallPolicy:FirewallPolicy", "aws:networkfirewall/ruleGroup:RuleGroup",
})
