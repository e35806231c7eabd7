import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ExistingDatabaseAttributes, IDatabaseConnection } from './database-connection';
import { DatabaseRestoreSource } from './database-restore';
import {
  applyRestore, DEFAULT_DATABASE_NAME, DEFAULT_MASTER_USERNAME, validateDatabaseName, validateMasterUsername, validateRestoreSource,
} from './database-restore-checks';
import { ExistingDatabase, POSTGRES_PORT } from './existing-database';
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
import { invalidProp, isToken, propName, validateIntegerRange, validateProfile } from '../private/validation';
import { warnWeakenedDefault } from '../private/warnings';

/** The database itself: size, engine, storage, backups and safeguards. The platform's `database` takes the same options. */
export interface DatabaseOptions {
  /**
   * Instance type.
   * @default - db.t4g.medium (Graviton); in a `BackendPlatform`, the profile's size (db.t4g.micro in development)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Name of the database created in the instance. Not with `restoreFrom`, whose options name the snapshot's.
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * Master user name. Not with `restoreFrom`, whose options name the snapshot's.
   * @default 'app_admin'
   */
  readonly masterUsername?: string;
  /**
   * Create the instance from a DB snapshot or a point in time instead of empty. On an existing database this
   * replaces the DB instance (new endpoint, the snapshot's data; production snapshots the old one first) and keeps
   * the secret, whose password becomes the restored master user's, the security group, subnet group, parameter
   * group and key. Keep it set afterwards: removing it replaces the instance again, with an empty database.
   * @default - a new, empty database
   */
  readonly restoreFrom?: DatabaseRestoreSource;
  /**
   * PostgreSQL engine version.
   * @default rds.PostgresEngineVersion.VER_17
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /**
   * Initial storage in GiB (gp3).
   * @default 20
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Upper bound of storage autoscaling in GiB.
   * @default 100
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * Days of automated backups (1-35).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Run a standby in a second availability zone. Turning it off in production warns at synth.
   * @default - the profile's: true in production, false in development
   */
  readonly multiAz?: boolean;
  /**
   * Protect the instance against deletion. Turning it off in production warns at synth.
   * @default - the profile's: true in production, false in development
   */
  readonly deletionProtection?: boolean;
  /**
   * Allow IAM database authentication.
   * @default false
   */
  readonly iamAuthentication?: boolean;
  /**
   * Rotate the master password every 30 days with the hosted single-user rotation function, which runs in the
   * VPC's subnets with egress (in a VPC without them, isolated subnets need a Secrets Manager interface endpoint).
   * @default false
   */
  readonly rotation?: boolean;
}

/** Props of `PrivateDatabase`. */
export interface PrivateDatabaseProps extends DatabaseOptions {
  /** VPC with isolated subnets (private subnets with egress are used if it has none). */
  readonly vpc: ec2.IVpc;
  /**
   * Profile whose defaults apply: production is multi-AZ with deletion protection and at least 7 days of backups,
   * and warns when they are turned off; development is single-AZ and destroyable.
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
   * KMS key for storage, Performance Insights and the credentials secret.
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What removing the database from the app (or deleting the stack) does: RETAIN takes a final snapshot and keeps
   * the secret and key; DESTROY deletes the instance without a snapshot, the secret, and the key after 7 days.
   * In a `BackendPlatform`, the platform's `teardown` applies.
   * @default - the profile's: TeardownPolicy.RETAIN in production, TeardownPolicy.DESTROY in development
   */
  readonly teardown?: TeardownPolicy;
}


/**
 * RDS PostgreSQL in isolated subnets, never public, that only the clients you grant can reach.
 *
 * Credentials are generated into Secrets Manager and handed to containers as ECS secrets; storage is encrypted
 * with KMS, TLS is forced, and the instance is snapshotted (never deleted outright) when removed, unless the
 * teardown policy is DESTROY (the development profile's).
 */
export class PrivateDatabase extends Construct implements IDatabaseConnection {
  /** Adopt a database created elsewhere, whose connection details live in SSM parameters and/or a secret. */
  public static fromExistingDatabase(scope: Construct, id: string, attrs: ExistingDatabaseAttributes): IDatabaseConnection {
    return new ExistingDatabase(scope, id, attrs);
  }

