import { createHash } from 'crypto';
import { Lazy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct, IConstruct } from 'constructs';
import { checkAll } from '../private/errors';
import { claimPhysicalName } from '../private/naming';
import { invalidProp, isToken, requireSynthValue, validateDomainName, validateUnique } from '../private/validation';

/** ACM's default quota of domain names on one certificate, its primary name included (adjustable). */
export const MAX_CERTIFICATE_DOMAIN_NAMES = 10;
/** CloudFront's default quota of alternate domain names (CNAMEs) on one distribution (adjustable). */
export const MAX_DISTRIBUTION_ALIASES = 100;
const ACM_QUOTAS = 'https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html';
const CLOUDFRONT_QUOTAS = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html';

/** The custom domain of an edge, as the service that owns it set it: the aliases of every service on it join it. */
export interface EdgeDomain {
  /** The distribution's primary custom domain; aliases need one. */
  readonly domainName?: string;
  readonly hostedZone?: route53.IHostedZone;
  /** The user gave the CloudFront certificate: covering the aliases is theirs, and ACM's quota is not counted here. */
  readonly userCertificate: boolean;
  readonly cachedPathPatterns: string[];
  readonly cloudFront: boolean;
  /** The load balancer's own host name, which no alias may take. */
  readonly loadBalancerDomainName?: string;
}

/** The edge domain each edge-owning service registered, for the services that share its edge (their props do not hold it). */
const domains = new WeakMap<IConstruct, EdgeDomain>();

export function registerEdgeDomain(owner: IConstruct, domain: EdgeDomain): void {
  domains.set(owner, domain);
}

export function edgeDomainOf(owner: IConstruct): EdgeDomain {
  return domains.get(owner)!;
}

/**
 * The host names the services of one edge answer at besides its `domainName` (Copilot's `http.alias` list): each an
 * alternate domain name of the distribution and a name on its certificate, counted against both quotas as services
 * add them, so the one that would cross a quota is refused by name at synth.
 */
export class EdgeAliases {
  private readonly names: string[] = [];
  private hostRouting = false;

  constructor(private readonly domain: EdgeDomain) {}

  /**
   * Adds a service's aliases, or refuses them (all problems together): a name another service of the edge takes, or
   * one past the certificate's or the distribution's quota. `hostRouted` when the service's rules match them.
   */
  public claim(scope: IConstruct, aliases: string[], hostRouted: boolean): void {
    const names = [this.domain.domainName!, ...this.names];
    checkAll([
      ...aliases.map((alias, i) => () => {
        if (names.includes(alias)) {
          invalidProp(scope, `aliases[${i}]`, alias, 'another service of this edge (or the edge\'s domainName) already answers at it; each host name goes to one service, drop it from one of them');
        }
      }),
      () => {
        const total = 1 + this.names.length + aliases.length;
        if (!this.domain.userCertificate && this.domain.hostedZone && total > MAX_CERTIFICATE_DOMAIN_NAMES) {
          invalidProp(scope, 'aliases', aliases, `the distribution's certificate would cover ${total} domain names (domainName and every alias of the edge), over ACM's `
            + `default quota of ${MAX_CERTIFICATE_DOMAIN_NAMES} per certificate (${ACM_QUOTAS}); drop aliases, or raise the quota and give a certificate of your own (domainCertificate) covering them`);
        }
        if (total > MAX_DISTRIBUTION_ALIASES) {
          invalidProp(scope, 'aliases', aliases, `the distribution would have ${total} alternate domain names, over CloudFront's default quota of `
            + `${MAX_DISTRIBUTION_ALIASES} (${CLOUDFRONT_QUOTAS}); drop aliases or give some services an edge of their own`);
        }
      },
    ]);
    this.names.push(...aliases);
    this.hostRouting ||= hostRouted && aliases.length > 0;
  }

  /** Every alternate domain name of the distribution, resolved at synth: services added later count. */
  public distributionNames(): string[] {
    return Lazy.list({ produce: () => [this.domain.domainName!, ...this.names] });
  }

  /** The aliases of the edge's services, resolved at synth. */
  public alternativeNames(): () => string[] {
    return () => [...this.names];
  }

  /**
   * The viewer's Host header reaches the load balancer once a service routes by host (CloudFront otherwise sends the
   * origin's name); resolved at synth, so a service added later turns it on.
   */
  public originRequestPolicy(scope: Construct): cloudfront.IOriginRequestPolicy {
    const { ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST_HEADER } = cloudfront.OriginRequestPolicy;
    const policy = () => (this.hostRouting ? ALL_VIEWER : ALL_VIEWER_EXCEPT_HOST_HEADER);
    const originRequestPolicyId = Lazy.string({ produce: () => policy().originRequestPolicyId });
    return cloudfront.OriginRequestPolicy.fromOriginRequestPolicyId(scope, 'OriginRequestPolicy', originRequestPolicyId);
  }
}

/**
 * A service's `aliases`: names known at synth, in the hosted zone, not wildcards, on an edge with CloudFront and a
 * custom domain; a service that shares the edge routes by them, which the cached paths (cached without the Host
 * header) would bypass.
 */
