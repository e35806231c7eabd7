import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { acknowledge } from './compliance';
import { TeardownPolicy } from '../platform/teardown';

/**
 * The teardown policy in force for a construct's stateful resources is declared once, on the construct that owns the
 * choice (the platform, or a standalone data store), and read by every helper that creates a stateful resource below
 * it: children need no prop of their own, and their templates only change when the policy says so.
 */
const declared = new WeakMap<IConstruct, TeardownPolicy>();

/** Declares the policy for `scope` and everything created under it. Call before creating the children. */
export function declareTeardown(scope: IConstruct, policy: TeardownPolicy): void {
  declared.set(scope, policy);
}

/** The policy declared on the nearest enclosing construct, if any. */
export function declaredTeardown(scope: IConstruct): TeardownPolicy | undefined {
  for (const node of [...scope.node.scopes].reverse()) {
    const policy = declared.get(node);
    if (policy !== undefined) return policy;
  }
  return undefined;
}

/** The policy for a resource under `scope`: what an enclosing construct declared, else retain (the safe default). */
export function teardownOf(scope: IConstruct): TeardownPolicy {
  return declaredTeardown(scope) ?? TeardownPolicy.RETAIN;
}

/** True when stateful resources under `scope` are deleted with the stack. */
export function destroysData(scope: IConstruct): boolean {
  return teardownOf(scope) === TeardownPolicy.DESTROY;
}

/** Removal policy of a stateful resource under `scope`; `kept` is what RETAIN means for it (RETAIN or SNAPSHOT). */
export function removalPolicyOf(scope: IConstruct, kept: RemovalPolicy = RemovalPolicy.RETAIN): RemovalPolicy {
  return destroysData(scope) ? RemovalPolicy.DESTROY : kept;
}

/** The shortest waiting period KMS allows before it deletes a key (a key pending deletion is not billed). */
export const KEY_PENDING_WINDOW = Duration.days(7);

/** Removal props of a KMS key deleted with its stack or not. */
export function keyRemoval(destroy: boolean): { removalPolicy: RemovalPolicy; pendingWindow?: Duration } {
  return destroy ? { removalPolicy: RemovalPolicy.DESTROY, pendingWindow: KEY_PENDING_WINDOW } : { removalPolicy: RemovalPolicy.RETAIN };
}

/**
 * A bucket that follows the teardown policy: retained, or emptied and deleted with the stack. Emptying uses
 * aws-cdk-lib's auto-delete custom resource (one Lambda function per stack), whose findings are acknowledged here.
 */
export function createBucket(scope: Construct, id: string, props: s3.BucketProps, destroy = destroysData(scope)): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...props,
    removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    ...(destroy ? { autoDeleteObjects: true } : {}),
  });
  if (destroy) acknowledgeAutoDeleteProvider(Stack.of(scope));
  return bucket;
}

const AUTO_DELETE_PROVIDER = 'Custom::S3AutoDeleteObjectsCustomResourceProvider';
const acknowledgedProviders = new WeakSet<IConstruct>();

/** aws-cdk-lib's bucket-emptying function runs only on stack deletion; what the rules ask of a workload does not apply. */
function acknowledgeAutoDeleteProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(AUTO_DELETE_PROVIDER);
  if (!provider || acknowledgedProviders.has(provider)) return;
  acknowledgedProviders.add(provider);
  const onDeleteOnly = 'aws-cdk-lib\'s auto-delete function empties the buckets of a DESTROY teardown when the stack is deleted; it runs on no other event and holds no data.';
  acknowledge(provider, [
    { id: 'AwsSolutions-IAM4', reason: `${onDeleteOnly} Its role has the AWS-managed basic execution policy (CloudWatch Logs only).`, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
    { id: 'AwsSolutions-L1', reason: `${onDeleteOnly} Its runtime is the one aws-cdk-lib pins and updates.` },
    { id: 'lambda_inside_vpc_check', reason: `${onDeleteOnly} It calls only the S3 API and needs no VPC.` },
    { id: 'lambda_concurrency_check', reason: `${onDeleteOnly} One invocation per bucket at stack deletion needs no concurrency limit.` },
    { id: 'lambda_dlq_check', reason: `${onDeleteOnly} CloudFormation calls it synchronously and reports a failure itself.` },
    { id: 'iam_role_managed_policy_check', reason: `${onDeleteOnly} Its role has the AWS-managed basic execution policy.` },
  ], { recursive: true });
}
