import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { IContainerConnection } from './container-connection';
import { acknowledge } from './private/compliance';
import { createRetainedKey } from './private/kms';
import { dataSubnetType, requireSubnets } from './private/subnets';
import { invalidProp, isToken, validateIntegerRange } from './private/validation';
import { warnWeakenedDefault } from './private/warnings';

/**
 * A PostgreSQL database a container can connect to: `DB_HOST`, `DB_PORT`, `DB_NAME` as environment (where they
 * are not secret), `DB_USER`, `DB_PASSWORD` as secrets. Implemented by `PrivateDatabase` and by
 * `PrivateDatabase.fromExistingDatabase`.
 */
export interface IDatabaseConnection extends IContainerConnection {}

/** Connection details of a database this library does not manage (seed 001: an RDS instance outside the stack). */
export interface ExistingDatabaseAttributes {
  /** ID of the database's security group; clients are admitted to it on `port`. */
  readonly securityGroupId: string;
  /** SSM parameter (String) holding the host name; injected as `DB_HOST`. */
  readonly hostParameterName: string;
  /**
   * Database port.
   * @default 5432
   */
  readonly port?: number;
  /**
   * Database name, injected as `DB_NAME`.
   * @default - not injected
   */
  readonly databaseName?: string;
  /**
   * Secret with `username` and `password` keys, injected as `DB_USER` and `DB_PASSWORD`.
   * @default - `usernameParameterName` and `passwordParameterName` are used
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * SSM parameter (String or SecureString) holding the user name, when there is no `secret`.
   * @default - no `DB_USER`
   */
  readonly usernameParameterName?: string;
  /**
   * SSM SecureString parameter holding the password, when there is no `secret`.
   * @default - no `DB_PASSWORD`
   */
  readonly passwordParameterName?: string;
}

/** Props of `PrivateDatabase`. */
export interface PrivateDatabaseProps {
  /** VPC with isolated subnets (private subnets with egress are used if it has none). */
  readonly vpc: ec2.IVpc;
  /**
   * Production settings: multi-AZ, deletion protection, 7-day backups. Turn off only for development.
   * @default true
   */
  readonly production?: boolean;
  /**
   * Name of the database created in the instance.
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * Master user name.
   * @default 'app_admin'
   */
  readonly masterUsername?: string;
  /**
   * Instance type.
   * @default - db.t4g.medium (Graviton)
   */
  readonly instanceType?: ec2.InstanceType;
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
   * @default - same as `production`
   */
  readonly multiAz?: boolean;
  /**
   * Protect the instance against deletion. Turning it off in production warns at synth.
   * @default - same as `production`
   */
  readonly deletionProtection?: boolean;
  /**
   * KMS key for storage, Performance Insights and the credentials secret.
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
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

const POSTGRES_PORT = 5432;

/**
 * RDS PostgreSQL in isolated subnets, never public, that only the clients you grant can reach.
 *
 * Credentials are generated into Secrets Manager and handed to containers as ECS secrets; storage is encrypted
 * with KMS, TLS is forced, and the instance is snapshotted (never deleted outright) when removed.
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
    validateProps(this, props);
    const production = props.production ?? true;
    this.databaseName = props.databaseName ?? 'app';

    this.encryptionKey = props.encryptionKey ?? createRetainedKey(this, 'EncryptionKey', 'PrivateDatabase storage, Performance Insights and credentials');
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: ingress only from granted clients',
      allowAllOutbound: false,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine: engine(props),
      description: 'TLS-only PostgreSQL with connection logging',
      parameters: { 'rds.force_ssl': '1', 'log_connections': '1', 'log_disconnections': '1' },
    });
    const credentials = rds.Credentials.fromGeneratedSecret(props.masterUsername ?? 'app_admin', {
      encryptionKey: this.encryptionKey,
      excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
    });
    const multiAz = props.multiAz ?? production;
    const deletionProtection = props.deletionProtection ?? production;
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: engine(props),
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      vpc: props.vpc,
      vpcSubnets: requireSubnets(this, props.vpc, dataSubnetType(props.vpc), 2, 'an RDS subnet group'),
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      credentials,
      databaseName: this.databaseName,
      parameterGroup,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      maxAllocatedStorage: props.maxAllocatedStorageGiB ?? 100,
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
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
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.secret = this.instance.secret!;
    // Losing the secret would lock everyone out of a retained snapshot: keep it on delete.
    this.generatedSecret().applyRemovalPolicy(RemovalPolicy.RETAIN);
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
      DB_USER: ecs.Secret.fromSecretsManager(this.secret, 'username'),
      DB_PASSWORD: ecs.Secret.fromSecretsManager(this.secret, 'password'),
    };
    this.warnOnWeakenedDefaults(props, multiAz, deletionProtection);
    this.acknowledgeFindings(props);
  }

  /** The instance's security group connections. */
  public get connections(): ec2.Connections {
    return this.securityGroup.connections;
  }

  public allowFrom(client: ec2.IConnectable): void {
    this.securityGroup.connections.allowFrom(client, ec2.Port.tcp(POSTGRES_PORT), 'PostgreSQL from a granted client');
  }

