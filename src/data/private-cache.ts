import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IContainerConnection } from './container-connection';
import { IMonitoredCache } from '../monitoring/monitored';
import { EnvironmentProfile } from '../platform/environment-profile';
import { profileDefaults, resolveProfile } from '../platform/profiles';
import { TeardownPolicy } from '../platform/teardown';
import { acknowledge } from '../private/compliance';
import { admitClient } from '../private/connections';
import { checkAll } from '../private/errors';
import { createKey } from '../private/kms';
import { checkPropTypes } from '../private/prop-types';
import { ReaderGrantedSecret } from '../private/secret';
import { dataSubnetType, requireSubnets } from '../private/subnets';
import { declaredTeardown, declareTeardown, removalPolicyOf } from '../private/teardown';
import { invalidProp, isToken, validateIntegerRange, validateProfile } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';

/** Engine of a `PrivateCache`; both speak the Redis protocol (BullMQ, sessions, caching). */
export enum CacheEngine {
  /** Valkey, the open-source Redis fork: the same protocol at a lower ElastiCache price. */
  VALKEY = 'valkey',
  /** Redis OSS. */
  REDIS = 'redis',
}

/** The cache itself: engine, node type, replicas and snapshots. The platform's `cache` takes the same options. */
export interface CacheOptions {
  /**
   * Engine.
   * @default CacheEngine.VALKEY
   */
  readonly engine?: CacheEngine;
  /**
   * Engine version.
   * @default - '8.0' for Valkey, '7.1' for Redis
   */
  readonly engineVersion?: string;
  /**
   * Node type.
   * @default - 'cache.t4g.small' in production, 'cache.t4g.micro' in development
   */
  readonly cacheNodeType?: string;
  /**
   * Read replicas next to the primary (0-5). With at least one, failover is automatic and multi-AZ.
   * 0 in production warns at synth.
   * @default - 1 in production, 0 in development
   */
  readonly replicas?: number;
  /**
   * Days of daily snapshots (0 turns them off, which warns at synth in production).
   * @default - 7 in production, 1 in development
   */
  readonly snapshotRetentionDays?: number;
}

/** Props of `PrivateCache`. */
export interface PrivateCacheProps extends CacheOptions {
  /** VPC with private subnets (isolated ones are used when present). */
  readonly vpc: ec2.IVpc;
  /**
   * Profile whose defaults apply: production has a replica in a second AZ with automatic failover and 7 days of
   * snapshots, and warns when they are turned off; development is a single small node with 1 day of snapshots.
   * @default EnvironmentProfile.PRODUCTION
   */
  readonly profile?: EnvironmentProfile;
  /**
   * Production settings (`false` selects the development profile).
   * @default true
   * @deprecated use `profile`
   */
  readonly production?: boolean;
  /**
   * KMS key for data at rest and the auth token secret.
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What removing the cache from the app (or deleting the stack) does: RETAIN takes a final snapshot and keeps the
   * auth token and key; DESTROY deletes the nodes without a snapshot, the token, and the key after 7 days.
   * In a `BackendPlatform`, the platform's `teardown` applies.
   * @default - the profile's: TeardownPolicy.RETAIN in production, TeardownPolicy.DESTROY in development
   */
  readonly teardown?: TeardownPolicy;
}

const CACHE_PORT = 6379;

/**
 * ElastiCache Valkey/Redis in private subnets for caching, sessions and queues (BullMQ): encrypted in transit and
 * at rest, protected by an auth token kept in Secrets Manager, reachable only from the clients you grant.
 *
 * Containers get `REDIS_HOST`, `REDIS_PORT`, `REDIS_TLS` as environment and `REDIS_PASSWORD` as a secret.
 */
export class PrivateCache extends Construct implements IContainerConnection, IMonitoredCache {
  /** The replication group. */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Secret holding the auth token (`REDIS_PASSWORD`). */
  public readonly authToken: secretsmanager.ISecret;
  /** Security group of the cache nodes. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** KMS key encrypting data at rest and the auth token. */
  public readonly encryptionKey: kms.IKey;
  /** Host name of the primary endpoint. */
  public readonly host: string;
  /** Cache cluster IDs of the nodes (`<group>-001`, ...), the dimension of ElastiCache node metrics. */
  public readonly nodeIds: string[];
  public readonly containerEnvironment: { [key: string]: string };
  public readonly containerSecrets: { [key: string]: ecs.Secret };

