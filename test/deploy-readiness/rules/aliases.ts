import { CfnTemplate, referencedId, resourcesOfType, TemplateRule, UpdateRule } from '../rule';

const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';
const CERTIFICATE = 'AWS::CertificateManager::Certificate';
const DISTRIBUTION = 'AWS::CloudFront::Distribution';
const RECORD_SET = 'AWS::Route53::RecordSet';

/** The values a listener rule condition holds, whichever field it is written with. */
function conditionValues(condition: any): number {
  const configs = [condition.PathPatternConfig, condition.HostHeaderConfig, condition.HttpHeaderConfig, condition.HttpRequestMethodConfig,
    condition.QueryStringConfig, condition.SourceIpConfig].filter(config => config !== undefined);
  return configs.reduce((count, config) => count + (config.Values ?? []).length, 0) + (condition.Values ?? []).length;
}

export const listenerRuleConditionValuesWithinQuota: TemplateRule = {
  id: 'listener-rule-condition-values-within-quota',
  phase: 'create',
  rule: 'An Application Load Balancer rule holds at most 5 condition values (host names, path patterns, header values together); '
    + 'CreateRule/ModifyRule refuse more (TooManyConditionValues).',
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, LISTENER_RULE).flatMap(([id, rule]) => {
      const count = (rule.Properties?.Conditions ?? []).reduce((sum: number, condition: any) => sum + conditionValues(condition), 0);
      return count > 5 ? [`${id} holds ${count} condition values, over the quota of 5`] : [];
    });
  },
  counterexample: {
    Resources: {
      Rule: {
        Type: LISTENER_RULE,
        Properties: {
          Priority: 1000,
          Conditions: [
            { Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com', 'b.example.com', 'c.example.com'] } },
            { Field: 'path-pattern', PathPatternConfig: { Values: ['/x/*', '/y/*', '/z/*'] } },
          ],
        },
      },
    },
  },
};

/** Every name a certificate of the template covers, literal names only. */
function namesOf(certificate: any): string[] {
  return [certificate.Properties?.DomainName, ...(certificate.Properties?.SubjectAlternativeNames ?? [])].filter(name => typeof name === 'string');
}

export const certificateDomainNamesWithinQuota: TemplateRule = {
  id: 'certificate-domain-names-within-quota',
  phase: 'create',
  rule: 'An ACM certificate covers at most 10 domain names by default, its primary name included; RequestCertificate refuses more until the quota is raised.',
  source: 'https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, CERTIFICATE).flatMap(([id, certificate]) => {
      const count = namesOf(certificate).length;
      return count > 10 ? [`${id} covers ${count} domain names, over the default quota of 10`] : [];
    });
  },
  counterexample: {
    Resources: {
      Certificate: {
        Type: CERTIFICATE,
        Properties: { DomainName: 'api.example.com', SubjectAlternativeNames: Array.from({ length: 10 }, (_, i) => `a${i}.example.com`) },
      },
    },
  },
};

/** Whether a certificate name (possibly a wildcard) covers a host name. */
function covers(certificateName: string, host: string): boolean {
  if (certificateName === host) return true;
  return certificateName.startsWith('*.') && host.split('.').slice(1).join('.') === certificateName.slice(2);
}

export const distributionAliasesCoveredByCertificate: TemplateRule = {
  id: 'distribution-aliases-covered-by-certificate',
  phase: 'create',
  rule: 'CloudFront refuses an alternate domain name that its viewer certificate does not cover (InvalidViewerCertificate), and takes at most 100 '
    + 'alternate domain names per distribution by default.',
  source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, DISTRIBUTION).flatMap(([id, distribution]) => {
      const config = distribution.Properties?.DistributionConfig ?? {};
      const aliases: string[] = (config.Aliases ?? []).filter((alias: unknown) => typeof alias === 'string');
      const quota = aliases.length > 100 ? [`${id} has ${aliases.length} alternate domain names, over the default quota of 100`] : [];
      const certificateId = referencedId(config.ViewerCertificate?.AcmCertificateArn);
      const certificate = certificateId ? template.Resources?.[certificateId] : undefined;
      if (!certificate || certificate.Type !== CERTIFICATE) return quota;
      const names = namesOf(certificate);
      return [...quota, ...aliases.filter(alias => !names.some(name => covers(name, alias)))
        .map(alias => `${id} answers at ${alias}, which its certificate ${certificateId} does not cover`)];
    });
  },
  counterexample: {
    Resources: {
      Certificate: { Type: CERTIFICATE, Properties: { DomainName: 'api.example.com' } },
      Distribution: {
        Type: DISTRIBUTION,
        Properties: { DistributionConfig: { Aliases: ['api.example.com', 'www.example.com'], ViewerCertificate: { AcmCertificateArn: { Ref: 'Certificate' } } } },
      },
    },
  },
};

