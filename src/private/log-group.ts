import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './compliance';
import { removalPolicyOf } from './teardown';

const ONE_YEAR_DAYS = 365;

/**
 * An application log group, retained unless the teardown policy destroys data, (one year by default). Shorter retention or no customer key are explicit
 * choices of the caller and are acknowledged as such.
 */
export function createLogGroup(
  scope: Construct, id: string, retention: logs.RetentionDays | undefined, encryptionKey: kms.IKey | undefined,
): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, {
    retention: retention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey,
    removalPolicy: removalPolicyOf(scope),
  });
  if (!encryptionKey) {
    acknowledge(logGroup, [{ id: 'cloudwatch_log_group_encrypted_check', reason: 'CloudWatch Logs encrypts at rest with service keys; pass a customer-managed key (BackendPlatform does) to use your own.' }]);
  }
  if (retention !== undefined && retention !== logs.RetentionDays.INFINITE && retention < ONE_YEAR_DAYS) {
    acknowledge(logGroup, [{ id: 'cloudwatch_log_group_retention_period_check', reason: `Retention of ${retention} days was chosen explicitly (logRetention), e.g. by the development profile.` }]);
  }
  return logGroup;
}
