import { CfnResource, CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

/** The port CloudFront uses to reach a VPC origin, from its protocol policy (HTTPPort/HTTPSPort default to 80/443). */
function originPort(config: any): { port: number; protocol: 'HTTP' | 'HTTPS' } | undefined {
  switch (config?.OriginProtocolPolicy) {
    case 'https-only': return { port: Number(config.HTTPSPort ?? 443), protocol: 'HTTPS' };
    case 'http-only': return { port: Number(config.HTTPPort ?? 80), protocol: 'HTTP' };
    default: return undefined; // match-viewer: either
  }
}

function groupIdOf(value: any): string | undefined {
  return referencedId(value);
}

/** Whether a managed-prefix-list value is the CloudFront origin-facing list: a pl- literal, or the library's per-region mapping. */
function isPrefixList(value: any): boolean {
  if (typeof value === 'string') return value.startsWith('pl-');
  return value !== undefined && value !== null && typeof value === 'object' && ('Fn::FindInMap' in value || 'Ref' in value);
}

/** Inbound rules (inline and separate) of a template's security group, as [fromPort, toPort, prefixList?]. */
function ingressOf(template: CfnTemplate, groupId: string): Array<{ from: number; to: number; prefixList: boolean }> {
  const group = template.Resources?.[groupId];
  const inline = (group?.Properties?.SecurityGroupIngress ?? []) as any[];
  const separate = resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
    .filter(([, rule]) => groupIdOf(rule.Properties?.GroupId) === groupId).map(([, rule]) => rule.Properties ?? {});
  return [...inline, ...separate].map(rule => ({
    from: Number(rule.FromPort ?? (rule.IpProtocol === '-1' ? 0 : NaN)),
    to: Number(rule.ToPort ?? (rule.IpProtocol === '-1' ? 65535 : NaN)),
    prefixList: isPrefixList(rule.SourcePrefixListId),
  }));
}

function vpcOfSubnets(template: CfnTemplate, subnets: any[]): string[] {
  return [...new Set(subnets.map(subnet => template.Resources?.[referencedId(subnet) ?? '']).filter((s): s is CfnResource => s?.Type === 'AWS::EC2::Subnet')
    .map(subnet => referencedId(subnet.Properties?.VpcId)).filter((id): id is string => id !== undefined))];
}

export const vpcOriginReachesInternalLoadBalancer: TemplateRule = {
  id: 'vpc-origin-reaches-an-internal-load-balancer',
  phase: 'create',
  rule: 'A CloudFront VPC origin fronts an internal load balancer in private subnets of a VPC that has an internet gateway attached; '
    + 'CloudFront\'s VPC-origin network interfaces reach it only through a security group rule that admits the origin-facing managed prefix list '
    + '(or the CloudFront-VPCOrigins-Service-SG) on the port its protocol policy uses, where the load balancer listens with that protocol.',
  source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html',
  check(template) {
    const findings: string[] = [];
    const resources = template.Resources ?? {};
    const gatewayVpcs = new Set(resourcesOfType(template, 'AWS::EC2::VPCGatewayAttachment')
      .filter(([, attachment]) => attachment.Properties?.InternetGatewayId !== undefined)
      .map(([, attachment]) => referencedId(attachment.Properties?.VpcId)));
    for (const [id, origin] of resourcesOfType(template, 'AWS::CloudFront::VpcOrigin')) {
      const config = origin.Properties?.VpcOriginEndpointConfig;
      const lbId = referencedId(config?.Arn);
      const lb = resources[lbId ?? ''];
      if (!lb || lb.Type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') continue; // an imported endpoint: nothing to check here
      const p = lb.Properties ?? {};
      if (p.Scheme !== 'internal') findings.push(`${id} fronts ${lbId}, whose Scheme is ${p.Scheme ?? 'internet-facing (default)'}, not internal`);
      for (const vpc of vpcOfSubnets(template, p.Subnets ?? [])) {
        if (!gatewayVpcs.has(vpc)) findings.push(`${id}: ${lbId}'s VPC ${vpc} has no internet gateway attached; CloudFront refuses the VPC origin`);
      }
      const wanted = originPort(config);
      if (!wanted) continue;
      const groups = (p.SecurityGroups ?? []).map(groupIdOf).filter((g: string | undefined): g is string => g !== undefined);
      const admitted = groups.some((group: string) => ingressOf(template, group)
        .some(rule => rule.prefixList && rule.from <= wanted.port && wanted.port <= rule.to));
      if (!admitted) findings.push(`${id}: no security group of ${lbId} admits the CloudFront origin-facing prefix list on ${wanted.port}`);
      const listens = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::Listener')
        .some(([, listener]) => referencedId(listener.Properties?.LoadBalancerArn) === lbId
          && Number(listener.Properties?.Port) === wanted.port && listener.Properties?.Protocol === wanted.protocol);
      if (!listens) findings.push(`${id} reaches ${lbId} with ${wanted.protocol} on ${wanted.port}, where it has no ${wanted.protocol} listener`);
    }
    return findings;
  },
  counterexample: {
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: {} },
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' } } },
      Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourcePrefixListId: 'pl-3b927c52' }] } },
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal', Subnets: [{ Ref: 'Subnet' }], SecurityGroups: [{ 'Fn::GetAtt': ['Group', 'GroupId'] }] } },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Lb' }, Port: 80, Protocol: 'HTTP' } },
      Origin: { Type: 'AWS::CloudFront::VpcOrigin', Properties: { VpcOriginEndpointConfig: { Arn: { Ref: 'Lb' }, Name: 'o', OriginProtocolPolicy: 'http-only' } } },
    },
  },
};

