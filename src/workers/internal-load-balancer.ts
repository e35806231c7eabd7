import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { enableAlbAccessLogs } from '../private/alb-access-logs';
import { acknowledge } from '../private/compliance';
import { createHardenedLoadBalancer } from '../private/load-balancers';
import { claimPhysicalName } from '../private/naming';
import { checkPropTypes } from '../private/prop-types';
import { requireSubnets } from '../private/subnets';
import { invalidProp, isToken } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';
import { validateHostName, zoneNameOf } from '../service/aliases';
import { EdgeUsage } from '../service/capacity-checks';
import { createAccessLogsBucket } from '../service/edge';

/**
 * HTTPS on an internal load balancer (port 443, beside HTTP on port 80), for workers that callers reach at host names
 * of their own (`internalLoadBalancer.aliases`; Copilot's Backend Service `http.alias`). docs/adr/0023.
 */
export interface InternalHttpsOptions {
  /**
   * Zone of the load balancer's host name and of its workers' aliases: their A records, and (without `certificate`)
   * their certificates' DNS validation, which needs a public zone. The names resolve to the load balancer's private
   * addresses, reachable from inside the VPC only.
   */
  readonly hostedZone: route53.IHostedZone;
  /**
   * Host name of the load balancer, inside the hosted zone: its default certificate and an A record.
   * @default - `internal.<zone name>` (in a `BackendPlatform`: `internal.<environmentName>.<appName>.<zone name>`)
   */
  readonly domainName?: string;
  /**
   * Certificate of the HTTPS listener, covering `domainName` and every alias of its workers (e.g. one issued by AWS
   * Private CA for a private hosted zone: Copilot's `http.private.certificates`). Covering the aliases is then yours.
   * @default - a DNS-validated certificate for `domainName`, and one per worker alias
   */
  readonly certificate?: acm.ICertificate;
}

/** Props of `InternalLoadBalancer`. */
export interface InternalLoadBalancerProps {
  /** VPC of the load balancer (two private subnets with egress) and of its clients. */
  readonly vpc: ec2.IVpc;
  /**
   * Bucket that receives the load balancer's access logs (under `internal-alb/`).
   * @default - a new encrypted, TLS-only, retained bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Protect the load balancer against deletion. Turning it off warns at synth.
   * @default true (in a `BackendPlatform`: true in production, false in development)
   */
  readonly deletionProtection?: boolean;
  /**
   * Also listen on HTTPS (port 443) with a certificate, for workers with `internalLoadBalancer.aliases`.
   * @default - HTTP on port 80 only (a `BackendPlatform` turns HTTPS on, in its hosted zone, with its first worker that has aliases)
   */
  readonly https?: InternalHttpsOptions;
}

/** The ports the internal load balancer listens on (HTTP inside the VPC, and HTTPS for aliases; docs/adr/0023). */
const LISTENER_PORT = 80;
const HTTPS_PORT = 443;

/** Both listeners' default: a path (or host) no worker routes never reaches one. */
const notFound = () => elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' });

/** Where the priority derived from a construct path lands: 1..50000, the ALB's range of rule priorities. */
const MAX_RULE_PRIORITY = 50000;

/**
 * An internal Application Load Balancer for workers in internal mode that callers reach through a load balancer's URL
 * rather than ECS Service Connect (Copilot's Backend Service with an `http` block). It sits in private subnets and has
 * no public address; its security group admits only the clients given to `allowFrom` (a `BackendPlatform` admits
 * every workload of the platform), never an address range. One HTTP listener on port 80 answers 404 to a path no
 * worker routes; each worker with `internalLoadBalancer` adds a target group and one listener rule, at a priority no
 * other worker's presence changes. Access logs go to a bucket, and the load balancer is protected against deletion.
 */