export function aliasChecks(scope: IConstruct, aliases: string[] | undefined, domain: EdgeDomain, sharing: boolean): Array<() => void> {
  if (aliases === undefined) return [];
  return [
    ...hostNameChecks(scope, 'aliases', aliases, domain.hostedZone, domain.loadBalancerDomainName,
      'each alias gets DNS records and, on a shared edge, listener rule conditions'),
    () => {
      const where = sharing ? ' on the service that owns the edge' : '';
      if (!domain.cloudFront) {
        invalidProp(scope, 'aliases', aliases, `aliases are alternate domain names of the CloudFront distribution; keep cloudFront on${where} or drop aliases`);
      } else if (domain.domainName === undefined) {
        invalidProp(scope, 'aliases', aliases, `aliases join the distribution's custom domain; set domainName${where} (e.g. 'api.example.com') or drop aliases`);
      }
    },
    () => {
      if (sharing && domain.cachedPathPatterns.length > 0 && aliases.length > 0) {
        invalidProp(scope, 'aliases', aliases, 'the edge caches paths (cachedPathPatterns) without the Host header, so cached requests would skip host-based routing '
          + 'and could be answered from another host\'s cache; drop cachedPathPatterns on the service that owns the edge, or route this service by paths');
      }
    },
  ];
}

/**
 * Host names a workload answers at (`prop`, e.g. `aliases`): a list of names known at synth, unique, not wildcards,
 * inside `zone` (where their certificate validation and records go), and never the load balancer's own name.
 * @param why what is written from the names at synth, for the error of a token
 */
export function hostNameChecks(
  scope: IConstruct, prop: string, names: string[], zone: route53.IHostedZone | undefined, loadBalancerName: string | undefined, why: string,
): Array<() => void> {
  const zoneName = zone ? zoneNameOf(zone) : undefined;
  return [
    () => requireSynthValue(scope, prop, names, why),
    () => {
      if (isToken(names)) return;
      if (!Array.isArray(names)) {
        invalidProp(scope, prop, names, 'give a list of host names, e.g. [\'www.example.com\']');
        return;
      }
      validateUnique(scope, prop, names);
      names.forEach((name, i) => {
        const itemProp = `${prop}[${i}]`;
        validateHostName(scope, itemProp, name, zoneName);
        if (name === loadBalancerName) invalidProp(scope, itemProp, name, 'that is the load balancer\'s own host name; pick another name');
      });
    },
  ];
}

/** One host name: text known at synth, no wildcard, a valid domain name inside the zone named `zoneName` (if known). */
export function validateHostName(scope: IConstruct, prop: string, name: unknown, zoneName: string | undefined): void {
  if (typeof name !== 'string') return invalidProp(scope, prop, name, 'give a host name as text, e.g. \'www.example.com\'');
  if (isToken(name)) return invalidProp(scope, prop, name, 'its DNS records and rule conditions are written at synth; give the name as text');
  if (name.includes('*')) return invalidProp(scope, prop, name, 'a wildcard alias is not supported; list each host name');
  validateDomainName(scope, prop, name);
  if (zoneName !== undefined && !isToken(zoneName) && name !== zoneName && !name.endsWith(`.${zoneName}`)) {
    invalidProp(scope, prop, name, `it must be inside the hosted zone ${zoneName}, where its certificate validation and alias records go`);
  }
}

/** Two services (of any platform of the app) may not create records for one name in one zone. */
export function claimAliasNames(scope: IConstruct, zone: route53.IHostedZone | undefined, aliases: string[], prop = 'aliases'): void {
  if (!zone) return;
  aliases.forEach((alias, i) => claimPhysicalName(scope, 'DNS name', zone.hostedZoneId, alias, `${prop}[${i}]`, alias));
}

/**
 * The A and AAAA aliases of each name to the distribution. Their construct IDs come from the name, never from its
 * position: a record moved to a new logical ID is created before the old one is deleted, and Route 53 refuses a
 * second record of the same name and type.
 */
export function addAliasRecords(scope: Construct, zone: route53.IHostedZone, distribution: cloudfront.IDistribution, aliases: string[]): void {
  const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(distribution));
  for (const alias of aliases) {
    new route53.ARecord(scope, `Alias ${alias}`, { zone, recordName: alias, target });
    new route53.AaaaRecord(scope, `AliasIpv6 ${alias}`, { zone, recordName: alias, target });
  }
}

/**
 * Gives a DNS-validated certificate of `domainName` the names `alternativeNames` yields at synth, each validated in
 * `hostedZoneId`. A certificate without them renders as before: a change of the names replaces the certificate.
 */
export function coverAlternativeNames(
  certificate: acm.Certificate, domainName: string, hostedZoneId: string, alternativeNames: () => string[],
): void {
  const cfn = certificate.node.defaultChild as acm.CfnCertificate;
  cfn.subjectAlternativeNames = Lazy.list({ produce: alternativeNames }, { omitEmpty: true });
  cfn.domainValidationOptions = Lazy.any({ produce: () => [domainName, ...alternativeNames()].map(name => ({ domainName: name, hostedZoneId })) });
}

/** A short, stable digest of the alternative names (their order ignored), empty without any. */
export function namesDigest(names: string[]): string {
  if (names.length === 0) return '';
  return createHash('sha256').update([...names].sort().join(',')).digest('hex').slice(0, 12);
}

/** The hosted zone's name as DNS records and certificates take it: Route 53's trailing dot dropped, lower case. */
export function zoneNameOf(zone: route53.IHostedZone): string | undefined {
  let name: string;
  try {
    name = zone.zoneName;
  } catch {
    return undefined; // a zone imported by ID alone has no name to check against
  }
  return isToken(name) ? name : name.replace(/\.$/, '').toLowerCase();
}
