import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { enableAlbAccessLogs } from '../private/alb-access-logs';
import { acknowledge } from '../private/compliance';
import { createHardenedLoadBalancer } from '../private/load-balancers';
import { checkPropTypes } from '../private/prop-types';
import { requireSubnets } from '../private/subnets';
import { invalidProp } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';
import { EdgeUsage } from '../service/capacity-checks';
import { createAccessLogsBucket } from '../service/edge';

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
}

/** The port the internal load balancer listens on (HTTP inside the VPC, docs/adr/0023). */
const LISTENER_PORT = 80;

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
  /** @internal What the workers on it use of its quotas (listener rules, target groups). */
  public readonly _usage = new EdgeUsage();
  /** @internal The listener rule priority of each worker on it, and the worker's path. */
  public readonly _priorities = new Map<number, string>();
  /** The construct paths of the client security groups admitted so far. */
  private readonly admitted = new Set<string>();

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
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' }),
    });
    acknowledge(this.listener, [{
      id: 'alb_http_to_https_redirection_check',
      reason: 'An internal load balancer with no public address, reached from the admitted workloads\' security groups inside the VPC only: no certificate can be issued for its amazonaws.com name, and its callers (like Service Connect\'s) speak HTTP inside the VPC (docs/adr/0023).',
    }]);
    this._usage.claim(this, 'listener', LISTENER_PORT, { listeners: 1 });
    this.url = `http://${this.loadBalancer.loadBalancerDnsName}`;
  }

  /** Admit a client (a web service, a worker, a job) to the load balancer's listener. */
  public allowFrom(client: ec2.IConnectable): void {
    const description = 'Internal ALB clients';
    const clientGroups = client.connections.securityGroups;
    // One inbound rule per client group, counted once however often a client is admitted.
    const added = clientGroups.filter(group => !this.admitted.has(group.node.path));
    if (added.length > 0) {
      this._usage.claim(this, 'allowFrom(client)', added.map(group => group.node.path).join(', '), { internalGroupInbound: added.length },
        'split the workloads over two platforms (a platform admits every workload it has)');
      added.forEach(group => this.admitted.add(group.node.path));
    }
    // A client in a stack of its own keeps the rule in its stack (docs/adr/0015), as Service Connect's do.
    if (clientGroups.every(group => group.stack === this.securityGroup.stack)) {
      this.securityGroup.connections.allowFrom(client, ec2.Port.tcp(LISTENER_PORT), description);
    } else {
      clientGroups.forEach(group => this.securityGroup.addIngressRule(group, ec2.Port.tcp(LISTENER_PORT), description, true));
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
