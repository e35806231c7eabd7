import { Names, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createArtifactBucket } from './pipeline-parts';
import { createKey } from '../private/kms';
import { rolePrincipal } from '../private/role-principals';

/** What the pipeline role does with a region's artifacts: CodePipeline copies the input artifact there and reads it back. */
const PIPELINE_OBJECT_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:PutObject', 's3:DeleteObject*', 's3:Abort*'];
const PIPELINE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/**
 * The promotion pipeline's artifact store in a region other than its own, in the stack of an environment of that
 * region (its account and region): CodePipeline needs one per region an action runs in. Owned by the library instead
 * of aws-cdk-lib's replication support (a bucket retained under a fixed name, whose policy names the pipeline's role
 * before that role exists): the bucket is emptied and deleted with the stack (artifacts are transient), its rotating
 * key is scheduled for deletion with it, and the pipeline's role is admitted by its account and an `aws:PrincipalArn`
 * condition. The pipeline names the key by the alias's ARN: the key's own ARN is only known after its stack deploys,
 * and an alias ARN names the account, so KMS resolves it there.
 */
export class RegionArtifactStore extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  public readonly alias: kms.Alias;
  /**
   * The bucket as the pipeline is given it (`crossRegionReplicationBuckets`): encrypted by the alias, with grants that
   * aws-cdk-lib writes only into the grantees' own policies; the store writes its resource policies itself.
   */
  public readonly pipelineBucket: s3.IBucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.key = createKey(this, 'Key', `Promotion pipeline artifacts of the actions in ${region}`, true);
    // Unique per construct path (stage and stack included), within the 256 characters of an alias; generated once, kept.
    const aliasName = `alias/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-', allowedSpecialCharacters: '-_' }).toLowerCase()}`;
    this.alias = new kms.Alias(this, 'Alias', { aliasName, targetKey: this.key, removalPolicy: RemovalPolicy.DESTROY });
    // Named (the pipeline's account names it); emptied and deleted with the stack.
    this.bucket = createArtifactBucket(this, this.key, PhysicalName.GENERATE_IF_NEEDED);
    this.pipelineBucket = s3.Bucket.fromBucketAttributes(this, 'PipelineView', {
      bucketArn: this.bucket.bucketArn,
      bucketName: this.bucket.bucketName,
      encryptionKey: kms.Alias.fromAliasName(this, 'PipelineKey', aliasName),
    });
  }

  /** The pipeline's role may write and read the artifacts and use the key (its identity policy and the store's policies). */
  public grantPipeline(role: iam.IRole): void {
    const principal = rolePrincipal(role);
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'PromotionPipelineArtifacts',
      principals: [principal],
      actions: PIPELINE_OBJECT_ACTIONS,
      resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'PromotionPipelineArtifacts', principals: [principal], actions: PIPELINE_KEY_ACTIONS, resources: ['*'] }));
    // The key's ARN is unknown in the pipeline's account at synth: the keys of this account and region, and the key policy admits it.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: PIPELINE_KEY_ACTIONS,
      resources: [Stack.of(this).formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
    }));
  }

  /** A step of this region reads its input artifact (aws-cdk-lib grants the bucket; the key is the store's). */
  public grantRead(grantee: iam.IGrantable): void {
    this.key.grantDecrypt(grantee);
  }
}
