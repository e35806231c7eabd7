import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { destroysData, keyRemoval } from './teardown';

/**
 * A customer-managed key with yearly rotation whose policy lets only AWS services create grants on it (Control
 * Tower CT.KMS.PR.3). Retained on delete (data encrypted with it would be lost otherwise), unless the teardown policy
 * destroys the data too, or `destroy` says the data it protects is deleted with the stack anyway (transient pipeline
 * artifacts): then scheduled for deletion after the shortest waiting period.
 */
export function createKey(scope: Construct, id: string, description: string, destroy = destroysData(scope)): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    ...keyRemoval(destroy),
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}