  /** The RDS instance. */
  public readonly instance: rds.DatabaseInstance;
  /** Secret with the master credentials (`username`, `password`, `host`, `port`, `dbname`). */
  public readonly secret: secretsmanager.ISecret;
  /** Security group of the instance. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** KMS key encrypting storage and the secret. */
  public readonly encryptionKey: kms.IKey;
  /** Name of the application database. */
  public readonly databaseName: string;
  public readonly containerEnvironment: { [key: string]: string };
  public readonly containerSecrets: { [key: string]: ecs.Secret };

  constructor(scope: Construct, id: string, props: PrivateDatabaseProps) {
    super(scope, id);
    checkPropTypes(this, 'PrivateDatabaseProps', props);
    validateProps(this, props);
    const defaults = databaseDefaults(props);
    this.databaseName = props.restoreFrom?.options.databaseName ?? props.databaseName ?? DEFAULT_DATABASE_NAME;
    const teardown = resolveTeardown(this, props);
    declareTeardown(this, teardown);

    this.encryptionKey = props.encryptionKey ?? createKey(this, 'EncryptionKey', 'PrivateDatabase storage, Performance Insights and credentials');
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: ingress only from granted clients',
      allowAllOutbound: false,
    });
    const multiAz = props.multiAz ?? defaults.multiAz;
    // A database the teardown deletes must not be protected against deletion, or `cdk destroy` would fail on it.
    const deletionProtection = props.deletionProtection ?? (defaults.deletionProtection && teardown !== TeardownPolicy.DESTROY);
    this.instance = this.createInstance(props, multiAz, deletionProtection);
    this.secret = this.instance.secret!;
    // Losing the secret would lock everyone out of a retained snapshot: keep it on delete (unless all is destroyed).
    this.generatedSecret().applyRemovalPolicy(removalPolicyOf(this));
    if (props.rotation) {
      // The rotation function calls the Secrets Manager API: from egress subnets when the VPC has them (isolated ones need an endpoint).
      const subnetType = props.vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
      this.instance.addRotationSingleUser({ vpcSubnets: { subnetType } });
    }

    this.containerEnvironment = {
      DB_HOST: this.instance.dbInstanceEndpointAddress,
      DB_PORT: this.instance.dbInstanceEndpointPort,
      DB_NAME: this.databaseName,
    };
    this.containerSecrets = {
      DB_USER: new ReaderGrantedSecret(this.secret, 'username'),
      DB_PASSWORD: new ReaderGrantedSecret(this.secret, 'password'),
    };
    if (defaults.warnOnWeakenedDefaults) this.warnOnWeakenedDefaults(multiAz, deletionProtection, props.teardown);
    this.acknowledgeFindings(props, multiAz, deletionProtection);
  }

  /** The TLS-only, encrypted, never public instance with a generated master password; snapshotted on delete. */
  private createInstance(props: PrivateDatabaseProps, multiAz: boolean, deletionProtection: boolean): rds.DatabaseInstance {
    const parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine: engine(props),
      description: 'TLS-only PostgreSQL with connection logging',
      parameters: { 'rds.force_ssl': '1', 'log_connections': '1', 'log_disconnections': '1' },
    });
    const restore = props.restoreFrom;
    // A restore keeps the snapshot's master user: the secret holds its name, and its password is set on the restored instance.
    const username = restore ? restore.options.masterUsername ?? DEFAULT_MASTER_USERNAME : props.masterUsername ?? DEFAULT_MASTER_USERNAME;
    const credentials = rds.Credentials.fromGeneratedSecret(username, {
      encryptionKey: this.encryptionKey,
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
    });
    const instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: engine(props),
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      vpc: props.vpc,
      vpcSubnets: requireSubnets(this, props.vpc, dataSubnetType(this, props.vpc, 'the database'), 2, 'an RDS subnet group'),
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      credentials,
      // A restored instance has the snapshot's databases and storage key: CloudFormation takes neither for a restore.
      databaseName: restore ? undefined : this.databaseName,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      maxAllocatedStorage: props.maxAllocatedStorageGiB ?? 100,
      // Only encrypted snapshots are restored (CloudFormation allows StorageEncrypted with them); the key is the snapshot's.
      storageEncrypted: true,
      storageEncryptionKey: restore ? undefined : this.encryptionKey,
      multiAz,
      deletionProtection,
      backupRetention: Duration.days(props.backupRetentionDays ?? 7),
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      monitoringInterval: Duration.seconds(60),
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      iamAuthentication: props.iamAuthentication ?? false,
      removalPolicy: removalPolicyOf(this, RemovalPolicy.SNAPSHOT),
    });
    if (restore) applyRestore(instance, restore);
    return instance;
  }

  /** The instance's security group connections. */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }

  public allowFrom(client: ec2.IConnectable): void {
    admitClient(this.securityGroup, client, ec2.Port.tcp(POSTGRES_PORT), 'PostgreSQL from a granted client');
  }

  /** Let a principal read the credentials secret (ECS does this for the execution role of containers using `containerSecrets`). */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }

  private generatedSecret(): secretsmanager.CfnSecret {
    return this.instance.node.findAll().find((c): c is secretsmanager.CfnSecret => c instanceof secretsmanager.CfnSecret)!;
  }

  private warnOnWeakenedDefaults(multiAz: boolean, deletionProtection: boolean, teardown: TeardownPolicy | undefined): void {
    const fix = 'keep the default in production, or use profile EnvironmentProfile.DEVELOPMENT for a throw-away environment';
    if (teardown === TeardownPolicy.DESTROY) {
      warnWeakenedDefault(this, 'teardown', teardown, 'removing the production database deletes it without a final snapshot, with its secret and key', fix);
    }
    if (!multiAz) warnWeakenedDefault(this, 'multiAz', multiAz, 'a zone outage takes the production database down', fix);
    // Under a DESTROY teardown, no deletion protection is the point (and the teardown itself is what warns).
    if (!deletionProtection && removalPolicyOf(this) !== RemovalPolicy.DESTROY) warnWeakenedDefault(this, 'deletionProtection', deletionProtection, 'a stack update or removal can delete the production database', fix);
  }

  private acknowledgeFindings(props: PrivateDatabaseProps, multiAz: boolean, deletionProtection: boolean): void {
    const defaultPort = 'The standard PostgreSQL port is kept: the instance is unreachable except from granted security groups, so obscurity adds nothing.';
    const acks = [
      { id: 'AwsSolutions-RDS11', reason: defaultPort },
      { id: 'rds_instance_no_default_ports_check', reason: defaultPort },
    ];
    if (!props.iamAuthentication) {
      acks.push({ id: 'rds_instance_iam_authentication_enabled_check', reason: 'Applications use the generated password from Secrets Manager; set iamAuthentication to add IAM auth.' });
      acks.push({ id: 'AwsSolutions-RDS6', reason: 'Applications use the generated password from Secrets Manager; set iamAuthentication to add IAM auth.' });
    }
    if (!multiAz) {
      acks.push({ id: 'AwsSolutions-RDS3', reason: 'Single-AZ is the explicit development setting (production: false or multiAz: false).' });
      acks.push({ id: 'rds_instance_multi_az_support_check', reason: 'Single-AZ is the explicit development setting (production: false or multiAz: false).' });
    }
    if ((props.backupRetentionDays ?? 7) < 7) {
      acks.push({ id: 'rds_instance_backup_enabled_check', reason: 'Backups shorter than 7 days are an explicit development setting (backupRetentionDays).' });
    }
    if (!deletionProtection) {
      const why = removalPolicyOf(this) === RemovalPolicy.DESTROY
        ? 'Deletion protection is off because the teardown policy is DESTROY (the development default): the environment is meant to be deleted.'
        : 'Deletion protection is off by explicit development setting; the instance is still snapshotted on delete.';
      acks.push({ id: 'AwsSolutions-RDS10', reason: why });
      acks.push({ id: 'rds_instance_deletion_protection_enabled_check', reason: why });
    }
    if (props.restoreFrom) {
      const snapshotKey = 'A restored instance is encrypted with the key of its snapshot (or source instance): CloudFormation takes no KmsKeyId for a restore. Snapshots of this database use its own key.';
      acks.push({ id: 'rds_storage_encrypted_kms_key_check', reason: snapshotKey });
    }
    acknowledge(this.instance, acks);
    acknowledge(this.instance.node.findChild('MonitoringRole'), [
      { id: 'AwsSolutions-IAM4', reason: 'AmazonRDSEnhancedMonitoringRole is the AWS-documented policy of the enhanced monitoring role.', appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'] },
    ], { recursive: true });
    if (!props.rotation) {
      acknowledge(this.generatedSecret(), [{ id: 'AwsSolutions-SMG4', reason: 'Rotation is opt-in (rotation: true): running tasks read the password at start, so rotation needs clients that re-read it.' }]);
    }
  }
}

