import { Aws, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { coverAlternativeNames, namesDigest } from './aliases';
import { CLOUDFRONT_REGION } from './cloudfront-web-acl';
import { acknowledge, inlinePolicyAcknowledgements } from '../private/compliance';

/** Suffix of the construct ID of the us-east-1 stack that holds the CloudFront certificates of a stack elsewhere. */
export const CERTIFICATE_STACK_SUFFIX = 'CloudFrontCertificates';

/**
 * The DNS-validated certificate CloudFront needs for `domainName`, which must be issued in us-east-1: in this stack
 * when it is there, otherwise in a companion us-east-1 stack of the same app (docs/adr/0014-custom-domain.md). The
 * companion writes the ARN to an SSM parameter and this stack reads it back with a custom resource: a weak
 * reference, where `crossRegionReferences` would refuse to deploy a replaced certificate ("Exports cannot be
 * updated", aws/aws-cdk#22842).
 */
export function cloudFrontCertificate(
  scope: Construct, domainName: string, hostedZone: route53.IHostedZone, alternativeNames: () => string[],
): acm.ICertificate {
  const stack = Stack.of(scope);
  if (stack.region === CLOUDFRONT_REGION) {
    const local = new acm.Certificate(scope, 'DomainCertificate', { domainName, validation: acm.CertificateValidation.fromDns(hostedZone) });
    coverAlternativeNames(local, domainName, hostedZone.hostedZoneId, alternativeNames);
    return local;
  }
  const companion = certificateStack(stack);
  const id = Names.uniqueId(scope);
  const certificate = new acm.Certificate(companion, `${id}Certificate`, {
    domainName,
    validation: acm.CertificateValidation.fromDns(route53.HostedZone.fromHostedZoneId(companion, `${id}Zone`, hostedZone.hostedZoneId)),
  });
  coverAlternativeNames(certificate, domainName, hostedZone.hostedZoneId, alternativeNames);
  // The domain (and a digest of the aliases, once there are some) is part of the name: other names are a new
  // certificate and a new parameter, so the reader below reads again.
  const parameterName = Lazy.string({
    produce: () => {
      const digest = namesDigest(alternativeNames());
      return `/cdk-backend-platform/${stack.stackName}/${id}/${domainName}${digest ? `/aliases-${digest}` : ''}/certificate-arn`;
    },
  });
  new ssm.StringParameter(companion, `${id}CertificateArn`, { parameterName, simpleName: false, stringValue: certificate.certificateArn });
  const read = {
    service: 'SSM',
    action: 'getParameter',
    parameters: { Name: parameterName },
    region: CLOUDFRONT_REGION,
    physicalResourceId: cr.PhysicalResourceId.of(parameterName),
  };
  const reader = new cr.AwsCustomResource(scope, 'DomainCertificateArn', {
    onCreate: read,
    onUpdate: read,
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
      resources: [`arn:${Aws.PARTITION}:ssm:${CLOUDFRONT_REGION}:${Aws.ACCOUNT_ID}:parameter${parameterName}`],
    }),
    installLatestAwsSdk: false,
  });
  acknowledgeReader(stack, reader);
  return acm.Certificate.fromCertificateArn(scope, 'DomainCertificate', reader.getResponseField('Parameter.Value'));
}

/** One companion per stack, next to it in the same app or stage, deployed before it. */
function certificateStack(stack: Stack): Stack {
  const parent = stack.node.scope!;
  const id = `${stack.node.id}${CERTIFICATE_STACK_SUFFIX}`;
  const existing = parent.node.tryFindChild(id);
  if (existing) return existing as Stack;
  const companion = new Stack(parent, id, {
    env: { account: Token.isUnresolved(stack.account) ? undefined : stack.account, region: CLOUDFRONT_REGION },
    description: `CloudFront certificates (us-east-1) of the custom domains of ${stack.stackName}`,
  });
  stack.addDependency(companion, 'CloudFront takes certificates issued in us-east-1 only');
  return companion;
}

const acknowledgedReaders = new WeakSet<IConstruct>();

/** aws-cdk-lib's AwsCustomResource function (one per stack) reads one SSM parameter at deploy time. */
function acknowledgeReader(stack: Stack, reader: cr.AwsCustomResource): void {
  const why = 'aws-cdk-lib\'s AwsCustomResource function reads the us-east-1 certificate ARN of the custom domain from one SSM parameter, at deploy time only.';
  acknowledge(reader, inlinePolicyAcknowledgements(`${why} Its policy allows ssm:GetParameter on that parameter only.`), { recursive: true });
  const provider = stack.node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
  if (!provider || acknowledgedReaders.has(provider)) return;
  acknowledgedReaders.add(provider);
  acknowledge(provider, [
    { id: 'AwsSolutions-IAM4', reason: `${why} Its role has the AWS-managed basic execution policy (CloudWatch Logs only).`, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
    { id: 'AwsSolutions-L1', reason: `${why} Its runtime is the one aws-cdk-lib pins and updates.` },
    { id: 'lambda_inside_vpc_check', reason: `${why} It calls only the SSM API and needs no VPC.` },
    { id: 'lambda_concurrency_check', reason: `${why} One invocation per deploy needs no concurrency limit.` },
    { id: 'lambda_dlq_check', reason: `${why} CloudFormation calls it synchronously and reports a failure itself.` },
    { id: 'iam_role_managed_policy_check', reason: `${why} Its role has the AWS-managed basic execution policy.` },
  ], { recursive: true });
}