  /** Let a principal read the credentials secret (ECS does this for the execution role of containers using `containerSecrets`). */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }

  private generatedSecret(): secretsmanager.CfnSecret {
    return this.instance.node.findAll().find((c): c is secretsmanager.CfnSecret => c instanceof secretsmanager.CfnSecret)!;
  }

  private warnOnWeakenedDefaults(props: PrivateDatabaseProps, multiAz: boolean, deletionProtection: boolean): void {
    if (props.production === false) return;
    const fix = 'keep the default in production, or set production: false for a throw-away environment';
    if (!multiAz) warnWeakenedDefault(this, 'multiAz', multiAz, 'a zone outage takes the production database down', fix);
    if (!deletionProtection) warnWeakenedDefault(this, 'deletionProtection', deletionProtection, 'a stack update or removal can delete the production database', fix);
  }

  private acknowledgeFindings(props: PrivateDatabaseProps): void {
    const defaultPort = 'The standard PostgreSQL port is kept: the instance is unreachable except from granted security groups, so obscurity adds nothing.';
    const acks = [
      { id: 'AwsSolutions-RDS11', reason: defaultPort },
      { id: 'rds_instance_no_default_ports_check', reason: defaultPort },
    ];
    if (!props.iamAuthentication) {
      acks.push({ id: 'rds_instance_iam_authentication_enabled_check', reason: 'Applications use the generated password from Secrets Manager; set iamAuthentication to add IAM auth.' });
      acks.push({ id: 'AwsSolutions-RDS6', reason: 'Applications use the generated password from Secrets Manager; set iamAuthentication to add IAM auth.' });
    }
    if (!(props.multiAz ?? props.production ?? true)) {
      acks.push({ id: 'AwsSolutions-RDS3', reason: 'Single-AZ is the explicit development setting (production: false or multiAz: false).' });
      acks.push({ id: 'rds_instance_multi_az_support_check', reason: 'Single-AZ is the explicit development setting (production: false or multiAz: false).' });
    }
    if ((props.backupRetentionDays ?? 7) < 7) {
      acks.push({ id: 'rds_instance_backup_enabled_check', reason: 'Backups shorter than 7 days are an explicit development setting (backupRetentionDays).' });
    }
    if (!(props.deletionProtection ?? props.production ?? true)) {
      acks.push({ id: 'AwsSolutions-RDS10', reason: 'Deletion protection is off by explicit development setting; the instance is still snapshotted on delete.' });
      acks.push({ id: 'rds_instance_deletion_protection_enabled_check', reason: 'Deletion protection is off by explicit development setting; the instance is still snapshotted on delete.' });
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

class ExistingDatabase extends Construct implements IDatabaseConnection {
  public readonly containerEnvironment: { [key: string]: string };
  public readonly containerSecrets: { [key: string]: ecs.Secret };
  private readonly securityGroup: ec2.ISecurityGroup;
  private readonly port: number;

  constructor(scope: Construct, id: string, attrs: ExistingDatabaseAttributes) {
    super(scope, id);
    if (attrs.secret && (attrs.usernameParameterName || attrs.passwordParameterName)) {
      invalidProp(this, 'secret', 'ISecret', 'give either secret or usernameParameterName/passwordParameterName, not both');
    }
    this.port = attrs.port ?? POSTGRES_PORT;
    this.securityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', attrs.securityGroupId, { mutable: true });
    this.containerEnvironment = {
      DB_PORT: String(this.port),
      ...(attrs.databaseName ? { DB_NAME: attrs.databaseName } : {}),
    };
    const parameter = (name: string, parameterName: string) => ecs.Secret.fromSsmParameter(
      ssm.StringParameter.fromStringParameterName(this, name, parameterName));
    this.containerSecrets = {
      DB_HOST: parameter('HostParameter', attrs.hostParameterName),
      ...(attrs.secret ? {
        DB_USER: ecs.Secret.fromSecretsManager(attrs.secret, 'username'),
        DB_PASSWORD: ecs.Secret.fromSecretsManager(attrs.secret, 'password'),
      } : {}),
      ...(attrs.usernameParameterName ? { DB_USER: parameter('UsernameParameter', attrs.usernameParameterName) } : {}),
      ...(attrs.passwordParameterName ? { DB_PASSWORD: parameter('PasswordParameter', attrs.passwordParameterName) } : {}),
    };
  }

  public allowFrom(client: ec2.IConnectable): void {
    this.securityGroup.connections.allowFrom(client, ec2.Port.tcp(this.port), 'PostgreSQL from a granted client');
  }
}

function engine(props: PrivateDatabaseProps): rds.IInstanceEngine {
  return rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion ?? rds.PostgresEngineVersion.VER_17 });
}


function validateProps(scope: Construct, props: PrivateDatabaseProps): void {
  validateIntegerRange(scope, 'allocatedStorageGiB', props.allocatedStorageGiB, 20, 65536);
  validateIntegerRange(scope, 'maxAllocatedStorageGiB', props.maxAllocatedStorageGiB, 20, 65536);
  validateIntegerRange(scope, 'backupRetentionDays', props.backupRetentionDays, 1, 35);
  if ((props.production ?? true) && props.backupRetentionDays !== undefined && props.backupRetentionDays < 7) {
    invalidProp(scope, 'backupRetentionDays', props.backupRetentionDays, 'production keeps at least 7 days of backups; raise it or set production: false');
  }
  const allocated = props.allocatedStorageGiB ?? 20;
  const maxAllocated = props.maxAllocatedStorageGiB;
  if (maxAllocated !== undefined && !isToken(maxAllocated) && !isToken(allocated) && maxAllocated < allocated) {
    invalidProp(scope, 'maxAllocatedStorageGiB', maxAllocated, `must be at least allocatedStorageGiB (${allocated})`);
  }
  if (props.databaseName !== undefined && !/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(props.databaseName)) {
    invalidProp(scope, 'databaseName', props.databaseName, 'use a letter followed by up to 62 letters, digits or underscores (e.g. "app")');
  }
  if (props.masterUsername !== undefined && (!/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/.test(props.masterUsername) || /^(admin|postgres|rdsadmin)$/i.test(props.masterUsername))) {
    invalidProp(scope, 'masterUsername', props.masterUsername, 'use 1-16 letters, digits or underscores starting with a letter, not a reserved name like "postgres" or "rdsadmin"');
  }
}
