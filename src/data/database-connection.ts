import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IContainerConnection } from './container-connection';

/**
 * A PostgreSQL database a container can connect to: `DB_HOST`, `DB_PORT`, `DB_NAME` as environment (where they
 * are not secret), `DB_USER`, `DB_PASSWORD` as secrets. Implemented by `PrivateDatabase` and by
 * `PrivateDatabase.fromExistingDatabase`.
 */
export interface IDatabaseConnection extends IContainerConnection {}

/** Connection details of a database this library does not manage (e.g. an RDS instance created outside the stack). */
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
