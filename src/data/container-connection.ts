import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/**
 * A private store (database, cache) a container connects to: what to inject and how to let a client in.
 * Secrets are never part of `containerEnvironment`.
 */
export interface IContainerConnection {
  /** Plain container environment (host, port, names: nothing secret). */
  readonly containerEnvironment: { [key: string]: string };
  /** Container secrets (user names, passwords, tokens, and connection details kept in SSM). */
  readonly containerSecrets: { [key: string]: ecs.Secret };
  /** Admit a client (a service, a job, a migration task) on the store's port. */
  allowFrom(client: ec2.IConnectable): void;
}
