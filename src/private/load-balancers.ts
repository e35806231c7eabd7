import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { acknowledge } from './compliance';

/** Where an application load balancer of the library sits and whether it may be deleted. */
export interface LoadBalancerPlacement {
  readonly vpc: ec2.IVpc;
  readonly internetFacing: boolean;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default true */
  readonly deletionProtection?: boolean;
}

/**
 * An application load balancer as the library hardens every one (the edge's and the internal one): invalid header
 * fields dropped, deletion protection on unless turned off explicitly, which is then acknowledged with its reason.
 */
export function createHardenedLoadBalancer(scope: Construct, id: string, placement: LoadBalancerPlacement): elbv2.ApplicationLoadBalancer {
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, id, {
    ...placement,
    dropInvalidHeaderFields: true,
    deletionProtection: placement.deletionProtection ?? true,
  });
  if (placement.deletionProtection === false) {
    acknowledge(loadBalancer, [{ id: 'elbv2_deletion_protection_enabled_check', reason: 'Deletion protection was turned off explicitly (deletionProtection: false), e.g. by the development profile.' }]);
  }
  return loadBalancer;
}
