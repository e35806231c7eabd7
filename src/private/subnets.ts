import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** Data stores go to isolated subnets when the VPC has them, otherwise to private subnets with egress. */
export function dataSubnetType(vpc: ec2.IVpc): ec2.SubnetType {
  return vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS;
}