/** The name and type of each record set of a template, by logical ID. */
function recordKeys(template: CfnTemplate): Map<string, string> {
  return new Map(resourcesOfType(template, RECORD_SET)
    .map(([id, record]) => [id, `${JSON.stringify(record.Properties?.Name)} ${record.Properties?.Type}`] as [string, string]));
}

export const recordSetKeepsLogicalId: UpdateRule = {
  id: 'record-set-keeps-logical-id',
  phase: 'update',
  rule: 'A Route 53 record that moves to another logical ID is created under the new one before the old one is deleted, and Route 53 refuses a '
    + 'second record of the same name and type ("already exists"): a record that stays keeps its logical ID.',
  source: 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html',
  check(before: CfnTemplate, after: CfnTemplate): string[] {
    const old = recordKeys(before);
    return [...recordKeys(after)].flatMap(([id, key]) => {
      if (old.get(id) === key) return [];
      const moved = [...old].find(([oldId, oldKey]) => oldKey === key && oldId !== id && !recordKeys(after).has(oldId));
      return moved ? [`the record ${key} moves from ${moved[0]} to ${id}: CloudFormation creates it again before deleting it`] : [];
    });
  },
  counterexample: {
    before: { Resources: { Alias0: { Type: RECORD_SET, Properties: { Name: 'www.example.com.', Type: 'A' } } } },
    after: { Resources: { Alias1: { Type: RECORD_SET, Properties: { Name: 'www.example.com.', Type: 'A' } } } },
  },
};

/** The outputs of a template that export a value referencing `id`. */
function exportsOf(template: CfnTemplate, id: string): string[] {
  return Object.entries<any>(template.Outputs ?? {}).filter(([, output]) => output.Export !== undefined && JSON.stringify(output.Value).includes(`"${id}"`))
    .map(([name]) => name);
}

export const replacedCertificateNotExported: UpdateRule = {
  id: 'replaced-certificate-not-exported',
  phase: 'update',
  rule: 'Changing a certificate\'s domain name or alternative names replaces it (a new ARN); a stack export of its ARN cannot be updated while another stack '
    + 'imports it ("Exports cannot be updated"), so a certificate whose names change must be read through a weak reference (an SSM parameter).',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-certificatemanager-certificate.html',
  check(before: CfnTemplate, after: CfnTemplate): string[] {
    return resourcesOfType(after, CERTIFICATE).flatMap(([id, certificate]) => {
      const old = before.Resources?.[id];
      if (!old || old.Type !== CERTIFICATE || JSON.stringify(namesOf(old)) === JSON.stringify(namesOf(certificate))) return [];
      return exportsOf(before, id).map(output => `${id} is replaced (its names change) while the output ${output} exports it`);
    });
  },
  counterexample: {
    before: {
      Resources: { Certificate: { Type: CERTIFICATE, Properties: { DomainName: 'api.example.com' } } },
      Outputs: { CertificateArn: { Value: { Ref: 'Certificate' }, Export: { Name: 'CertificateArn' } } },
    },
    after: {
      Resources: { Certificate: { Type: CERTIFICATE, Properties: { DomainName: 'api.example.com', SubjectAlternativeNames: ['www.example.com'] } } },
      Outputs: { CertificateArn: { Value: { Ref: 'Certificate' }, Export: { Name: 'CertificateArn' } } },
    },
  },
};
