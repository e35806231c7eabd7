import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { invalidProp } from './validation';
import { libraryWarningId } from './warnings';

/**
 * Data stores go to isolated subnets when the VPC has them. Otherwise they go to the private subnets with egress,
 * which can reach the internet through NAT: that is said at synth, naming the subnets, never done silently.
 * @param store what is placed, e.g. "the database"
 */
export function dataSubnetType(scope: IConstruct, vpc: ec2.IVpc, store: string): ec2.SubnetType {
  if (vpc.isolatedSubnets.length > 0) return ec2.SubnetType.PRIVATE_ISOLATED;
  const subnets = vpc.privateSubnets.map(subnet => (Token.isUnresolved(subnet.subnetId) ? subnet.node.path : subnet.subnetId));
  Annotations.of(scope).addWarningV2(libraryWarningId('dataSubnets'),
    `vpc ${vpc.node.path} has no PRIVATE_ISOLATED subnets, so ${store} is placed in its subnets with internet egress (${subnets.join(', ')}); `
    + 'its security group still admits only granted clients, but to keep data stores off any route to the internet give a VPC with isolated subnets');
  return ec2.SubnetType.PRIVATE_WITH_EGRESS;
}

const SUBNET_TYPE_NAMES: Record<string, string> = {
  [ec2.SubnetType.PUBLIC]: 'PUBLIC',
  [ec2.SubnetType.PRIVATE_WITH_EGRESS]: 'PRIVATE_WITH_EGRESS',
  [ec2.SubnetType.PRIVATE_ISOLATED]: 'PRIVATE_ISOLATED',
};

/**
 * Selects the subnets of a type, failing at synth with an error that names `vpc` when the VPC has none or spans too
 * few availability zones, instead of CDK's generic selection error or a failed deploy (an ALB and an RDS subnet
 * group need two zones).
 * @param purpose what needs the subnets, e.g. "the load balancer"
 */
export function requireSubnets(scope: IConstruct, vpc: ec2.IVpc, subnetType: ec2.SubnetType, minZones: number, purpose: string): ec2.SubnetSelection {
  const typeName = `ec2.SubnetType.${SUBNET_TYPE_NAMES[subnetType] ?? subnetType}`;
  let zones: string[];
  try {
    zones = vpc.selectSubnets({ subnetType }).availabilityZones;
  } catch {
    zones = [];
  }
  if (zones.length === 0) {
    invalidProp(scope, 'vpc', vpc.node.path, `${typeName} subnets are needed for ${purpose}; give a VPC with a subnet group of that type`);
  }
  const distinct = new Set(zones);
  if (!zones.some(zone => Token.isUnresolved(zone)) && distinct.size < minZones) {
    invalidProp(scope, 'vpc', vpc.node.path,
      `${typeName} subnets in at least ${minZones} availability zones are needed for ${purpose}; this VPC has them in ${distinct.size}, raise maxAzs`);
  }
  return { subnetType };
}
