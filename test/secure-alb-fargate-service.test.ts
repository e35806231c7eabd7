import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { givenStack } from './fixtures';
import { CloudFrontWebAcl, EdgeMode, EdgeWebAcl, SecureAlbFargateService, SecureAlbFargateServiceProps, ServiceImage } from '../src';

function build(overrides: Partial<SecureAlbFargateServiceProps> = {}, stackProps = {}, app?: App) {
  const { stack, vpc, zone, repository } = givenStack(stackProps, app);
  const service = new SecureAlbFargateService(stack, 'Backend', {
    vpc, hostedZone: zone, environmentName: 'prod', appName: 'total-ctl', image: ServiceImage.fromEcrRepository(repository), ...overrides,
  });
  return { stack, service, template: Template.fromStack(stack) };
}

describe('SecureAlbFargateService', () => {
  describe('GIVEN edgeMode PUBLIC_ALB (seed 000\'s edge)', () => {
    const { template, service } = build({ edgeMode: EdgeMode.PUBLIC_ALB });

    test('THEN the ALB admits HTTPS only from the CloudFront prefix list and nothing from the internet', () => {
      const albIngress = template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancerSecurityGroup'), 'GroupId'] } },
      });
      expect(Object.values(albIngress).map((r: any) => r.Properties)).toEqual([expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourcePrefixListId: { 'Fn::FindInMap': ['CloudFrontOriginFacingPrefixList', { Ref: 'AWS::Region' }, 'PrefixListId'] },
      })]);
      for (const sg of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
        for (const rule of (sg as any).Properties.SecurityGroupIngress ?? []) {
          expect(rule.CidrIp).not.toBe('0.0.0.0/0');
          expect(rule.CidrIpv6).not.toBe('::/0');
        }
      }
      expect(Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { CidrIp: '0.0.0.0/0' } }))).toHaveLength(0);
    });

    test('THEN a DNS-validated certificate and alias record exist for <env>-lb.<domain>', () => {
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'prod-lb.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'prod-lb.example.com', HostedZoneId: 'Z0123456789ABC' }],
      });
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'prod-lb.example.com.', Type: 'A', AliasTarget: Match.anyValue() });
    });

    test('THEN HTTPS uses a TLS 1.3/1.2 policy, rejects by default and HTTP redirects with 301', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } }],
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
      });
    });

    test('THEN the forward rule requires the secret origin header, taken from Secrets Manager by dynamic reference', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^\\{\\{resolve:secretsmanager:')])] })] } }],
        Actions: [Match.objectLike({ Type: 'forward' })],
      });
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Origins: [Match.objectLike({
            DomainName: 'prod-lb.example.com',
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] }),
            OriginCustomHeaders: [{ HeaderName: 'X-Origin-Verify', HeaderValue: Match.anyValue() }],
          })],
          DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
          Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
        }),
      });
    });

    test('THEN the ALB drops invalid headers, logs to an encrypted retained bucket and is deletion-protected', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'deletion_protection.enabled', Value: 'true' },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
        ]),
      });
      template.hasResource('AWS::S3::Bucket', {
        Properties: Match.objectLike({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('THEN the service runs in private subnets with rollback, 100/200 %, and fast health checks (<= 60 s rollout step)', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        LaunchType: 'FARGATE',
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
        DeploymentConfiguration: Match.objectLike({
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        }),
        HealthCheckGracePeriodSeconds: 60,
      });
      const [tg] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')) as any[];
      const p = tg.Properties;
      const delay = Number(p.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
      expect(p.HealthCheckIntervalSeconds * p.HealthyThresholdCount + delay).toBeLessThanOrEqual(60);
      expect(p.HealthCheckPath).toBe('/health');
      expect(p.TargetType).toBe('ip');
    });

    test('THEN the image tag is read from the SSM parameter /<app>/<env>/backend/ecr-imgTag at deploy time', () => {
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/total-ctl/prod/backend/ecr-imgTag', Value: 'latest' });
      const [taskDef] = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as any[];
      expect(JSON.stringify(taskDef.Properties.ContainerDefinitions[0].Image)).toContain('{{resolve:ssm:/total-ctl/prod/backend/ecr-imgTag}}');
      expect(taskDef.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/ImageTagParameter/)]));
      expect(taskDef.Properties).toMatchObject({ Cpu: '1024', Memory: '2048', RequiresCompatibilities: ['FARGATE'] });
      expect(taskDef.Properties.ExecutionRoleArn).not.toEqual(taskDef.Properties.TaskRoleArn);
    });

    test('THEN it scales 2..4 on CPU and memory at 80 %', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 4 });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 80, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }),
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 80, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' } }),
      });
    });

    test('THEN logs are retained with a retention period and the cluster has Container Insights', () => {
      template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    });

    test('THEN the service URL and name are published in SSM', () => {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/total-ctl/prod/backend/service-url',
        Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] }]] },
      });
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/total-ctl/prod/backend/service-name', Value: { 'Fn::GetAtt': [Match.anyValue(), 'Name'] } });
      expect(service.serviceUrl).toMatch(/^https:\/\//);
    });

    test('THEN stateful resources keep their logical IDs', () => {
      const ids = (type: string) => Object.keys(template.findResources(type));
      expect(ids('AWS::Logs::LogGroup')).toEqual(['BackendAppLogGroup81127121']);
      expect(ids('AWS::S3::Bucket')).toEqual(['BackendAccessLogsBucketFD7D37B9']);
      expect(ids('AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual(['BackendLoadBalancerC45365EC']);
      expect(ids('AWS::SecretsManager::Secret')).toEqual(['BackendOriginVerifySecretE8FB7F3D']);
    });
  });

  describe('GIVEN default props (a VPC origin)', () => {
    const { template, service } = build();
    const albIngress = () => Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancerSecurityGroup'), 'GroupId'] } },
    })).map((r: any) => r.Properties);

    test('THEN the ALB is internal, in the private subnets, and admits HTTPS only from the CloudFront prefix list', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internal',
        Subnets: [{ Ref: Match.stringLikeRegexp('VpcprivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcprivateSubnet2') }],
      });
      expect(albIngress()).toEqual([expect.objectContaining({
        FromPort: 443, ToPort: 443, SourcePrefixListId: { 'Fn::FindInMap': ['CloudFrontOriginFacingPrefixList', { Ref: 'AWS::Region' }, 'PrefixListId'] },
      })]);
      const ingress = [
        ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties),
        ...Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap((r: any) => r.Properties.SecurityGroupIngress ?? []),
      ];
      expect(ingress.filter(rule => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0')).toEqual([]);
      template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' }, 0);
    });

    test('THEN CloudFront reaches it through a VPC origin over TLS 1.2 on the load balancer\'s certificate, with no origin secret', () => {
      template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
        VpcOriginEndpointConfig: Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('BackendLoadBalancer') },
          OriginProtocolPolicy: 'https-only',
          OriginSSLProtocols: ['TLSv1.2'],
        }),
      });
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          Origins: [Match.objectLike({ DomainName: 'prod-lb.example.com', VpcOriginConfig: Match.objectLike({ VpcOriginId: Match.anyValue() }) })],
        }),
      });
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
      template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'prod-lb.example.com' });
    });

    test('THEN only the HTTPS listener exists, forwarding to the service', () => {
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443, Protocol: 'HTTPS', DefaultActions: [Match.objectLike({ Type: 'forward' })],
      });
      expect(service.listener).toBe(service.httpsListener);
      expect(service.edgeMode).toBe(EdgeMode.VPC_ORIGIN);
    });

    test('THEN HTTP/2 and 3, TLS 1.2 2021 for viewers, the security-headers policy, and no caching', () => {
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          HttpVersion: 'http2and3',
          DefaultCacheBehavior: Match.objectLike({
            CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
            ResponseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03',
          }),
        }),
      });
      expect(template.findResources('AWS::CloudFront::Distribution', { Properties: { DistributionConfig: { CacheBehaviors: Match.anyValue() } } })).toEqual({});
    });

    test('THEN stateful resources keep their logical IDs', () => {
      const ids = (type: string) => Object.keys(template.findResources(type));
      expect(ids('AWS::Logs::LogGroup')).toEqual(['BackendAppLogGroup81127121']);
      expect(ids('AWS::S3::Bucket')).toEqual(['BackendAccessLogsBucketFD7D37B9']);
      expect(ids('AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual(['BackendLoadBalancerC45365EC']);
    });
  });

  describe('GIVEN no hosted zone', () => {
    const { stack, vpc, repository } = givenStack();
    const service = new SecureAlbFargateService(stack, 'Backend', { vpc, environmentName: 'dev', image: ServiceImage.fromEcrRepository(repository) });
    const template = Template.fromStack(stack);

    test('THEN the service answers at the distribution\'s domain and publishes it', () => {
      expect(stack.resolve(service.serviceUrl)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^BackendDistribution/), 'DomainName'] }]] });
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/teststack/dev/backend/service-url',
        Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendDistribution'), 'DomainName'] }]] },
      });
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      expect(stack.resolve(service.loadBalancerDomainName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackendLoadBalancer/), 'DNSName'] });
    });

    test('THEN CloudFront reaches the internal ALB over HTTP on 80, says so in a warning, and nothing else is open', () => {
      template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
        VpcOriginEndpointConfig: Match.objectLike({ OriginProtocolPolicy: 'http-only' }),
      });
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 80, ToPort: 80, SourcePrefixListId: Match.anyValue() });
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no hostedZone: CloudFront reaches the internal load balancer over plain HTTP'));
      expect(warnings).toHaveLength(1);
    });
  });

  describe('GIVEN a web ACL', () => {
    test('EdgeWebAcl.managed() in a us-east-1 stack THEN a CLOUDFRONT web ACL with the managed groups and a rate limit guards the distribution', () => {
      const { template } = build({ webAcl: EdgeWebAcl.managed({ maxRequestsPerIpPer5Minutes: 500 }) }, { env: { region: 'us-east-1', account: '123456789012' } });
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'CLOUDFRONT',
        DefaultAction: { Allow: {} },
        Rules: [
          Match.objectLike({ Name: 'AWSManagedRulesAmazonIpReputationList', OverrideAction: { None: {} } }),
          Match.objectLike({
            Name: 'AWSManagedRulesCommonRuleSet',
            Statement: { ManagedRuleGroupStatement: Match.objectLike({ RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] }) },
          }),
          Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
          Match.objectLike({ Name: 'RateLimitPerIp', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } } }),
        ],
      });
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('BackendWebAcl'), 'Arn'] } }),
      });
    });

    test('EdgeWebAcl.fromArn of a CloudFrontWebAcl in a us-east-1 stack THEN a service in another region takes it across regions', () => {
      const app = new App();
      const edge = new Stack(app, 'Edge', { env: { region: 'us-east-1', account: '123456789012' }, crossRegionReferences: true });
      const acl = new CloudFrontWebAcl(edge, 'Acl');
      const { template } = build({ webAcl: EdgeWebAcl.fromArn(acl.webAclArn) }, { env: { region: 'eu-west-1', account: '123456789012' }, crossRegionReferences: true }, app);
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExportsReader'), Match.stringLikeRegexp('Acl')] } }),
      });
      Template.fromStack(edge).hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    });

    test('CloudFrontWebAcl in an environment-agnostic stack THEN a template rule refuses a deploy outside us-east-1', () => {
      const stack = new Stack(new App(), 'Edge');
      new CloudFrontWebAcl(stack, 'Acl', { countOnly: true });
      const rules = Object.entries<any>(Template.fromStack(stack).toJSON().Rules).filter(([id]) => id.startsWith('AclRegionRule'));
      expect(rules.map(([, rule]) => rule.Assertions)).toEqual([[{
        Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }, AssertDescription: 'CloudFront web ACLs live in us-east-1; deploy this stack there',
      }]]);
      Template.fromStack(stack).hasResourceProperties('AWS::WAFv2::WebACL', { Rules: Match.arrayWith([Match.objectLike({ OverrideAction: { Count: {} } })]) });
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('countOnly is true'))).toHaveLength(1);
    });

    test.each([
      [{ webAcl: EdgeWebAcl.fromArn('arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/1234') },
        'invalid webAcl "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/1234": that web ACL has REGIONAL scope; CloudFront takes only CLOUDFRONT-scope (global) web ACLs, created in us-east-1'],
      [{ webAcl: EdgeWebAcl.fromArn('a1b2c3d4-5678-90ab-cdef-EXAMPLE11111') }, 'invalid webAcl "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111": give the ARN of an AWS WAF (v2) web ACL'],
      [{ webAcl: EdgeWebAcl.managed() }, 'invalid webAcl "EdgeWebAcl.managed()": this stack is in eu-west-1 and CloudFront web ACLs live in us-east-1'],
      [{ webAcl: EdgeWebAcl.managed({ maxRequestsPerIpPer5Minutes: 5 }) }, 'invalid webAcl "EdgeWebAcl.managed()"'],
    ] as Array<[Partial<SecureAlbFargateServiceProps>, string]>)('a web ACL CloudFront cannot take is refused naming webAcl: %#', (overrides, error) => {
      expect(() => build(overrides, { env: { region: 'eu-west-1', account: '123456789012' } })).toThrow(error);
    });

    test('a CloudFrontWebAcl outside us-east-1, or with a rate limit WAF refuses, is refused by name', () => {
      const stack = new Stack(new App(), 'Edge', { env: { region: 'eu-west-1' } });
      expect(() => new CloudFrontWebAcl(stack, 'Acl', { maxRequestsPerIpPer5Minutes: 5 })).toThrow(
        'Edge/Acl: invalid maxRequestsPerIpPer5Minutes 5: use a whole number from 10 to 2000000000\n'
        + 'Edge/Acl: invalid stack region "eu-west-1": CloudFront web ACLs live in us-east-1; create this construct in a us-east-1 stack and pass its webAclArn across regions');
    });
  });

  test('GIVEN cachedPathPatterns THEN those paths are cached for GET/HEAD/OPTIONS with no viewer header or cookie sent to the origin', () => {
    const { template } = build({ cachedPathPatterns: ['/static/*', '/assets/*'] });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: [
          Match.objectLike({ PathPattern: '/static/*', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', AllowedMethods: ['GET', 'HEAD', 'OPTIONS'], OriginRequestPolicyId: Match.absent() }),
          Match.objectLike({ PathPattern: '/assets/*', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' }),
        ],
      }),
    });
    expect(() => build({ cachedPathPatterns: ['static/*'] })).toThrow('invalid cachedPathPatterns[0] "static/*"');
    expect(() => build({ cachedPathPatterns: ['/a/*', '/a/*'] })).toThrow(/invalid cachedPathPatterns/);
  });

  test('GIVEN a custom domain in a us-east-1 stack with its hosted zone THEN the service issues its CloudFront certificate itself', () => {
    const { template } = build({ domainName: 'api.example.com' }, { env: { region: 'us-east-1', account: '123456789012' } });
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'api.example.com', ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Aliases: ['api.example.com'], ViewerCertificate: Match.objectLike({ AcmCertificateArn: { Ref: Match.stringLikeRegexp('BackendDomainCertificate') } }) }),
    });
  });

  test('GIVEN the seed size, routed containers and spot THEN the template expresses them', () => {
    const { template } = build({
      cpu: 4096,
      memoryLimitMiB: 8192,
      spot: true,
      enableExecuteCommand: true,
      environment: { API_PORT: '8080' },
      secrets: { MONGODB_CONNECTION_STRING: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(new Stack(), 'P', { parameterName: '/x' })) },
      routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'], healthCheckPath: '/api/health' }],
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '4096',
      Memory: '8192',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({ Name: 'app', Environment: [{ Name: 'API_PORT', Value: '8080' }], Secrets: [Match.objectLike({ Name: 'MONGODB_CONNECTION_STRING' })] }),
        Match.objectLike({ Name: 'api', PortMappings: [Match.objectLike({ ContainerPort: 3000 })] }),
      ],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 3000, HealthCheckPath: '/api/health' });
    template.hasResourceProperties('AWS::ECS::Service', {
      EnableExecuteCommand: true,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 2, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
  });

  test('GIVEN spot on a given cluster of this app THEN FARGATE_SPOT is associated with that cluster', () => {
    const { stack, vpc, zone, repository } = givenStack();
    const cluster = new ecs.Cluster(stack, 'Shared', { vpc });
    new SecureAlbFargateService(stack, 'Backend', { vpc, cluster, hostedZone: zone, environmentName: 'prod', image: ServiceImage.fromEcrRepository(repository), spot: true });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      Cluster: { Ref: Match.stringLikeRegexp('^Shared') }, CapacityProviders: Match.arrayWith(['FARGATE_SPOT']),
    });
  });

  test('GIVEN a custom domain THEN CloudFront serves it with its us-east-1 certificate, aliases point at the distribution, and it is the URL', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0123-0123-0123-0123456789ab';
    const domainCertificate = acm.Certificate.fromCertificateArn(new Stack(), 'Cert', certificateArn);
    const { service: web, template } = build({ domainName: 'api.example.com', domainCertificate });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['api.example.com'],
        ViewerCertificate: { AcmCertificateArn: certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      }),
    });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.example.com.', Type: type, AliasTarget: Match.objectLike({ DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendDistribution'), 'DomainName'] } }),
      });
    }
    expect(web.serviceUrl).toBe('https://api.example.com');
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/total-ctl/prod/backend/service-url', Value: 'https://api.example.com' });
  });

  test('GIVEN a certificate made in a stack of another region THEN synth fails naming domainCertificate', () => {
    const domainCertificate = new acm.Certificate(new Stack(new App(), 'Certs', { env: { region: 'eu-west-1' } }), 'Cert', { domainName: 'api.example.com' });
    expect(() => build({ domainName: 'api.example.com', domainCertificate }))
      .toThrow('TestStack/Backend: invalid domainCertificate "eu-west-1": CloudFront only takes certificates issued in us-east-1; issue it there');
  });

  test('GIVEN ARM64 THEN the tasks run on Graviton, on-demand', () => {
    const { template } = build({ cpuArchitecture: ecs.CpuArchitecture.ARM64 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    template.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'FARGATE', CapacityProviderStrategy: Match.absent() });
  });

  test('GIVEN a region opened since 2022 with its env THEN ALB logs are delivered by the service principal', () => {
    const { template } = build({ cloudFrontPrefixListId: 'pl-0123456789abcdef0' }, { env: { region: 'ap-southeast-4', account: '123456789012' } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
  });

  test('GIVEN a known region THEN the prefix list ID is a literal', () => {
    const { template } = build({}, { env: { region: 'eu-west-1', account: '123456789012' } });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 443, SourcePrefixListId: 'pl-4fa04526' });
  });

  test('GIVEN cloudFront false THEN no distribution and the URL is the ALB host', () => {
    const { template, service } = build({ cloudFront: false, deletionProtection: false, healthCheckInterval: Duration.seconds(5) });
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(service.serviceUrl).toBe('https://prod-lb.example.com');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, DefaultActions: [Match.objectLike({ Type: 'forward' })] });
  });

  test('GIVEN the placeholder image THEN BusyBox serves the health path on the container port', () => {
    const { template } = build({ image: ServiceImage.placeholder(), containerPort: 3000, healthCheckPath: '/api/health' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Image: 'public.ecr.aws/docker/library/busybox:stable',
        Command: ['sh', '-c', Match.stringLikeRegexp('echo ok > /www/api/health .* httpd -f -p 3000')],
      })],
    });
    template.resourcePropertiesCountIs('AWS::SSM::Parameter', { Name: Match.stringLikeRegexp('ecr-imgTag') }, 0);
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ cpu: 1024, memoryLimitMiB: 1024 }, /memoryLimitMiB 1024: with cpu 1024, Fargate accepts 2048 to 8192/],
      [{ cpu: 300 }, /invalid cpu 300/],
      [{ minCapacity: 5, maxCapacity: 3 }, /invalid minCapacity 5: minCapacity must not exceed maxCapacity \(3\)/],
      [{ environmentName: 'Prod_1' }, /invalid environmentName "Prod_1"/],
      [{ environmentName: '' }, /invalid environmentName ""/],
      [{ baseDomainName: 'not a domain' }, /invalid baseDomainName "not a domain"/],
      [{ healthCheckPath: 'health' }, /invalid healthCheckPath "health": use a path that starts with "\/"/],
      [{ routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: [] }] }, /invalid routedContainers\[0\]\.pathPatterns \[\]/],
      [{ routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: [''] }] }, /invalid routedContainers\[0\]\.pathPatterns\[0\] ""/],
      [{ routedContainers: [{ name: 'app', containerPort: 3000, pathPatterns: ['/a'] }] }, /invalid routedContainers\[\]\.name "app"/],
      [{ edgeMode: EdgeMode.PUBLIC_ALB, routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/a', '/b', '/c', '/d', '/e'] }] }, /at most 4 path patterns/],
      [{ routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/a', '/b', '/c', '/d', '/e', '/f'] }] }, /at most 5 path patterns/],
      [{ targetCpuUtilizationPercent: 150 }, /invalid targetCpuUtilizationPercent 150/],
      [{ command: [] }, /invalid command \[\]/],
    ] as Array<[Partial<SecureAlbFargateServiceProps>, RegExp]>)('%j', (overrides, error) => {
      expect(() => build(overrides)).toThrow(error);
    });

    test('an unknown concrete region without cloudFrontPrefixListId', () => {
      expect(() => build({}, { env: { region: 'mx-central-9' } })).toThrow(/invalid cloudFrontPrefixListId undefined: the CloudFront origin-facing prefix list ID of region mx-central-9 is not built in/);
      expect(() => build({ cloudFrontPrefixListId: 'pl-123' }, { env: { region: 'mx-central-9' } })).not.toThrow();
    });
  });
});