  constructor(scope: Construct, id: string, props: PrivateCacheProps) {
    super(scope, id);
    checkPropTypes(this, 'PrivateCacheProps', props);
    validateProps(this, props);
    const profile = profileDefaults(resolveProfile(props.profile, props.production));
    const defaults = profile.cache;
    const engine = props.engine ?? CacheEngine.VALKEY;
    const replicas = props.replicas ?? defaults.replicas;
    declareTeardown(this, props.teardown ?? declaredTeardown(this) ?? profile.teardown);

    this.encryptionKey = props.encryptionKey ?? createKey(this, 'EncryptionKey', 'PrivateCache data at rest and auth token');
    this.authToken = this.createAuthToken();
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Cache: ingress only from granted clients',
      allowAllOutbound: false,
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Private subnets of the cache',
      subnetIds: props.vpc.selectSubnets(requireSubnets(this, props.vpc, dataSubnetType(this, props.vpc, 'the cache'), ...subnetNeeds(replicas))).subnetIds,
    });
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'Private cache',
      engine,
      engineVersion: props.engineVersion ?? (engine === CacheEngine.VALKEY ? '8.0' : '7.1'),
      cacheNodeType: props.cacheNodeType ?? defaults.cacheNodeType,
      numCacheClusters: replicas + 1,
      automaticFailoverEnabled: replicas > 0,
      multiAzEnabled: replicas > 0,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port: CACHE_PORT,
      atRestEncryptionEnabled: true,
      kmsKeyId: this.encryptionKey.keyId,
      transitEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: props.snapshotRetentionDays ?? defaults.snapshotRetentionDays,
      autoMinorVersionUpgrade: true,
    });
    // Removing the cache from the app takes a final snapshot instead of dropping sessions and queued jobs (unless all is destroyed).
    this.replicationGroup.applyRemovalPolicy(removalPolicyOf(this, RemovalPolicy.SNAPSHOT));

    this.host = this.replicationGroup.attrPrimaryEndPointAddress;
    this.nodeIds = Array.from({ length: replicas + 1 }, (_, i) => `${this.replicationGroup.ref}-00${i + 1}`);
    this.containerEnvironment = { REDIS_HOST: this.host, REDIS_PORT: String(CACHE_PORT), REDIS_TLS: 'true' };
    this.containerSecrets = { REDIS_PASSWORD: new ReaderGrantedSecret(this.authToken) };
    if (defaults.warnOnWeakenedDefaults) this.warnOnWeakenedDefaults(replicas, props);
    this.acknowledgeFindings(replicas, props);
  }

  /** The nodes' security group connections. */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }

  public allowFrom(client: ec2.IConnectable): void {
    admitClient(this.securityGroup, client, ec2.Port.tcp(CACHE_PORT), 'Cache from a granted client');
  }

  private createAuthToken(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'Auth token of the private cache; injected into containers as REDIS_PASSWORD',
      encryptionKey: this.encryptionKey,
      // ElastiCache accepts 16-128 printable characters without @, " or /; alphanumerics avoid all quoting trouble.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: removalPolicyOf(this),
    });
    acknowledge(secret, [{ id: 'AwsSolutions-SMG4', reason: 'An auth token rotation needs a coordinated ElastiCache ROTATE + client restart; done by hand, not on a timer.' }]);
    return secret;
  }

  private warnOnWeakenedDefaults(replicas: number, props: PrivateCacheProps): void {
    const fix = 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment';
    if (replicas === 0) warnWeakenedDefault(this, 'replicas', replicas, 'a node failure in production loses the cache and queued jobs until a new node is up', fix);
    if (props.snapshotRetentionDays === 0) {
      warnWeakenedDefault(this, 'snapshotRetentionDays', 0, 'no daily snapshots: a lost production cache cannot be restored', fix);
    }
    if (props.teardown === TeardownPolicy.DESTROY) {
      warnWeakenedDefault(this, 'teardown', props.teardown, 'removing the production cache deletes it without a final snapshot, with its auth token and key', fix);
    }
  }

  private acknowledgeFindings(replicas: number, props: PrivateCacheProps): void {
    const defaultPort = 'The standard Redis port is kept: only granted security groups reach the nodes, so obscurity adds nothing.';
    const acks = [{ id: 'AwsSolutions-AEC5', reason: defaultPort }];
    if (replicas === 0) {
      const singleNode = 'A single node without failover is the explicit development setting (production: false or replicas: 0).';
      acks.push({ id: 'AwsSolutions-AEC4', reason: singleNode });
      acks.push({ id: 'elasticache_repl_grp_auto_failover_enabled_check', reason: singleNode });
    }
    if (props.snapshotRetentionDays === 0) {
      acks.push({ id: 'AwsSolutions-AEC6', reason: 'Snapshots are off by explicit setting (snapshotRetentionDays: 0).' });
      acks.push({ id: 'elasticache_redis_cluster_automatic_backup_check', reason: 'Snapshots are off by explicit setting (snapshotRetentionDays: 0).' });
    }
    acknowledge(this.replicationGroup, acks);
  }
}


/** Failover places a replica in another zone; a single node needs one. */
function subnetNeeds(replicas: number): [minZones: number, purpose: string] {
  return replicas > 0 ? [2, 'a cache with failover'] : [1, 'the cache'];
}

function validateProps(scope: Construct, props: PrivateCacheProps): void {
  checkAll([
    () => validateProfile(scope, props.profile, props.production),
    () => {
      // The node count decides the node IDs monitoring watches and the subnets needed: it must be known at synth.
      if (isToken(props.replicas)) invalidProp(scope, 'replicas', props.replicas, 'give a number from 0 to 5; the node count cannot be a deploy-time value');
      validateIntegerRange(scope, 'replicas', props.replicas, 0, 5);
    },
    () => validateIntegerRange(scope, 'snapshotRetentionDays', props.snapshotRetentionDays, 0, 35),
    () => {
      if (props.cacheNodeType !== undefined && !isToken(props.cacheNodeType) && !/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(props.cacheNodeType)) {
        invalidProp(scope, 'cacheNodeType', props.cacheNodeType, 'use an ElastiCache node type such as "cache.t4g.small"');
      }
    },
    () => {
      if (props.engineVersion !== undefined && !isToken(props.engineVersion) && !/^\d+(\.\d+)?$/.test(props.engineVersion)) {
        invalidProp(scope, 'engineVersion', props.engineVersion, 'use a major.minor version such as "8.0" (Valkey) or "7.1" (Redis)');
      }
    },
  ]);
}