function engine(props: PrivateDatabaseProps): rds.IInstanceEngine {
  return rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion ?? rds.PostgresEngineVersion.VER_17 });
}


function databaseDefaults(props: PrivateDatabaseProps) {
  return profileDefaults(resolveProfile(props.profile, props.production)).database;
}

/** The database's own `teardown`, else the enclosing platform's, else the profile's. */
function resolveTeardown(scope: Construct, props: PrivateDatabaseProps): TeardownPolicy {
  return props.teardown ?? declaredTeardown(scope) ?? profileDefaults(resolveProfile(props.profile, props.production)).teardown;
}

function validateProps(scope: Construct, props: PrivateDatabaseProps): void {
  const minimumBackupDays = databaseDefaults(props).minimumBackupRetentionDays;
  const allocated = props.allocatedStorageGiB ?? 20;
  const maxAllocated = props.maxAllocatedStorageGiB;
  checkAll([
    () => validateProfile(scope, props.profile, props.production),
    () => validateIntegerRange(scope, 'allocatedStorageGiB', props.allocatedStorageGiB, 20, 65536),
    () => validateIntegerRange(scope, 'maxAllocatedStorageGiB', props.maxAllocatedStorageGiB, 20, 65536),
    () => validateIntegerRange(scope, 'backupRetentionDays', props.backupRetentionDays, 1, 35),
    () => {
      if (props.backupRetentionDays !== undefined && !isToken(props.backupRetentionDays) && props.backupRetentionDays < minimumBackupDays) {
        invalidProp(scope, 'backupRetentionDays', props.backupRetentionDays, `production keeps at least ${minimumBackupDays} days of backups; raise it or use profile EnvironmentProfile.DEVELOPMENT`);
      }
    },
    () => {
      if (props.deletionProtection === true && resolveTeardown(scope, props) === TeardownPolicy.DESTROY) {
        invalidProp(scope, 'deletionProtection', true, 'the teardown policy DESTROY deletes the database with the stack, which deletion protection would block; drop deletionProtection or use TeardownPolicy.RETAIN');
      }
    },
    () => {
      if (maxAllocated !== undefined && !isToken(maxAllocated) && !isToken(allocated) && maxAllocated < allocated) {
        invalidProp(scope, 'maxAllocatedStorageGiB', maxAllocated, `must be at least allocatedStorageGiB (${allocated})`);
      }
    },
    () => validateDatabaseName(scope, 'databaseName', props.databaseName),
    () => validateMasterUsername(scope, 'masterUsername', props.masterUsername),
    () => validateRestoreSource(scope, 'restoreFrom', props.restoreFrom),
    () => {
      if (props.restoreFrom && props.databaseName !== undefined) {
        invalidProp(scope, 'databaseName', props.databaseName, `a restored database keeps the snapshot's databases and creates none; drop ${propName(scope, 'databaseName')}, and name the one the services connect to in ${propName(scope, 'restoreFrom')}: DatabaseRestoreSource.fromSnapshot(snapshot, { databaseName: ${JSON.stringify(props.databaseName)} })`);
      }
    },
    () => {
      if (props.restoreFrom && props.masterUsername !== undefined) {
        invalidProp(scope, 'masterUsername', props.masterUsername, `a restored database keeps the snapshot's master user; drop ${propName(scope, 'masterUsername')}, and name that user in ${propName(scope, 'restoreFrom')}: DatabaseRestoreSource.fromSnapshot(snapshot, { masterUsername: ${JSON.stringify(props.masterUsername)} })`);
      }
    },
  ]);
}
