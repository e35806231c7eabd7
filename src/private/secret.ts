import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './compliance';
import { removalPolicyOf } from './teardown';

/**
 * A secret (retained unless the teardown policy destroys data) holding a generated 48-character alphanumeric value that two parties share (a header, an API key).
 * @param whyNoRotation why automatic rotation would break the parties that share the value
 */
export function createSharedSecret(scope: Construct, id: string, description: string, whyNoRotation: string): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description,
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
    removalPolicy: removalPolicyOf(scope),
  });
  acknowledge(secret, [{ id: 'AwsSolutions-SMG4', reason: whyNoRotation }]);
  return secret;
}

/**
 * A Secrets Manager secret for a container, like `ecs.Secret.fromSecretsManager`, whose grant stays in the reader's
 * own policy: the secret and, through Secrets Manager only, its key. aws-cdk-lib would add one statement per reader to
 * the key's policy instead, which grows toward the 32 KB key-policy quota with each workload and, for a reader in
 * another stack, makes the key depend on that stack while the stack depends on the secret: a dependency cycle. The
 * key's policy already lets the account's IAM policies grant its use.
 */
export class ReaderGrantedSecret extends ecs.Secret {
  public readonly arn: string;
  public readonly hasField?: boolean;

  constructor(private readonly secret: secretsmanager.ISecret, field?: string) {
    super();
    this.arn = field ? `${secret.secretArn}:${field}::` : secret.secretArn;
    this.hasField = field !== undefined;
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee, actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resourceArns: [this.secret.secretArn],
    });
    const key = this.secret.encryptionKey;
    if (key) {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this.secret).region}.amazonaws.com` } },
      });
    }
    return grant;
  }
}
