import { Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';
import { DatabaseRestoreSource } from './database-restore';
import { checkAll } from '../private/errors';
import { invalidProp, isToken } from '../private/validation';

/** Defaults a restored database describes itself with, the same as a new database's. */
export const DEFAULT_DATABASE_NAME = 'app';
export const DEFAULT_MASTER_USERNAME = 'app_admin';

const DATABASE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;
const MASTER_USERNAME = /^[a-zA-Z][a-zA-Z0-9_]{0,15}$/;
const RESERVED_USERNAME = /^(admin|postgres|rdsadmin)$/i;
/** A DB snapshot name: a letter, then letters, digits and single hyphens, not ending with a hyphen. */
const SNAPSHOT_NAME = '[a-zA-Z](?:-?[a-zA-Z0-9])*';
/** Automated snapshots are named `rds:<name>`, AWS Backup recovery points `awsbackup:<job>`. */
const SNAPSHOT_ID = new RegExp(`^(?:rds:|awsbackup:)?${SNAPSHOT_NAME}$`);
const RDS_ARN = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):([a-z-]+):(.*)$/;
const INSTANCE_RESOURCE_ID = /^db-[A-Z0-9]{26}$/;
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Names the database checks: the same rules for a new database and for the names a restore describes. */
export function validateDatabaseName(scope: IConstruct, prop: string, value: unknown): void {
  if (value === undefined || isToken(value)) return;
  if (typeof value !== 'string' || !DATABASE_NAME.test(value)) {
    invalidProp(scope, prop, value, 'use a letter followed by up to 62 letters, digits or underscores (e.g. "app")');
  }
}

export function validateMasterUsername(scope: IConstruct, prop: string, value: unknown): void {
  if (value === undefined || isToken(value)) return;
  if (typeof value !== 'string' || !MASTER_USERNAME.test(value) || RESERVED_USERNAME.test(value)) {
    invalidProp(scope, prop, value, 'use 1-16 letters, digits or underscores starting with a letter, not a reserved name like "postgres" or "rdsadmin"');
  }
}

/** Refuses a restore source RDS would reject at deploy: a malformed snapshot or source, a cluster snapshot, another region. */
export function validateRestoreSource(scope: IConstruct, prop: string, source: DatabaseRestoreSource | undefined): void {
  if (source === undefined) return;
  const options = source.options;
  checkAll([
    () => {
      if (typeof options !== 'object' || options === null) invalidProp(scope, `${prop}.options`, options, 'give the options as an object (RestoredDatabaseOptions)');
    },
    () => validateDatabaseName(scope, `${prop}.databaseName`, options?.databaseName),
    () => validateMasterUsername(scope, `${prop}.masterUsername`, options?.masterUsername),
    () => {
      if (source.pointInTime === undefined) validateSnapshot(scope, `${prop}.snapshotIdentifier`, source.snapshotIdentifier);
    },
    () => {
      if (source.pointInTime !== undefined) validateSourceInstance(scope, `${prop}.sourceInstanceResourceId`, source.pointInTime.sourceInstanceResourceId);
    },
    () => {
      const time = source.pointInTime?.restoreTime;
      if (time === undefined || isToken(time)) return;
      if (typeof time !== 'string' || !UTC_TIME.test(time) || Number.isNaN(Date.parse(time))) {
        invalidProp(scope, `${prop}.restoreTime`, time, 'use a UTC time in ISO 8601 such as "2026-05-04T09:30:00Z", or leave it out for the latest restorable time');
      }
    },
  ]);
}

function validateSnapshot(scope: IConstruct, prop: string, id: unknown): void {
  if (isToken(id)) return;
  const format = 'give a DB snapshot identifier ("my-db-before-migration", "rds:my-db-2026-05-04-05-10") or ARN '
    + '("arn:aws:rds:<region>:<account>:snapshot:<name>", an AWS Backup recovery point "...:snapshot:awsbackup:job-<id>")';
  if (typeof id !== 'string' || id.length === 0) invalidProp(scope, prop, id, format);
  const arn = RDS_ARN.exec(id);
  if (!arn) {
    if (id.startsWith('arn:')) invalidProp(scope, prop, id, `that is not an RDS snapshot ARN; ${format}`);
    if (id.length > 255 || !SNAPSHOT_ID.test(id)) invalidProp(scope, prop, id, `${format}: a letter, then letters, digits and single hyphens, not ending with a hyphen`);
    return;
  }
  const [, region, , type, name] = arn;
  if (type === 'cluster-snapshot') {
    invalidProp(scope, prop, id, 'that is a DB cluster snapshot (Aurora or a Multi-AZ DB cluster); PrivateDatabase is a DB instance and restores DB snapshots (":snapshot:")');
  }
  if (type !== 'snapshot' || name.length > 255 || !SNAPSHOT_ID.test(name)) invalidProp(scope, prop, id, `that is not an RDS DB snapshot ARN; ${format}`);
  const stackRegion = Stack.of(scope).region;
  if (!isToken(stackRegion) && region !== stackRegion) {
    invalidProp(scope, prop, id, `the snapshot is in ${region} and RDS restores a snapshot only in its own region; copy it to ${stackRegion} first (aws rds copy-db-snapshot) and restore the copy`);
  }
}

function validateSourceInstance(scope: IConstruct, prop: string, id: unknown): void {
  if (isToken(id)) return;
  if (typeof id !== 'string' || !INSTANCE_RESOURCE_ID.test(id)) {
    invalidProp(scope, prop, id, 'give the resource ID of the source DB instance, "db-" and 26 upper-case letters and digits, not its name '
      + '(the console\'s "Resource ID", or aws rds describe-db-instances --query "DBInstances[].[DBInstanceIdentifier,DbiResourceId]")');
  }
}

/**
 * Turns the new-database instance into a restore: the snapshot (or source and time) is set, and what the restore
 * takes from the source is left out (CloudFormation's restore takes no master user name; the database name,
 * encryption and key come with the snapshot, so `PrivateDatabase` never sets them for a restore). The master
 * password stays: CloudFormation sets it on the restored instance after the restore.
 */
export function applyRestore(instance: rds.DatabaseInstance, source: DatabaseRestoreSource): void {
  const cfn = instance.node.defaultChild as rds.CfnDBInstance;
  cfn.masterUsername = undefined;
  if (source.pointInTime) {
    // By resource ID, not SourceDBInstanceIdentifier: that property also means "read replica", which takes no master
    // password (cfn-lint E3020), and the password must be reset to the secret's; the resource ID also reaches the
    // retained automated backups of a deleted instance.
    cfn.sourceDbiResourceId = source.pointInTime.sourceInstanceResourceId;
    if (source.pointInTime.restoreTime !== undefined) cfn.restoreTime = source.pointInTime.restoreTime;
    else cfn.useLatestRestorableTime = true;
  } else {
    cfn.dbSnapshotIdentifier = source.snapshotIdentifier;
  }
}