export class InternalLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Its security group: ingress on port 80 from admitted clients only, egress to the workers' ports only. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The HTTP listener (port 80) whose rules route paths to workers; its default answers 404. */
  public readonly listener: elbv2.ApplicationListener;
  /** The bucket that receives its access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The URL the VPC reaches it at, `http://<load balancer DNS name>`; a worker's own is `internalLoadBalancerUrl`. */
  public readonly url: string;
  /** The HTTPS listener (port 443) of the workers' aliases, with `https`; its default answers 404. */
  public httpsListener?: elbv2.ApplicationListener;
  /** Host name of the load balancer in its zone, with `https`. */
  public domainName?: string;
  /** @internal The zone of the aliases, and whether each alias gets a certificate of its own (none given). */
  public _https?: { readonly hostedZone: route53.IHostedZone; readonly certificatePerAlias: boolean };
  /** @internal What the workers on it use of its quotas (listener rules, target groups). */
  public readonly _usage = new EdgeUsage();
  /** @internal The listener rule priority of each worker on it, and the worker's path. */
  public readonly _priorities = new Map<number, string>();
  /** The client security groups admitted so far, by construct path. */
  private readonly admitted = new Map<string, ec2.ISecurityGroup>();

  constructor(scope: Construct, id: string, props: InternalLoadBalancerProps) {
    super(scope, id);
    checkPropTypes(this, 'InternalLoadBalancerProps', props);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: 'Internal ALB: HTTP from the admitted workloads only', allowAllOutbound: false,
    });
    this.loadBalancer = createHardenedLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: false,
      vpcSubnets: requireSubnets(this, props.vpc, ec2.SubnetType.PRIVATE_WITH_EGRESS, 2, 'the internal load balancer'),
      securityGroup: this.securityGroup,
      deletionProtection: props.deletionProtection,
    });
    if (props.deletionProtection === false) {
      warnWeakenedDefault(this, 'deletionProtection', false, 'a stack update or removal can delete the load balancer', 'keep the default (true) outside throw-away environments');
    }
    this.accessLogsBucket = props.accessLogsBucket ?? createAccessLogsBucket(this);
    enableAlbAccessLogs(this.loadBalancer, this.accessLogsBucket, 'internal-alb');
    this.listener = this.loadBalancer.addListener('HttpListener', {
      port: LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: notFound(),
    });
    acknowledge(this.listener, [{
      id: 'alb_http_to_https_redirection_check',
      reason: 'An internal load balancer with no public address, reached from the admitted workloads\' security groups inside the VPC only: no certificate can be issued for its amazonaws.com name, and its callers (like Service Connect\'s) speak HTTP inside the VPC (docs/adr/0023).',
    }]);
    this._usage.claim(this, 'listener', LISTENER_PORT, { listeners: 1 });
    this.url = `http://${this.loadBalancer.loadBalancerDnsName}`;
    if (props.https) this._enableHttps(props.https, 'https');
  }

  /**
   * @internal Adds the HTTPS listener (its certificate, the load balancer's A record, port 443 for every client admitted
   * so far and later). A platform calls it with its first worker that has aliases; `prop` names where `options` came
   * from, `domainProp` what sets the domain name.
   */
  public _enableHttps(options: InternalHttpsOptions, prop: string, domainProp = `${prop}.domainName`): void {
    if (this.httpsListener) return;
    const { hostedZone } = options;
    const zoneName = zoneNameOf(hostedZone);
    if (options.domainName === undefined && (zoneName === undefined || isToken(zoneName))) {
      invalidProp(this, domainProp, undefined, 'the hosted zone\'s name is not known at synth (a zone imported by ID alone); give domainName, e.g. \'internal.example.com\'');
    }
    // ACM validates a public certificate through public DNS only: a private zone would leave the stack waiting.
    if (hostedZone instanceof route53.PrivateHostedZone && options.certificate === undefined) {
      invalidProp(this, `${prop}.certificate`, undefined, `${hostedZone.node.path} is a private hosted zone, where ACM cannot validate a certificate; `
        + 'give a certificate covering the load balancer\'s name and the aliases (e.g. one issued by AWS Private CA), or a public zone');
    }
    const domainName = options.domainName ?? `internal.${zoneName}`;
    validateHostName(this, domainProp, domainName, zoneName);
    claimPhysicalName(this, 'DNS name', hostedZone.hostedZoneId, domainName, domainProp, domainName);
    const certificate = options.certificate ?? new acm.Certificate(this, 'Certificate', {
      domainName, validation: acm.CertificateValidation.fromDns(hostedZone),
    });
    new route53.ARecord(this, 'DomainRecord', {
      zone: hostedZone, recordName: domainName, target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
    });
    this._usage.claim(this, prop, domainName, { listeners: 1, internalGroupInbound: this.admitted.size });
    this.httpsListener = this.loadBalancer.addListener('HttpsListener', {
      port: HTTPS_PORT,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultAction: notFound(),
    });
    this.domainName = domainName;
    this._https = { hostedZone, certificatePerAlias: options.certificate === undefined };
    this.admitted.forEach(group => this.admit(group, HTTPS_PORT));
  }

  /** Admit a client (a web service, a worker, a job) to the load balancer's listener. */
  public allowFrom(client: ec2.IConnectable): void {
    // One inbound rule per client group and port, counted once however often a client is admitted.
    const added = client.connections.securityGroups.filter(group => !this.admitted.has(group.node.path));
    if (added.length === 0) return;
    const ports = this.httpsListener ? [LISTENER_PORT, HTTPS_PORT] : [LISTENER_PORT];
    this._usage.claim(this, 'allowFrom(client)', added.map(group => group.node.path).join(', '), { internalGroupInbound: added.length * ports.length },
      'split the workloads over two platforms (a platform admits every workload it has)');
    added.forEach(group => this.admitted.set(group.node.path, group));
    added.forEach(group => ports.forEach(port => this.admit(group, port)));
  }

  /** Opens `port` to a client's security group; a client in a stack of its own keeps the rule in its stack (docs/adr/0015), as Service Connect's do. */
  private admit(group: ec2.ISecurityGroup, port: number): void {
    const description = port === HTTPS_PORT ? 'Internal ALB clients (HTTPS)' : 'Internal ALB clients';
    if (group.stack === this.securityGroup.stack) {
      this.securityGroup.connections.allowFrom(group, ec2.Port.tcp(port), description);
    } else {
      this.securityGroup.addIngressRule(group, ec2.Port.tcp(port), description, true);
    }
  }

  /**
   * @internal Claims a worker's listener rule priority; a collision is refused with a free priority to pin.
   * `pinned`: the user gave it (`internalLoadBalancer.priority`), rather than the library deriving it.
   */
  public _claimPriority(worker: IConstruct, priority: number, pinned: boolean): void {
    const taken = this._priorities.get(priority);
    // The same path is an earlier attempt at this worker that the platform refused and removed (docs/adr/0017).
    if (taken !== undefined && taken !== worker.node.path) {
      const free = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(k => (priority + k * 7919) % MAX_RULE_PRIORITY + 1).find(p => !this._priorities.has(p));
      invalidProp(worker, 'internalLoadBalancer.priority', pinned ? priority : undefined, `the listener rule priority ${priority}${pinned ? '' : ' derived from its construct path'} `
        + `is already taken by ${taken} on ${this.node.path}; pin this worker's internalLoadBalancer.priority to a free one, e.g. ${free} (leave the other one as it is: its rule is deployed)`);
    }
    this._priorities.set(priority, worker.node.path);
  }
}
