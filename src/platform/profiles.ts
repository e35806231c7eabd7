import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { EnvironmentProfile } from './environment-profile';
import { TeardownPolicy } from './teardown';

/** Every default that differs between the production and development profiles (docs/adr/0001). */
export interface ProfileDefaults {
  readonly logRetention: logs.RetentionDays;
  /** One NAT gateway per AZ, or a single NAT instance. */
  readonly natGateways: number;
  readonly natInstance: boolean;
  /** Data stores and the pipeline share the platform's one KMS key (1 USD/month) instead of a key each. */
  readonly sharedEncryptionKey: boolean;
  /** What `cdk destroy` does to stateful resources (docs/adr/0006). */
  readonly teardown: TeardownPolicy;
  /** An AWS Backup plan for the platform's database (daily 35 days + monthly 12 months). */
  readonly backups: boolean;
  /** Container Insights of the platform's cluster: per-task and per-container metrics in production (docs/adr/0018). */
  readonly containerInsights: ecs.ContainerInsights;
  readonly service: {
    readonly cpu: number;
    readonly memoryLimitMiB: number;
    readonly minCapacity: number;
    readonly maxCapacity: number;
    /** Every task on Fargate Spot, where the image's architecture allows it. */
    readonly spot: boolean;
    readonly deletionProtection: boolean;
    /** A distribution without an AWS WAF web ACL warns at synth. */
    readonly warnWithoutWebAcl: boolean;
  };
  readonly database: {
    /** Size of the platform's db.t4g instance. */
    readonly instanceSize: ec2.InstanceSize;
    readonly multiAz: boolean;
    readonly deletionProtection: boolean;
    readonly minimumBackupRetentionDays: number;
    /** Turning a production safeguard off warns at synth. */
    readonly warnOnWeakenedDefaults: boolean;
  };
  readonly cache: {
    readonly cacheNodeType: string;
    readonly replicas: number;
    readonly snapshotRetentionDays: number;
    readonly warnOnWeakenedDefaults: boolean;
  };
}

const PROFILES: { readonly [profile: string]: ProfileDefaults } = {
  [EnvironmentProfile.PRODUCTION]: {
    logRetention: logs.RetentionDays.ONE_YEAR,
    natGateways: 2,
    natInstance: false,
    sharedEncryptionKey: false,
    teardown: TeardownPolicy.RETAIN,
    backups: true,
    containerInsights: ecs.ContainerInsights.ENHANCED,
    service: { cpu: 1024, memoryLimitMiB: 2048, minCapacity: 2, maxCapacity: 4, spot: false, deletionProtection: true, warnWithoutWebAcl: true },
    database: {
      instanceSize: ec2.InstanceSize.MEDIUM, multiAz: true, deletionProtection: true, minimumBackupRetentionDays: 7, warnOnWeakenedDefaults: true,
    },
    cache: { cacheNodeType: 'cache.t4g.small', replicas: 1, snapshotRetentionDays: 7, warnOnWeakenedDefaults: true },
  },
  [EnvironmentProfile.DEVELOPMENT]: {
    logRetention: logs.RetentionDays.ONE_MONTH,
    natGateways: 1,
    natInstance: true,
    sharedEncryptionKey: true,
    teardown: TeardownPolicy.DESTROY,
    backups: false,
    containerInsights: ecs.ContainerInsights.ENABLED,
    service: { cpu: 512, memoryLimitMiB: 1024, minCapacity: 1, maxCapacity: 2, spot: true, deletionProtection: false, warnWithoutWebAcl: false },
    database: {
      instanceSize: ec2.InstanceSize.MICRO, multiAz: false, deletionProtection: false, minimumBackupRetentionDays: 1, warnOnWeakenedDefaults: false,
    },
    cache: { cacheNodeType: 'cache.t4g.micro', replicas: 0, snapshotRetentionDays: 1, warnOnWeakenedDefaults: false },
  },
};

/** The defaults of a profile. */
export function profileDefaults(profile: EnvironmentProfile): ProfileDefaults {
  return PROFILES[profile];
}

/** The profile in force for a construct that also takes the deprecated `production` flag. */
export function resolveProfile(profile: EnvironmentProfile | undefined, production: boolean | undefined): EnvironmentProfile {
  return profile ?? (production === false ? EnvironmentProfile.DEVELOPMENT : EnvironmentProfile.PRODUCTION);
}
