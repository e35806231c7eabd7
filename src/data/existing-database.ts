import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ExistingDatabaseAttributes, IDatabaseConnection } from './database-connection';
import { admitClient } from '../private/connections';
import { checkAll } from '../private/errors';
import { checkPropTypes } from '../private/prop-types';
import { invalidProp, requireSynthValue } from '../private/validation';

/** PostgreSQL's port, the default of every database this library connects to. */
export const POSTGRES_PORT = 5432;

/** A database adopted by its connection details; clients are admitted to its security group. */
export class ExistingDatabase extends Construct implements IDatabaseConnection {
  public readonly containerEnvironment: { [key: string]: string };
  public readonly containerSecrets: { [key: string]: ecs.Secret };
  private readonly securityGroup: ec2.ISecurityGroup;
  private readonly port: number;

  constructor(scope: Construct, id: string, attrs: ExistingDatabaseAttributes) {
    super(scope, id);
    checkPropTypes(this, 'ExistingDatabaseAttributes', attrs);
    const names = 'ECS and IAM need the parameter\'s ARN, whose form depends on the name';
    checkAll([
      () => requireSynthValue(this, 'hostParameterName', attrs.hostParameterName, names),
      () => requireSynthValue(this, 'usernameParameterName', attrs.usernameParameterName, names),
      () => requireSynthValue(this, 'passwordParameterName', attrs.passwordParameterName, names),
    ]);
    if (attrs.secret && (attrs.usernameParameterName || attrs.passwordParameterName)) {
      invalidProp(this, 'secret', 'ISecret', 'give either secret or usernameParameterName/passwordParameterName, not both');
    }
    this.port = attrs.port ?? POSTGRES_PORT;
    this.securityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', attrs.securityGroupId, { mutable: true });
    this.containerEnvironment = {
      DB_PORT: String(this.port),
      ...(attrs.databaseName ? { DB_NAME: attrs.databaseName } : {}),
    };
    // A dynamic reference, not a template parameter: ECS only needs the parameter's ARN, never its value at deploy.
    const parameter = (name: string, parameterName: string) => ecs.Secret.fromSsmParameter(
      ssm.StringParameter.fromStringParameterAttributes(this, name, { parameterName, forceDynamicReference: true }));
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
    admitClient(this.securityGroup, client, ec2.Port.tcp(this.port), 'PostgreSQL from a granted client');
  }
}
