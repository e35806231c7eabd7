import { CfnTemplate, referencedId, resourcesOfType, TemplateRule, UpdateRule } from '../rule';

const DISTRIBUTION = 'AWS::CloudFront::Distribution';
const BUCKET = 'AWS::S3::Bucket';
const BUCKET_POLICY = 'AWS::S3::BucketPolicy';
const OAC = 'AWS::CloudFront::OriginAccessControl';

/** The alternate domain names of each distribution of a template, by logical ID (names known at synth only). */
function aliasesByDistribution(template: CfnTemplate): Array<[string, string[]]> {
  return resourcesOfType(template, DISTRIBUTION).map(([id, distribution]) => [id,
    (distribution.Properties?.DistributionConfig?.Aliases ?? []).filter((alias: unknown) => typeof alias === 'string')]);
}

/** Whether a policy statement lets CloudFront read objects for the distribution `distributionId` (its ARN in AWS:SourceArn). */
function admitsDistribution(statement: any, distributionId: string): boolean {
  const actions = [statement.Action].flat();
  const service = statement.Principal?.Service;
  const sourceArn = statement.Condition?.StringEquals?.['AWS:SourceArn'];
  return statement.Effect === 'Allow' && actions.includes('s3:GetObject') && [service].flat().includes('cloudfront.amazonaws.com')
    && JSON.stringify(sourceArn ?? null).includes(`{"Ref":"${distributionId}"}`);
}

export const originAccessControlAdmittedByBucketPolicy: TemplateRule = {
  id: 'origin-access-control-admitted-by-bucket-policy',
  phase: 'create',
  rule: 'CloudFront signs its requests to an S3 origin with Origin Access Control, and S3 answers 403 unless the bucket policy allows '
    + 's3:GetObject to the cloudfront.amazonaws.com service principal for that distribution (AWS:SourceArn); the origin also needs an empty '
    + 'OriginAccessIdentity, as an origin takes either an OAI or an OAC.',
  source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html',
  check(template: CfnTemplate): string[] {
    const policies = resourcesOfType(template, BUCKET_POLICY);
    return resourcesOfType(template, DISTRIBUTION).flatMap(([id, distribution]) => {
      const origins: any[] = distribution.Properties?.DistributionConfig?.Origins ?? [];
      return origins.filter(origin => origin.OriginAccessControlId !== undefined).flatMap(origin => {
        const controlId = referencedId(origin.OriginAccessControlId);
        const bucketId = referencedId(origin.DomainName);
        const problems: string[] = [];
        if (controlId && template.Resources?.[controlId]?.Type !== OAC) problems.push(`${id} origin ${origin.Id} names ${controlId}, which is no origin access control`);
        if (origin.S3OriginConfig?.OriginAccessIdentity) problems.push(`${id} origin ${origin.Id} has both an origin access control and an origin access identity`);
        if (!bucketId || template.Resources?.[bucketId]?.Type !== BUCKET) return problems;
        const admitted = policies.some(([, policy]) => referencedId(policy.Properties?.Bucket) === bucketId
          && [policy.Properties?.PolicyDocument?.Statement ?? []].flat().some((statement: any) => admitsDistribution(statement, id)));
        if (!admitted) problems.push(`${id} reads ${bucketId} through origin access control, but no bucket policy of ${bucketId} allows s3:GetObject to CloudFront for ${id}`);
        return problems;
      });
    });
  },
  counterexample: {
    Resources: {
      Bucket: { Type: BUCKET },
      Control: { Type: OAC, Properties: { OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } } },
      Distribution: {
        Type: DISTRIBUTION,
        Properties: {
          DistributionConfig: {
            Origins: [{ Id: 'site', DomainName: { 'Fn::GetAtt': ['Bucket', 'RegionalDomainName'] }, OriginAccessControlId: { 'Fn::GetAtt': ['Control', 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } }],
          },
        },
      },
      Policy: {
        Type: BUCKET_POLICY,
        Properties: { Bucket: { Ref: 'Bucket' }, PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } }] } },
      },
    },
  },
};

export const distributionAliasesUnique: TemplateRule = {
  id: 'distribution-aliases-unique',
  phase: 'create',
  rule: 'An alternate domain name (CNAME) belongs to one distribution: CloudFront refuses it on a second one (CNAMEAlreadyExists), so no two '
    + 'distributions of a template may list the same name (the platform\'s service and its static sites).',
  source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html',
  check(template: CfnTemplate): string[] {
    const owners = new Map<string, string>();
    return aliasesByDistribution(template).flatMap(([id, aliases]) => aliases.flatMap(alias => {
      const owner = owners.get(alias);
      owners.set(alias, owner ?? id);
      return owner ? [`${id} and ${owner} both list the alternate domain name ${alias}`] : [];
    }));
  },
  counterexample: {
    Resources: {
      Service: { Type: DISTRIBUTION, Properties: { DistributionConfig: { Aliases: ['www.example.com'] } } },
      Site: { Type: DISTRIBUTION, Properties: { DistributionConfig: { Aliases: ['www.example.com'] } } },
    },
  },
};

export const aliasStaysOnItsDistribution: UpdateRule = {
  id: 'alias-stays-on-its-distribution',
  phase: 'update',
  rule: 'CloudFormation creates or updates the distribution that gains an alternate domain name before it updates or deletes the one that '
    + 'loses it, and CloudFront refuses a name another distribution still has (CNAMEAlreadyExists): moving a name between distributions '
    + '(a site renamed, a domain moved from the service to a site) takes two deploys, first removing it, then adding it.',
  source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/alternate-domain-names-move.html',
  check(before: CfnTemplate, after: CfnTemplate): string[] {
    const old = new Map(aliasesByDistribution(before).flatMap(([id, aliases]) => aliases.map(alias => [alias, id] as [string, string])));
    return aliasesByDistribution(after).flatMap(([id, aliases]) => aliases.flatMap(alias => {
      const previous = old.get(alias);
      return previous && previous !== id ? [`the alternate domain name ${alias} moves from ${previous} to ${id} in one update`] : [];
    }));
  },
  counterexample: {
    before: { Resources: { SiteDistributionA: { Type: DISTRIBUTION, Properties: { DistributionConfig: { Aliases: ['www.example.com'] } } } } },
    after: { Resources: { SiteDistributionB: { Type: DISTRIBUTION, Properties: { DistributionConfig: { Aliases: ['www.example.com'] } } } } },
  },
};
