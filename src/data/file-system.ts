import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../private/compliance';
import { removalPolicyOf } from '../private/teardown';

/** The NFS client actions of EFS (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html). */
export const EFS_CLIENT_ACTIONS = ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite', 'elasticfilesystem:ClientRootAccess'];

/** How a workload's (or a platform's) file system is created. */
export interface FileSystemSettings {
  readonly vpc: ec2.IVpc;
  readonly encryptionKey: kms.IKey;
  /**
   * EFS automatic backups (daily, kept 35 days, in the account's default vault): on unless an AWS Backup plan of
   * the caller covers the file system.
   */
  readonly automaticBackups: boolean;
}

/**
 * An EFS file system for workload volumes: encrypted with the given key, mount targets in the VPC's private subnets
 * with egress (the tasks' subnets, one per Availability Zone), its own security group that admits NFS only from the
 * workloads that mount it, and a file system policy that refuses every client that mounts without TLS or without an
 * access point (so no client reaches the root directory or another workload's directory). Removed with the stack
 * only when the teardown policy destroys data (retained in production).
 */
export function createFileSystem(scope: Construct, id: string, settings: FileSystemSettings): efs.FileSystem {
  const securityGroup = new ec2.SecurityGroup(scope, `${id}SecurityGroup`, {
    vpc: settings.vpc,
    description: 'EFS mount targets: NFS from the workloads that mount the file system only',
    // A mount target answers NFS clients and never opens a connection itself.
    allowAllOutbound: false,
  });
  const fileSystem = new efs.FileSystem(scope, id, {
    vpc: settings.vpc,
    // EFS refuses a second mount target in a zone: a VPC with two subnet groups of this type must still get one per zone.
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, onePerAz: true },
    securityGroup,
    encrypted: true,
    kmsKey: settings.encryptionKey,
    enableAutomaticBackups: settings.automaticBackups,
    removalPolicy: removalPolicyOf(scope),
    // The policy below replaces aws-cdk-lib's default statement (write and root access for any principal through a mount target).
    allowAnonymousAccess: true,
    fileSystemPolicy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyWithoutTls',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: EFS_CLIENT_ACTIONS,
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        new iam.PolicyStatement({
          sid: 'DenyWithoutAccessPoint',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: EFS_CLIENT_ACTIONS,
          conditions: { Null: { 'elasticfilesystem:AccessPointArn': 'true' } },
        }),
      ],
    }),
  });
  if (!settings.automaticBackups) {
    const cfn = fileSystem.node.defaultChild as efs.CfnFileSystem;
    cfn.backupPolicy = { status: 'DISABLED' };
    acknowledge(fileSystem, [{
      id: 'efs_automatic_backups_enabled_check',
      reason: 'The file system is a resource of the platform\'s AWS Backup plan (daily and monthly recovery points in its locked-down vault); EFS automatic backups would only duplicate them.',
    }]);
  }
  return fileSystem;
}
