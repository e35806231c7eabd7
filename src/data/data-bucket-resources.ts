import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataBucketOptions } from './data-bucket';
import { acknowledge } from '../private/compliance';
import { checkAll } from '../private/errors';
import { createBucket } from '../private/teardown';
import { requireSynthValue, validateSeconds } from '../private/validation';

/** Environment variable that names the data bucket in the workloads that connect to it. */
export const DATA_BUCKET_VARIABLE = 'DATA_BUCKET';

/**
 * The platform's data bucket: private, encrypted with the AWS-managed S3 key, TLS-only, versioned, objects moving to
 * Standard-IA as they age, server access logs to the platform's access-log bucket; retained or emptied and deleted
 * with the platform's teardown.
 */
export function createDataBucket(scope: Construct, id: string, options: DataBucketOptions): s3.Bucket {
  const days = 'S3 lifecycle rules are written in whole days at synth';
  checkAll([
    () => requireSynthValue(scope, 'dataBucket.infrequentAccessAfter', options.infrequentAccessAfter, days),
    () => requireSynthValue(scope, 'dataBucket.noncurrentVersionRetention', options.noncurrentVersionRetention, days),
    () => validateSeconds(scope, 'dataBucket.infrequentAccessAfter', options.infrequentAccessAfter, 30 * 86400, 36500 * 86400),
    () => validateSeconds(scope, 'dataBucket.noncurrentVersionRetention', options.noncurrentVersionRetention, 86400, 36500 * 86400),
  ]);
  const bucket = createBucket(scope, id, {
    encryption: s3.BucketEncryption.KMS_MANAGED,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: [{
      transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: options.infrequentAccessAfter ?? Duration.days(30) }],
      noncurrentVersionExpiration: options.noncurrentVersionRetention ?? Duration.days(30),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
  });
  acknowledge(bucket, [
    { id: 's3_bucket_object_lock_enabled_check', reason: 'Application data is rewritten and deleted by the workloads; versioning keeps replaced and deleted objects for noncurrentVersionRetention instead of a write-once lock.' },
    { id: 's3_event_notifications_enabled_check', reason: 'Whether the application reacts to object events is its choice; the bucket is exposed (platform.dataBucket) to add notifications.' },
  ]);
  return bucket;
}

/**
 * Server access logs of the data bucket to the platform's access-log bucket (created later, by the web service,
 * whose environment names the data bucket): S3's log delivery may write under the prefix, for this account only.
 */
export function logDataBucketAccess(dataBucket: s3.Bucket, accessLogs: s3.IBucket, prefix = 's3/data/'): void {
  (dataBucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: accessLogs.bucketName, logFilePrefix: prefix };
  accessLogs.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [accessLogs.arnForObjects(`${prefix}*`)],
    conditions: { ArnLike: { 'aws:SourceArn': dataBucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(dataBucket).account } },
  }));
}

/**
 * Read, write and delete on the data bucket's objects and listing the bucket, for a workload's task role: the named
 * actions only, and the object wildcard acknowledged (the application chooses its keys).
 */
export function grantDataBucket(dataBucket: s3.IBucket, role: iam.IRole): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [dataBucket.bucketArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    resources: [dataBucket.arnForObjects('*')],
  }));
  const bucket = dataBucket.node.defaultChild as s3.CfnBucket;
  // A role in another stack (a workload's own) reads the ARN from the parameter aws-cdk-lib names after the bucket,
  // once references are resolved; cdk-nag may see either form.
  const arns = [`${Stack.of(dataBucket).getLogicalId(bucket)}.Arn`, ...(Stack.of(role) === Stack.of(dataBucket) ? [] : [`referenceto${Names.uniqueId(bucket)}Arn`])];
  acknowledge(role, [{
    id: 'AwsSolutions-IAM5',
    reason: 'Objects of the platform\'s own data bucket, whose keys the application chooses; only get, put and delete.',
    appliesTo: arns.map(arn => `Resource::<${arn}>/*`),
  }], { recursive: true });
}
