import { Arn, ArnFormat, Aws, Duration, Fn, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TeardownPolicy } from '../platform/teardown';
import { acknowledge } from '../private/compliance';
import { checkAll } from '../private/errors';
import { createKey } from '../private/kms';
import { checkPropTypes } from '../private/prop-types';
import { declareTeardown } from '../private/teardown';
import { invalidProp, isToken, propName, requireSynthValue } from '../private/validation';

/** A copy of every recovery point in a vault of another region, for disaster recovery. */
export interface BackupCopyOptions {
  /** ARN of the destination backup vault, in another region (the same or another account). */
  readonly destinationVaultArn: string;
  /**
   * How long the copies are kept (whole days).
   * @default - as long as the recovery points they copy
   */
  readonly retention?: Duration;
}

/**
 * AWS Backup Vault Lock: no recovery point in the vault can be deleted, or its retention shortened, before
 * `minRetention`, by anyone. Backup and copy jobs whose retention is outside the lock's range fail.
 */
export interface BackupVaultLockOptions {
  /** The shortest retention a recovery point in the vault may have (whole days, at least 1). */
  readonly minRetention: Duration;
  /**
   * The longest retention a recovery point in the vault may have (whole days).
   * @default - no maximum
   */
  readonly maxRetention?: Duration;
  /**
   * Cooling-off time before the lock becomes immutable (compliance mode; AWS Backup needs at least 3 days). Without it
   * the lock is in governance mode: users with the IAM permission may still remove it.
   * @default - governance mode
   */
  readonly changeableFor?: Duration;
}

/** How long recovery points are kept, where they are copied and whether the vault is locked. The platform's `backups` takes the same options. */
export interface DataBackupOptions {
  /**
   * How long the daily recovery points (taken at 05:00 UTC) are kept (whole days).
   * @default Duration.days(35)
   */
  readonly dailyRetention?: Duration;
  /**
   * How long the monthly recovery points (taken on the 1st at 05:00 UTC) are kept (whole days).
   * @default Duration.days(365)
   */
  readonly monthlyRetention?: Duration;
  /**
   * Copy every recovery point to a vault in another region.
   * @default - no copy
   */
  readonly copy?: BackupCopyOptions;
  /**
   * Lock the vault (AWS Backup Vault Lock).
   * @default - no lock
   */
  readonly vaultLock?: BackupVaultLockOptions;
  /**
   * Name of the vault (2-50 letters, digits, hyphens, underscores). A vault is kept when its stack is deleted, so a
   * fixed name makes the next create of the same stack fail; the default is unique to each creation of the stack.
   * A platform whose vault was created with the former fixed name keeps that vault by setting it here (docs/adr/0006).
   * @default - the construct's unique name and the first part of the stack's ID
   */
  readonly vaultName?: string;
}

/** Props of `DataBackups`. */
export interface DataBackupsProps extends DataBackupOptions {
  /**
   * RDS instances to back up.
   * @default - none
   */
  readonly databases?: rds.IDatabaseInstance[];
  /**
   * S3 buckets to back up; AWS Backup needs versioning on them.
   * @default - none
   */
  readonly buckets?: s3.IBucket[];
  /**
   * EFS file systems to back up (turn their own automatic backups off: the plan replaces them).
   * @default - none
   */
  readonly fileSystems?: efs.IFileSystem[];
  /**
   * KMS key encrypting the vault.
   * @default - a new key with rotation, retained on delete like the vault
   */
  readonly encryptionKey?: kms.IKey;
}

const DEFAULT_DAILY = Duration.days(35);
const DEFAULT_MONTHLY = Duration.days(365);

/**
 * An AWS Backup plan for the data of a backend: daily recovery points kept 35 days and monthly ones kept 12 months,
 * in a vault encrypted with a customer-managed key, optionally copied to another region and locked.
 *
 * Use it on its own for any RDS instance, versioned bucket or EFS file system; `BackendPlatform` creates one for its database in the
 * production profile. The vault and its key are retained on delete whatever the teardown policy: recovery points
 * exist to outlive the stack (docs/adr/0006). ElastiCache is not an AWS Backup resource: the cache keeps its own
 * daily snapshots (`snapshotRetentionDays`).
 */
export class DataBackups extends Construct {
  /** The vault holding the recovery points. */
  public readonly vault: backup.BackupVault;
  /** The plan: a daily and a monthly rule. */
  public readonly plan: backup.BackupPlan;
  /** The selection of resources the plan backs up. */
  public readonly selection: backup.BackupSelection;
  /** The key encrypting the vault. */
  public readonly encryptionKey: kms.IKey;
  private readonly role: iam.Role;
  private readonly fileSystems = new Map<efs.IFileSystem, backup.BackupSelection>();

