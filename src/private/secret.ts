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
