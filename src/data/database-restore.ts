/** What a restored database already has: the names the snapshot (or the source instance) carries. */
export interface RestoredDatabaseOptions {
  /**
   * Master user name of the instance the snapshot was taken from. The restored database keeps that user; the
   * credentials secret (`DB_USER`) must hold the same name, and the master password is reset to the secret's.
   * @default 'app_admin' (the library's default master user name)
   */
  readonly masterUsername?: string;
  /**
   * Name of the database in the snapshot that the services connect to (`DB_NAME`); the restore creates none.
   * @default 'app' (the library's default database name)
   */
  readonly databaseName?: string;
}

/** A point-in-time restore from the automated backups of a DB instance. */
export interface PointInTimeRestoreOptions extends RestoredDatabaseOptions {
  /**
   * Resource ID (`db-` and 26 letters and digits, not the instance name) of the DB instance, in this account and
   * region, whose automated backups are restored: this database's own (`instance.instanceResourceId`; the console's
   * "Resource ID"; `aws rds describe-db-instances --query "DBInstances[].[DBInstanceIdentifier,DbiResourceId]"`),
   * or one deleted with retained automated backups.
   */
  readonly sourceInstanceResourceId: string;
  /**
   * The time to restore to, in UTC (ISO 8601, e.g. `2026-05-04T09:30:00Z`), within the source's backup retention
   * and before its latest restorable time (about five minutes ago).
   * @default - the source's latest restorable time when the restore is deployed
   */
  readonly restoreTime?: string;
}

/**
 * Where a `PrivateDatabase` is restored from: a DB snapshot (manual, automated, or an AWS Backup recovery point)
 * or a point in time of an instance's automated backups.
 *
 * Setting it on an existing database is a reviewed replacement of the DB instance only: the new instance holds the
 * snapshot's data and gets a new endpoint, and the credentials secret, security group, subnet group, parameter
 * group and key are kept (docs/adr/0006). Keep it in the code after the restore: removing it later replaces the
 * instance again, with an empty database.
 */
export class DatabaseRestoreSource {
  /**
   * A DB snapshot by identifier or ARN: a manual snapshot (`my-db-before-migration`), an automated one
   * (`rds:my-db-2026-05-04-05-10`), an AWS Backup recovery point
   * (`arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-...`), or a snapshot shared from another account
   * (by ARN). It must be a PostgreSQL DB instance snapshot in this region, encrypted with a key this account can use.
   */
  public static fromSnapshot(snapshotIdentifier: string, options: RestoredDatabaseOptions = {}): DatabaseRestoreSource {
    return new DatabaseRestoreSource(snapshotIdentifier, undefined, options);
  }

  /**
   * A point in time (or the latest restorable time) of a DB instance's automated backups, within their retention
   * (`backupRetentionDays`).
   */
  public static fromPointInTime(options: PointInTimeRestoreOptions): DatabaseRestoreSource {
    return new DatabaseRestoreSource(undefined, options, options);
  }

  private constructor(
    /** The DB snapshot, for `fromSnapshot`. */
    public readonly snapshotIdentifier: string | undefined,
    /** The source instance and time, for `fromPointInTime`. */
    public readonly pointInTime: PointInTimeRestoreOptions | undefined,
    /** The names the restored database carries. */
    public readonly options: RestoredDatabaseOptions,
  ) {}
}