  constructor(scope: Construct, id: string, props: DataBackupsProps) {
    super(scope, id);
    checkPropTypes(this, 'DataBackupsProps', props);
    validateProps(this, props);
    // Recovery points are for the day the stack (or the region) is gone: the vault and its key never follow a DESTROY teardown.
    declareTeardown(this, TeardownPolicy.RETAIN);
    this.encryptionKey = props.encryptionKey ?? createKey(this, 'VaultKey', 'AWS Backup vault of the backend data');
    const lock = props.vaultLock;
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName ?? perStackInstanceName(this, 50),
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: lock ? { minRetention: lock.minRetention, maxRetention: lock.maxRetention, changeableFor: lock.changeableFor } : undefined,
    });
    const copy = props.copy;
    const destination = copy ? backup.BackupVault.fromBackupVaultArn(this, 'CopyDestination', copy.destinationVaultArn) : undefined;
    const rule = (name: string, schedule: events.Schedule, retention: Duration) => new backup.BackupPlanRule({
      ruleName: name,
      scheduleExpression: schedule,
      deleteAfter: retention,
      copyActions: destination ? [{ destinationBackupVault: destination, deleteAfter: copy!.retention ?? retention }] : undefined,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      // Plan names are unique per account and region: two platforms must not collide.
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50 }),
      backupVault: this.vault,
      backupPlanRules: [
        rule('Daily', events.Schedule.cron({ minute: '0', hour: '5' }), props.dailyRetention ?? DEFAULT_DAILY),
        rule('Monthly', events.Schedule.cron({ minute: '0', hour: '5', day: '1' }), props.monthlyRetention ?? DEFAULT_MONTHLY),
      ],
    });
    this.role = this.selectionRole(props);
    const resources = [
      ...(props.databases ?? []).map(db => backup.BackupResource.fromRdsDatabaseInstance(db)),
      ...(props.buckets ?? []).map(bucket => backup.BackupResource.fromArn(bucket.bucketArn)),
    ];
    // AWS Backup refuses a selection of nothing: a plan of file systems only has their selections alone.
    const selection = resources.length > 0 ? this.plan.addSelection('Selection', { role: this.role, resources }) : undefined;
    const fileSystemSelections = (props.fileSystems ?? []).map(fileSystem => this.addFileSystem(fileSystem));
    this.selection = selection ?? fileSystemSelections[0];
  }

  /**
   * Back up an EFS file system with the plan's rules too, in a selection of its own (adding one never changes the
   * selection of the databases and buckets); adding it again returns its selection. Turn the file system's own
   * automatic backups off: the plan replaces them.
   */
  public addFileSystem(fileSystem: efs.IFileSystem): backup.BackupSelection {
    const existing = this.fileSystems.get(fileSystem);
    if (existing) return existing;
    const selection = this.plan.addSelection(`FileSystemSelection${this.fileSystems.size > 0 ? this.fileSystems.size + 1 : ''}`, {
      role: this.role,
      resources: [backup.BackupResource.fromEfsFileSystem(fileSystem)],
    });
    this.fileSystems.set(fileSystem, selection);
    return selection;
  }

  /** The role AWS Backup assumes: its own service-role policies for backups and restores (of RDS, and of S3 when there are buckets). */
  private selectionRole(props: DataBackupsProps): iam.Role {
    const policies = ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores',
      ...((props.buckets ?? []).length > 0 ? ['AWSBackupServiceRolePolicyForS3Backup', 'AWSBackupServiceRolePolicyForS3Restore'] : [])];
    const role = new iam.Role(this, 'SelectionRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: back up and restore the selected database and buckets',
      managedPolicies: policies.map(policy => iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${policy}`)),
    });
    acknowledge(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWS Backup\'s own service-role policies are the documented permissions of a backup selection role; they track the services AWS Backup supports.',
      appliesTo: policies.map(policy => `Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}`),
    }]);
    return role;
  }
}

/**
 * `<unique construct name>-<first group of the stack's UUID>`: the same for every update of one stack, new for each
 * creation of it, so a retained vault never blocks a re-created stack (AlreadyExists).
 */
function perStackInstanceName(scope: Construct, maxLength: number): string {
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const suffix = Fn.select(0, Fn.split('-', stackUuid));
  return `${Names.uniqueResourceName(scope, { maxLength: maxLength - 9 })}-${suffix}`;
}

/** aws-cdk-lib converts a deploy-time Duration only from the unit it was given in. */
function convertsToDays(value: Duration): boolean {
  try {
    value.toDays();
    return true;
  } catch {
    return false;
  }
}

/** Days of a literal Duration, or undefined for a deploy-time one. */
function days(value: Duration | undefined): number | undefined {
  return value === undefined || value.isUnresolved() ? undefined : value.toMilliseconds() / 86_400_000;
}

function validateDays(scope: Construct, prop: string, value: Duration | undefined, min: number): void {
  if (value?.isUnresolved() && !convertsToDays(value)) {
    invalidProp(scope, prop, value, 'AWS Backup counts in days: give a deploy-time Duration as Duration.days(...), or a value known at synth');
  }
  const d = days(value);
  if (d !== undefined && (!Number.isInteger(d) || d < min || d > 36500)) {
    invalidProp(scope, prop, `${d} days`, `give whole days from ${min} to 36500 (e.g. Duration.days(${Math.max(min, Math.round(d)) || min}))`);
  }
}

function validateProps(scope: Construct, props: DataBackupsProps): void {
  const lock = props.vaultLock;
  const retentions: Array<[string, Duration | undefined]> = [
    ['dailyRetention', props.dailyRetention ?? DEFAULT_DAILY],
    ['monthlyRetention', props.monthlyRetention ?? DEFAULT_MONTHLY],
  ];
  checkAll([
    () => {
      if ((props.databases ?? []).length + (props.buckets ?? []).length + (props.fileSystems ?? []).length === 0) {
        invalidProp(scope, 'databases', props.databases, 'give at least one database (or bucket, or file system) to back up');
      }
    },
    () => validateDays(scope, 'dailyRetention', props.dailyRetention, 1),
    () => validateDays(scope, 'monthlyRetention', props.monthlyRetention, 1),
    () => validateDays(scope, 'copy.retention', props.copy?.retention, 1),
    // aws-cdk-lib converts the lock's durations between units, which a deploy-time Duration cannot survive.
    ...(['minRetention', 'maxRetention', 'changeableFor'] as const).map(name => () => requireSynthValue(scope, `vaultLock.${name}`, lock?.[name], 'the vault lock is rendered in days'))
    ,
    () => validateDays(scope, 'vaultLock.minRetention', lock?.minRetention, 1),
    () => validateDays(scope, 'vaultLock.maxRetention', lock?.maxRetention, 1),
    () => validateDays(scope, 'vaultLock.changeableFor', lock?.changeableFor, 3),
    () => validateCopyDestination(scope, props.copy),
    () => {
      const name = props.vaultName;
      if (name !== undefined && !isToken(name) && (typeof name !== 'string' || !/^[A-Za-z0-9_-]{2,50}$/.test(name))) {
        invalidProp(scope, 'vaultName', name, 'use 2-50 letters, digits, hyphens or underscores (or leave it out for a name unique to the stack)');
      }
    },
    // A recovery point whose retention the locked vault does not accept makes every backup or copy job fail.
    ...retentions.map(([prop, retention]) => () => validateWithinLock(scope, prop, retention, lock)),
    () => validateCopyRetention(scope, props, retentions),
    () => {
      const [min, max] = [days(lock?.minRetention), days(lock?.maxRetention)];
      if (min !== undefined && max !== undefined && max < min) {
        invalidProp(scope, 'vaultLock.maxRetention', `${max} days`, `must be at least ${propName(scope, 'vaultLock.minRetention')} (${min} days)`);
      }
    },
  ]);
}

function validateWithinLock(scope: Construct, prop: string, retention: Duration | undefined, lock: BackupVaultLockOptions | undefined): void {
  const [d, min, max] = [days(retention), days(lock?.minRetention), days(lock?.maxRetention)];
  if (d === undefined) return;
  if (min !== undefined && d < min) {
    invalidProp(scope, prop, `${d} days`, `the locked vault refuses recovery points kept less than ${propName(scope, 'vaultLock.minRetention')} (${min} days); raise it or lower the lock's minimum`);
  }
  if (max !== undefined && d > max) {
    invalidProp(scope, prop, `${d} days`, `the locked vault refuses recovery points kept longer than ${propName(scope, 'vaultLock.maxRetention')} (${max} days); lower it or raise the lock's maximum`);
  }
}

/**
 * The copy is the disaster-recovery fallback of the recovery points it copies: a recovery point kept longer than
 * its copy would leave the last months of history in the one region a disaster takes away, so a copy may not be
 * shorter-lived than the retention of the rules it copies.
 */
function validateCopyRetention(scope: Construct, props: DataBackupsProps, retentions: Array<[string, Duration | undefined]>): void {
  const copy = days(props.copy?.retention);
  if (copy === undefined) return;
  for (const [prop, retention] of retentions) {
    const d = days(retention);
    if (d !== undefined && d > copy) {
      invalidProp(scope, 'copy.retention', `${copy} days`, `the copies would expire before the recovery points of ${propName(scope, prop)} (${d} days) they back up; `
        + `keep copies at least as long (drop copy.retention to keep them as long as the originals), or shorten ${propName(scope, prop)}`);
    }
  }
}

function validateCopyDestination(scope: Construct, copy: BackupCopyOptions | undefined): void {
  const arn = copy?.destinationVaultArn;
  if (arn === undefined || isToken(arn)) return;
  const parts = parseArn(arn);
  if (!parts || parts.service !== 'backup' || parts.resource !== 'backup-vault' || !parts.resourceName) {
    invalidProp(scope, 'copy.destinationVaultArn', arn, 'give a backup vault ARN: arn:aws:backup:<region>:<account>:backup-vault:<name>');
  }
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && !Token.isUnresolved(parts.region) && parts.region === region) {
    invalidProp(scope, 'copy.destinationVaultArn', arn, `the vault is in this stack's region (${region}); a disaster-recovery copy needs a vault in another region`);
  }
}

function parseArn(arn: string) {
  try {
    return Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME);
  } catch {
    return undefined;
  }
}