/** Whether a certificate name (possibly `*.example.com`) covers a host name. */
function covers(certName: string, host: string): boolean {
  if (certName.toLowerCase() === host.toLowerCase()) return true;
  if (!certName.startsWith('*.')) return false;
  const rest = host.split('.').slice(1).join('.');
  return rest.toLowerCase() === certName.slice(2).toLowerCase();
}

export const vpcOriginHttpsMatchesCertificate: TemplateRule = {
  id: 'vpc-origin-https-name-on-the-certificate',
  phase: 'create',
  rule: 'Over HTTPS CloudFront checks that the origin\'s certificate covers the origin domain name the distribution names (a 502 otherwise); an '
    + 'internal ALB\'s own amazonaws.com name is on no certificate ACM can issue, so an https-only VPC origin names a domain of the listener\'s certificate.',
  source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html',
  check(template) {
    const resources = template.Resources ?? {};
    const findings: string[] = [];
    for (const [distId, dist] of resourcesOfType(template, 'AWS::CloudFront::Distribution')) {
      for (const o of dist.Properties?.DistributionConfig?.Origins ?? []) {
        const originId = referencedId(o.VpcOriginConfig?.VpcOriginId);
        const origin = resources[originId ?? ''];
        if (!origin || origin.Type !== 'AWS::CloudFront::VpcOrigin') continue;
        const config = origin.Properties?.VpcOriginEndpointConfig;
        if (config?.OriginProtocolPolicy !== 'https-only') continue;
        const lbId = referencedId(config.Arn);
        const certs = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::Listener')
          .filter(([, l]) => referencedId(l.Properties?.LoadBalancerArn) === lbId && Number(l.Properties?.Port) === Number(config.HTTPSPort ?? 443))
          .flatMap(([, l]) => (l.Properties?.Certificates ?? []).map((c: any) => resources[referencedId(c.CertificateArn) ?? '']))
          .filter((c: CfnResource | undefined): c is CfnResource => c?.Type === 'AWS::CertificateManager::Certificate');
        if (certs.length === 0) continue; // an imported certificate: its names are not in the template
        if (typeof o.DomainName !== 'string') {
          findings.push(`${distId} reaches ${originId} over HTTPS at ${JSON.stringify(o.DomainName)}, a generated name no certificate of the listener covers`);
          continue;
        }
        const names = certs.flatMap(c => [c.Properties?.DomainName, ...(c.Properties?.SubjectAlternativeNames ?? [])]).filter((n: any) => typeof n === 'string');
        if (!names.some((n: string) => covers(n, o.DomainName))) findings.push(`${distId} reaches ${originId} over HTTPS at ${o.DomainName}, which the listener's certificate (${names.join(', ')}) does not cover`);
      }
    }
    return findings;
  },
  counterexample: {
    Resources: {
      Cert: { Type: 'AWS::CertificateManager::Certificate', Properties: { DomainName: 'prod-lb.example.com' } },
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal' } },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Lb' }, Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: { Ref: 'Cert' } }] } },
      Origin: { Type: 'AWS::CloudFront::VpcOrigin', Properties: { VpcOriginEndpointConfig: { Arn: { Ref: 'Lb' }, Name: 'o', OriginProtocolPolicy: 'https-only' } } },
      Dist: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Origins: [{ Id: 'o', DomainName: { 'Fn::GetAtt': ['Lb', 'DNSName'] }, VpcOriginConfig: { VpcOriginId: { 'Fn::GetAtt': ['Origin', 'Id'] } } }] } } },
    },
  },
};

export const vpcOriginDeletedAfterDistribution: TemplateRule = {
  id: 'vpc-origin-deleted-after-its-distribution',
  phase: 'destroy',
  rule: 'CloudFront refuses to delete a VPC origin a distribution still uses (CannotDeleteEntityWhileInUse, 409); CloudFormation deletes the distribution '
    + 'first only when the distribution references the VPC origin (Fn::GetAtt Id), not when it names a literal ID of one in the same template.',
  source: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DeleteVpcOrigin.html',
  check(template) {
    const origins = resourcesOfType(template, 'AWS::CloudFront::VpcOrigin');
    if (origins.length === 0) return [];
    const findings: string[] = [];
    for (const [distId, dist] of resourcesOfType(template, 'AWS::CloudFront::Distribution')) {
      for (const o of dist.Properties?.DistributionConfig?.Origins ?? []) {
        if (o.VpcOriginConfig === undefined) continue;
        const ref = referencedId(o.VpcOriginConfig.VpcOriginId);
        const deps = dist.DependsOn === undefined ? [] : Array.isArray(dist.DependsOn) ? dist.DependsOn : [dist.DependsOn];
        if (ref === undefined && !origins.some(([id]) => deps.includes(id))) {
          findings.push(`${distId} names VPC origin ${JSON.stringify(o.VpcOriginConfig.VpcOriginId)} without a reference or DependsOn: on delete CloudFormation may delete the VPC origin first`);
        }
      }
    }
    return findings;
  },
  counterexample: {
    Resources: {
      Origin: { Type: 'AWS::CloudFront::VpcOrigin', Properties: { VpcOriginEndpointConfig: { Arn: 'arn:aws:elasticloadbalancing:::loadbalancer/app/x/1', Name: 'o' } } },
      Dist: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Origins: [{ Id: 'o', DomainName: 'x', VpcOriginConfig: { VpcOriginId: 'vo_123' } }] } } },
    },
  },
};
