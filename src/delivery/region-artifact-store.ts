import { createHash } from 'crypto';
import { DefaultStackSynthesizer, Names, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createArtifactBucket } from './pipeline-parts';
import { createKey } from '../private/kms';
import { pascal } from '../private/naming';
import { rolePrincipal } from '../private/role-principals';

/** What the pipeline role does with a region's artifacts: CodePipeline copies the input artifact there and reads it back. */
const PIPELINE_OBJECT_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:PutObject', 's3:DeleteObject*', 's3:Abort*'];
const PIPELINE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
const STEP_OBJECT_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
const STEP_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];

/** An artifact store a step of another stack reads its input artifact from: the pipeline's own, or a region's. */
export interface ArtifactStoreLocation {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
}

/**
 * A step's role (in another stack, often another account) may read the store's objects and decrypt them. Its own
 * policy names the bucket and the keys of the store's account and region (the key's ARN is unknown outside its stack
 * at synth); when the role is of another account, the bucket and key policies admit it by its account and an
 * `aws:PrincipalArn` condition (a role ARN as principal is refused until the role exists). In the store's account,
 * IAM alone decides: the key policy delegates to the account.
 */
export function grantStepRead(store: ArtifactStoreLocation, role: iam.IRole): void {
  const storeStack = Stack.of(store.bucket);
  const objects = { actions: STEP_OBJECT_ACTIONS, resources: [store.bucket.bucketArn, store.bucket.arnForObjects('*')] };
  role.addToPrincipalPolicy(new iam.PolicyStatement(objects));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: STEP_KEY_ACTIONS, resources: [keysOf(storeStack)] }));
  if (role.env.account === storeStack.account) return;
  const principal = rolePrincipal(role);
  store.bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [principal], ...objects }));
  store.key.addToResourcePolicy(new iam.PolicyStatement({ principals: [principal], actions: STEP_KEY_ACTIONS, resources: ['*'] }));
}

/** The keys of a stack's account and region, as an identity policy names a key whose ARN it cannot know at synth. */
const keysOf = (stack: Stack) => stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });

/**
 * The promotion pipeline's artifact store in a region other than its own: CodePipeline needs one per region an action
 * runs in. It lives in the pipeline's account, in a stack of its own per region (`<pipeline stack><pipeline id>Artifacts<Region>`),
 * the layout aws-cdk-lib's replication support stacks have: CodePipeline names the store's key by its alias ARN, and
 * "aliases are recognized only in the account that created the KMS key" (CodePipeline's EncryptionKey reference), so
 * the key must be the pipeline account's. Owned by the library instead of aws-cdk-lib's support stack (a bucket retained
 * under a fixed name): the bucket is emptied and deleted with the stack (artifacts are transient), its rotating key is
 * scheduled for deletion with it, and the steps of every account in the region are admitted by `grantStepRead`.
 */
export class RegionArtifactStore extends Construct {
  /**
   * The store of `region` for the pipeline `scope`: found or created, with the pipeline's stack depending on its stack
   * (deployed first, by `cdk deploy --all`).
   */
  public static of(scope: Construct, region: string): RegionArtifactStore {
    const pipelineStack = Stack.of(scope);
    const parent = Stage.of(pipelineStack) ?? pipelineStack.node.root;
    const id = `${pipelineStack.node.id}${pascal(scope.node.id)}Artifacts${pascal(region)}`;
    const existing = parent.node.tryFindChild(id) as Stack | undefined;
    if (existing) return existing.node.findChild('Store') as RegionArtifactStore;
    const qualifier = pipelineStack.synthesizer.bootstrapQualifier;
    const stack = new Stack(parent, id, {
      env: { account: pipelineStack.account, region },
      description: `Artifact store of the promotion pipeline ${scope.node.path} for its actions in ${region} (cdk-backend-platform)`,
      // Deployed with the pipeline account's bootstrap of that region, of the same qualifier as the pipeline's stack.
      ...(pipelineStack.synthesizer instanceof DefaultStackSynthesizer && qualifier
        ? { synthesizer: new DefaultStackSynthesizer({ qualifier }) } : {}),
    });
    pipelineStack.addDependency(stack, `the promotion pipeline's artifact store for ${region}`);
    return new RegionArtifactStore(stack, 'Store');
  }

  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  public readonly alias: kms.Alias;
  /**
   * The bucket as the pipeline is given it (`crossRegionReplicationBuckets`): encrypted by the alias, with grants that
   * aws-cdk-lib writes only into the grantees' own policies; the store writes its resource policies itself.
   */
  public readonly pipelineBucket: s3.IBucket;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = createKey(this, 'Key', `Promotion pipeline artifacts of the actions in ${stack.region}`, true);
    // Unique per construct path (stage and stack included), within the 256 characters of an alias; generated once, kept.
    const aliasName = `alias/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-', allowedSpecialCharacters: '-_' }).toLowerCase()}`;
    this.alias = new kms.Alias(this, 'Alias', { aliasName, targetKey: this.key, removalPolicy: RemovalPolicy.DESTROY });
    // Named at synth, so the pipeline and the steps of other stacks name it without exports; emptied and deleted with the stack.
    this.bucket = createArtifactBucket(this, this.key, artifactBucketName(stack, this.node.path));
    this.pipelineBucket = s3.Bucket.fromBucketAttributes(this, 'PipelineView', {
      bucketArn: this.bucket.bucketArn,
      bucketName: this.bucket.bucketName,
      encryptionKey: kms.Alias.fromAliasName(this, 'PipelineKey', aliasName),
    });
  }

  /** The pipeline's role (of the store's account) may write and read the artifacts and use the key. */
  public grantPipeline(role: iam.IRole): void {
    const principal = rolePrincipal(role);
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'PromotionPipelineArtifacts',
      principals: [principal],
      actions: PIPELINE_OBJECT_ACTIONS,
      resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'PromotionPipelineArtifacts', principals: [principal], actions: PIPELINE_KEY_ACTIONS, resources: ['*'] }));
    // The key's ARN is unknown in the pipeline's stack at synth: the keys of this account and region, and the key policy admits it.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: PIPELINE_KEY_ACTIONS, resources: [keysOf(Stack.of(this))] }));
  }
}

/**
 * A globally unique bucket name known at synth, within S3's 63 characters: the stack's name, then a hash of the account,
 * region and construct path (the same app deployed to two accounts gets two names; the same store keeps its name).
 */
function artifactBucketName(stack: Stack, path: string): string {
  const hash = createHash('sha256').update([stack.account, stack.region, path].join('/')).digest('hex').slice(0, 16);
  const prefix = Token.isUnresolved(stack.stackName) ? 'promotion' : stack.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 46).replace(/-+$/, '');
  return `${prefix || 'promotion'}-${hash}`;
}
