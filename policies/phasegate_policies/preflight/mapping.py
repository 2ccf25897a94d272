"""Which CloudFormation type each Pulumi AWS type is, and which Pulumi input is which CloudFormation property.

CloudFormation's resource schemas (and cfn-lint's extensions of them) are the model pre-flight checks against, and
they name properties CloudFormation's way (`identifier` is `DBInstanceIdentifier`), so every mapped input is listed
here by hand: a Pulumi input whose meaning differs from the CloudFormation property of the same name is left out
rather than judged by the wrong rule. A dotted path reaches into an object on either side. A type mapped with no
inputs is covered only through its policy documents (IAM) or not at all; a type not here is listed as not covered.
`tools/refresh_preflight.py` extracts the constraints of exactly these properties into `aws.json`.
"""

from __future__ import annotations

PropertyMap = dict[str, str]

_DESCRIBED = {"name": "Name", "description": "Description"}

# Pulumi type -> (CloudFormation type, {Pulumi input path: CloudFormation property path}).
AWS_TYPES: dict[str, tuple[str, PropertyMap]] = {
    "aws:lb/targetGroup:TargetGroup": ("AWS::ElasticLoadBalancingV2::TargetGroup", {
        "name": "Name", "port": "Port", "protocol": "Protocol", "protocolVersion": "ProtocolVersion",
        "targetType": "TargetType", "ipAddressType": "IpAddressType",
        "healthCheck.interval": "HealthCheckIntervalSeconds", "healthCheck.timeout": "HealthCheckTimeoutSeconds",
        "healthCheck.healthyThreshold": "HealthyThresholdCount",
        "healthCheck.unhealthyThreshold": "UnhealthyThresholdCount", "healthCheck.path": "HealthCheckPath"}),
    "aws:lb/loadBalancer:LoadBalancer": ("AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "name": "Name", "loadBalancerType": "Type", "scheme": "Scheme", "ipAddressType": "IpAddressType"}),
    "aws:lb/listener:Listener": ("AWS::ElasticLoadBalancingV2::Listener", {
        "port": "Port", "protocol": "Protocol", "sslPolicy": "SslPolicy"}),
    "aws:lb/listenerRule:ListenerRule": ("AWS::ElasticLoadBalancingV2::ListenerRule", {"priority": "Priority"}),
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": ("AWS::ElasticLoadBalancingV2::TargetGroup", {}),
    "aws:rds/instance:Instance": ("AWS::RDS::DBInstance", {
        "identifier": "DBInstanceIdentifier", "instanceClass": "DBInstanceClass", "engine": "Engine",
        "engineVersion": "EngineVersion", "backupRetentionPeriod": "BackupRetentionPeriod",
        "storageType": "StorageType", "dbName": "DBName", "maxAllocatedStorage": "MaxAllocatedStorage",
        "monitoringInterval": "MonitoringInterval", "performanceInsightsRetentionPeriod":
        "PerformanceInsightsRetentionPeriod", "networkType": "NetworkType"}),
    "aws:rds/subnetGroup:SubnetGroup": ("AWS::RDS::DBSubnetGroup", {
        "name": "DBSubnetGroupName", "description": "DBSubnetGroupDescription"}),
    "aws:rds/parameterGroup:ParameterGroup": ("AWS::RDS::DBParameterGroup", {
        "name": "DBParameterGroupName", "family": "Family", "description": "Description"}),
    "aws:cloudwatch/logGroup:LogGroup": ("AWS::Logs::LogGroup", {
        "name": "LogGroupName", "retentionInDays": "RetentionInDays", "logGroupClass": "LogGroupClass"}),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("AWS::CloudWatch::Alarm", {
        "name": "AlarmName", "alarmDescription": "AlarmDescription", "comparisonOperator": "ComparisonOperator",
        "evaluationPeriods": "EvaluationPeriods", "datapointsToAlarm": "DatapointsToAlarm", "period": "Period",
        "statistic": "Statistic", "namespace": "Namespace", "metricName": "MetricName", "unit": "Unit",
        "treatMissingData": "TreatMissingData"}),
    "aws:cloudwatch/eventRule:EventRule": ("AWS::Events::Rule", {
        "name": "Name", "description": "Description", "scheduleExpression": "ScheduleExpression", "state": "State"}),
    "aws:lambda/function:Function": ("AWS::Lambda::Function", {
        "name": "FunctionName", "description": "Description", "memorySize": "MemorySize", "timeout": "Timeout",
        "runtime": "Runtime", "handler": "Handler", "packageType": "PackageType",
        "ephemeralStorage.size": "EphemeralStorage.Size", "reservedConcurrentExecutions":
        "ReservedConcurrentExecutions"}),
    "aws:lambda/permission:Permission": ("AWS::Lambda::Permission", {
        "action": "Action", "principal": "Principal", "functionUrlAuthType": "FunctionUrlAuthType"}),
    "aws:sns/topic:Topic": ("AWS::SNS::Topic", {"name": "TopicName", "displayName": "DisplayName"}),
    "aws:sns/topicSubscription:TopicSubscription": ("AWS::SNS::Subscription", {"protocol": "Protocol"}),
    "aws:s3/bucket:Bucket": ("AWS::S3::Bucket", {"bucket": "BucketName"}),
    "aws:s3/bucketPolicy:BucketPolicy": ("AWS::S3::BucketPolicy", {}),
    "aws:ec2/vpc:Vpc": ("AWS::EC2::VPC", {"cidrBlock": "CidrBlock", "instanceTenancy": "InstanceTenancy"}),
    "aws:ec2/subnet:Subnet": ("AWS::EC2::Subnet", {"cidrBlock": "CidrBlock"}),
    "aws:ec2/securityGroup:SecurityGroup": ("AWS::EC2::SecurityGroup", {
        "name": "GroupName", "description": "GroupDescription"}),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("AWS::EC2::SecurityGroupIngress", {
        "ipProtocol": "IpProtocol", "fromPort": "FromPort", "toPort": "ToPort", "cidrIpv4": "CidrIp",
        "description": "Description"}),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("AWS::EC2::SecurityGroupEgress", {
        "ipProtocol": "IpProtocol", "fromPort": "FromPort", "toPort": "ToPort", "cidrIpv4": "CidrIp",
        "description": "Description"}),
    "aws:ec2/instance:Instance": ("AWS::EC2::Instance", {"instanceType": "InstanceType", "tenancy": "Tenancy"}),
    "aws:ec2/launchTemplate:LaunchTemplate": ("AWS::EC2::LaunchTemplate", {"name": "LaunchTemplateName"}),
    "aws:ec2/eip:Eip": ("AWS::EC2::EIP", {"domain": "Domain"}),
    "aws:ec2/natGateway:NatGateway": ("AWS::EC2::NatGateway", {"connectivityType": "ConnectivityType"}),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("AWS::EC2::VPCEndpoint", {
        "vpcEndpointType": "VpcEndpointType", "ipAddressType": "IpAddressType"}),
    "aws:ec2/route:Route": ("AWS::EC2::Route", {"destinationCidrBlock": "DestinationCidrBlock"}),
    "aws:ec2/routeTable:RouteTable": ("AWS::EC2::RouteTable", {}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("AWS::EC2::SubnetRouteTableAssociation", {}),
    "aws:ec2/internetGateway:InternetGateway": ("AWS::EC2::InternetGateway", {}),
    "aws:iam/role:Role": ("AWS::IAM::Role", {
        "name": "RoleName", "path": "Path", "description": "Description", "maxSessionDuration":
        "MaxSessionDuration"}),
    "aws:iam/rolePolicy:RolePolicy": ("AWS::IAM::RolePolicy", {"name": "PolicyName"}),
    "aws:iam/policy:Policy": ("AWS::IAM::ManagedPolicy", {
        "name": "ManagedPolicyName", "path": "Path", "description": "Description"}),
    "aws:iam/instanceProfile:InstanceProfile": ("AWS::IAM::InstanceProfile", {
        "name": "InstanceProfileName", "path": "Path"}),
    "aws:kms/key:Key": ("AWS::KMS::Key", {
        "description": "Description", "keyUsage": "KeyUsage", "customerMasterKeySpec": "KeySpec",
        "deletionWindowInDays": "PendingWindowInDays"}),
    "aws:kms/alias:Alias": ("AWS::KMS::Alias", {"name": "AliasName"}),
    "aws:secretsmanager/secret:Secret": ("AWS::SecretsManager::Secret", _DESCRIBED),
    # Not `type`: CloudFormation cannot create a SecureString, so its enum lacks one the SSM API (and Pulumi) accepts.
    "aws:ssm/parameter:Parameter": ("AWS::SSM::Parameter", {
        "name": "Name", "tier": "Tier", "description": "Description"}),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("AWS::ElastiCache::ReplicationGroup", {
        "replicationGroupId": "ReplicationGroupId", "description": "ReplicationGroupDescription",
        "nodeType": "CacheNodeType", "engine": "Engine", "numCacheClusters": "NumCacheClusters",
        "snapshotRetentionLimit": "SnapshotRetentionLimit", "networkType": "NetworkType",
        "ipDiscovery": "IpDiscovery"}),
    "aws:elasticache/subnetGroup:SubnetGroup": ("AWS::ElastiCache::SubnetGroup", {
        "name": "CacheSubnetGroupName", "description": "Description"}),
    "aws:elasticache/serverlessCache:ServerlessCache": ("AWS::ElastiCache::ServerlessCache", {
        "name": "ServerlessCacheName", "engine": "Engine", "majorEngineVersion": "MajorEngineVersion",
        "snapshotRetentionLimit": "SnapshotRetentionLimit", "description": "Description"}),
    "aws:elasticache/user:User": ("AWS::ElastiCache::User", {
        "userId": "UserId", "userName": "UserName", "engine": "Engine"}),
    "aws:elasticache/userGroup:UserGroup": ("AWS::ElastiCache::UserGroup", {
        "userGroupId": "UserGroupId", "engine": "Engine"}),
    "aws:ecs/cluster:Cluster": ("AWS::ECS::Cluster", {"name": "ClusterName"}),
    "aws:ecs/service:Service": ("AWS::ECS::Service", {
        "name": "ServiceName", "launchType": "LaunchType", "propagateTags": "PropagateTags",
        "schedulingStrategy": "SchedulingStrategy"}),
    "aws:ecs/taskDefinition:TaskDefinition": ("AWS::ECS::TaskDefinition", {
        "family": "Family", "networkMode": "NetworkMode", "ipcMode": "IpcMode", "pidMode": "PidMode"}),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (
        "AWS::ECS::ClusterCapacityProviderAssociations", {}),
    "aws:sfn/stateMachine:StateMachine": ("AWS::StepFunctions::StateMachine", {
        "name": "StateMachineName", "type": "StateMachineType"}),
    "aws:backup/vault:Vault": ("AWS::Backup::BackupVault", {"name": "BackupVaultName"}),
    "aws:backup/plan:Plan": ("AWS::Backup::BackupPlan", {"name": "BackupPlan.BackupPlanName"}),
    "aws:backup/selection:Selection": ("AWS::Backup::BackupSelection", {"name": "BackupSelection.SelectionName"}),
    "aws:budgets/budget:Budget": ("AWS::Budgets::Budget", {
        "name": "Budget.BudgetName", "budgetType": "Budget.BudgetType", "timeUnit": "Budget.TimeUnit"}),
    "aws:acm/certificate:Certificate": ("AWS::CertificateManager::Certificate", {
        "domainName": "DomainName", "validationMethod": "ValidationMethod", "keyAlgorithm": "KeyAlgorithm"}),
    "aws:route53/record:Record": ("AWS::Route53::RecordSet", {"name": "Name", "type": "Type"}),
    "aws:cloudfront/distribution:Distribution": ("AWS::CloudFront::Distribution", {
        "priceClass": "DistributionConfig.PriceClass", "httpVersion": "DistributionConfig.HttpVersion",
        "comment": "DistributionConfig.Comment"}),
    "aws:cloudfront/originAccessControl:OriginAccessControl": ("AWS::CloudFront::OriginAccessControl", {
        "name": "OriginAccessControlConfig.Name",
        "originAccessControlOriginType": "OriginAccessControlConfig.OriginAccessControlOriginType",
        "signingBehavior": "OriginAccessControlConfig.SigningBehavior",
        "signingProtocol": "OriginAccessControlConfig.SigningProtocol"}),
    "aws:wafv2/webAcl:WebAcl": ("AWS::WAFv2::WebACL", {"name": "Name", "scope": "Scope", "description":
                                                       "Description"}),
    "aws:wafv2/webAclAssociation:WebAclAssociation": ("AWS::WAFv2::WebACLAssociation", {}),
    "aws:eks/nodeGroup:NodeGroup": ("AWS::EKS::Nodegroup", {
        "nodeGroupName": "NodegroupName", "amiType": "AmiType", "capacityType": "CapacityType"}),
    "aws:eks/addon:Addon": ("AWS::EKS::Addon", {"addonName": "AddonName"}),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("AWS::EKS::PodIdentityAssociation", {}),
    "aws:apigatewayv2/api:Api": ("AWS::ApiGatewayV2::Api", {"name": "Name", "protocolType": "ProtocolType"}),
    "aws:apigatewayv2/stage:Stage": ("AWS::ApiGatewayV2::Stage", {"name": "StageName"}),
    "aws:apigatewayv2/route:Route": ("AWS::ApiGatewayV2::Route", {
        "routeKey": "RouteKey", "authorizationType": "AuthorizationType"}),
    "aws:apigatewayv2/integration:Integration": ("AWS::ApiGatewayV2::Integration", {
        "integrationType": "IntegrationType", "payloadFormatVersion": "PayloadFormatVersion",
        "timeoutMilliseconds": "TimeoutInMillis", "connectionType": "ConnectionType"}),
    "aws:apigatewayv2/domainName:DomainName": ("AWS::ApiGatewayV2::DomainName", {"domainName": "DomainName"}),
    "aws:apigatewayv2/apiMapping:ApiMapping": ("AWS::ApiGatewayV2::ApiMapping", {"apiMappingKey": "ApiMappingKey"}),
    "aws:appautoscaling/target:Target": ("AWS::ApplicationAutoScaling::ScalableTarget", {
        "minCapacity": "MinCapacity", "maxCapacity": "MaxCapacity", "scalableDimension": "ScalableDimension",
        "serviceNamespace": "ServiceNamespace"}),
    "aws:appautoscaling/policy:Policy": ("AWS::ApplicationAutoScaling::ScalingPolicy", {
        "name": "PolicyName", "policyType": "PolicyType"}),
    "aws:ecr/repository:Repository": ("AWS::ECR::Repository", {"name": "RepositoryName"}),
}

# Inputs that hold an IAM policy document (a JSON string), per Pulumi type: each goes through the IAM definitions.
POLICY_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "aws:iam/role:Role": ("assumeRolePolicy", "inlinePolicies[].policy"),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/userPolicy:UserPolicy": ("policy",),
    "aws:iam/groupPolicy:GroupPolicy": ("policy",),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy",),
    "aws:kms/key:Key": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy",),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ("policy",),
    "aws:secretsmanager/secretPolicy:SecretPolicy": ("policy",),
}

# Types the engine registers that have no AWS resource of their own (a provider, a generated value).
NOT_AWS_RESOURCES = ("pulumi:providers:", "random:", "pulumi:pulumi:Stack")
