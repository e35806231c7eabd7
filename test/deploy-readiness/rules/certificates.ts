import { CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

const CERTIFICATE = 'AWS::CertificateManager::Certificate';
const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const LISTENER_CERTIFICATE = 'AWS::ElasticLoadBalancingV2::ListenerCertificate';
const LISTENER_CERTIFICATE_PAGE = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listenercertificate.html';

export const listenerCertificateHoldsOneCertificate: TemplateRule = {
  id: 'listener-certificate-holds-one-certificate',
  phase: 'create',
  rule: 'An AWS::ElasticLoadBalancingV2::ListenerCertificate takes one certificate per resource ("You can specify one certificate per resource"); '
    + 'each further certificate of a listener is a resource of its own.',
  source: LISTENER_CERTIFICATE_PAGE,
  check(template) {
    return resourcesOfType(template, LISTENER_CERTIFICATE).flatMap(([id, attached]) => {
      const count = (attached.Properties?.Certificates ?? []).length;
      return count === 1 ? [] : [`${id} lists ${count} certificates`];
    });
  },
  counterexample: {
    Resources: {
      Extra: { Type: LISTENER_CERTIFICATE, Properties: { ListenerArn: { Ref: 'Https' }, Certificates: [{ CertificateArn: { Ref: 'A' } }, { CertificateArn: { Ref: 'B' } }] } },
    },
  },
};

/**
 * The load balancer a listener certificate is attached to, through its listener when the template holds it (a listener
 * of another template, e.g. a worker's nested stack, is keyed by its rendering: one listener, one load balancer).
 */
function loadBalancerOf(template: CfnTemplate, listenerArn: unknown): string {
  const listener = referencedId(listenerArn);
  const resource = listener ? template.Resources?.[listener] : undefined;
  const balancer = resource?.Type === LISTENER ? resource.Properties?.LoadBalancerArn : undefined;
  return JSON.stringify(balancer ?? listenerArn);
}

export const loadBalancerCertificatesWithinQuota: TemplateRule = {
  id: 'load-balancer-certificates-within-quota',
  phase: 'create',
  rule: 'An Application Load Balancer holds at most 25 certificates besides its listeners\' default certificates (adjustable quota); '
    + 'AddListenerCertificates refuses more (TooManyCertificates). The synth-time count also adds those of other stacks on the same load balancer.',
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
  check(template) {
    const counts = new Map<string, number>();
    for (const [, attached] of resourcesOfType(template, LISTENER_CERTIFICATE)) {
      const key = loadBalancerOf(template, attached.Properties?.ListenerArn);
      counts.set(key, (counts.get(key) ?? 0) + (attached.Properties?.Certificates ?? []).length);
    }
    return [...counts].filter(([, count]) => count > 25)
      .map(([key, count]) => `the load balancer ${key} holds ${count} certificates besides its default ones, over the quota of 25`);
  },
  counterexample: {
    Resources: {
      Https: { Type: LISTENER, Properties: { LoadBalancerArn: { Ref: 'Alb' }, Port: 443, Protocol: 'HTTPS' } },
      ...Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`Extra${i}`, {
        Type: LISTENER_CERTIFICATE, Properties: { ListenerArn: { Ref: 'Https' }, Certificates: [{ CertificateArn: { Ref: `Certificate${i}` } }] },
      }])),
    },
  },
};

export const dnsValidatedCertificateNamesItsZone: TemplateRule = {
  id: 'dns-validated-certificate-names-its-zone',
  phase: 'create',
  rule: 'CloudFormation validates a DNS-validated certificate by itself only when each of its names has a DomainValidationOption with the HostedZoneId '
    + 'of a Route 53 zone of the account, where ACM then writes the validation CNAME; otherwise the stack stays in CREATE_IN_PROGRESS until someone adds the record.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-certificatemanager-certificate.html',
  check(template) {
    const validatedByDns = resourcesOfType(template, CERTIFICATE).filter(([, certificate]) => certificate.Properties?.ValidationMethod === 'DNS');
    return validatedByDns.flatMap(([id, certificate]) => {
      const names = [certificate.Properties.DomainName, ...(certificate.Properties.SubjectAlternativeNames ?? [])];
      const options: any[] = certificate.Properties.DomainValidationOptions ?? [];
      const sameName = (option: any, name: unknown) => JSON.stringify(option.DomainName) === JSON.stringify(name);
      const validated = (name: unknown) => options.some(option => sameName(option, name) && option.HostedZoneId !== undefined);
      return names.filter(name => !validated(name)).map(name => `${id} has no hosted zone to validate ${JSON.stringify(name)} in`);
    });
  },
  counterexample: {
    Resources: {
      Certificate: {
        Type: CERTIFICATE,
        Properties: {
          DomainName: 'api.example.com',
          SubjectAlternativeNames: ['pay.example.com'],
          ValidationMethod: 'DNS',
          DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z1' }],
        },
      },
    },
  },
};
