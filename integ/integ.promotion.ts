/**
 * One image promoted across two accounts and two regions: a staging platform (account 111111111111, eu-west-1, which
 * owns the repository and the pipeline) and a production platform (account 222222222222, eu-central-1) in stacks of
 * their own, both given `pipeline: { enabled: false }`. The promotion pins each pushed digest, deploys it to staging,
 * smoke-checks it, waits for an approval, then migrates and deploys the same digest to production, whose actions read
 * the artifacts from the library's artifact store for eu-central-1, in a stack of the pipeline's account (ADR 0021).
 * Asserts at deploy time the stage order, that production's actions run with the role production's stack grants,
 * that the pipeline has an artifact store in each region, and that the repository lets the production account pull.
 * A real run needs the pipeline's account bootstrapped in both regions, the production account in its region with
 * trust for the first one (`cdk bootstrap --trust 111111111111 aws://222222222222/eu-central-1`), production and the
 * store deployed first, and an image tagged `latest` in the repository.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { BackendPlatform, EnvironmentProfile, PromotionPipeline } from '../src';

// The zones `cdk synth` would look up in each account and record in cdk.context.json (not aws-cdk-lib's dummy1a/b).
const STAGING = { account: '111111111111', region: 'eu-west-1' };
const PRODUCTION = { account: '222222222222', region: 'eu-central-1' };
const app = new App({
  context: Object.fromEntries([STAGING, PRODUCTION].map(({ account, region }) => [
    `availability-zones:account=${account}:region=${region}`, ['a', 'b', 'c'].map(zone => `${region}${zone}`),
  ])),
});
const stagingStack = new Stack(app, 'IntegPromotionStaging', { env: STAGING });
const productionStack = new Stack(app, 'IntegPromotionProduction', { env: PRODUCTION });

const staging = new BackendPlatform(stagingStack, 'Backend', {
  environmentName: 'staging',
  profile: EnvironmentProfile.DEVELOPMENT,
  pipeline: { enabled: false },
});
// The repository lives with staging; production names it by ARN (staging's BackendRepositoryUri output), so no
// reference crosses accounts.
const repositoryName = process.env.INTEG_REPOSITORY_NAME ?? 'integpromotionstaging-backendrepository';
const repository = ecr.Repository.fromRepositoryAttributes(productionStack, 'Repository', {
  repositoryArn: `arn:aws:ecr:eu-west-1:111111111111:repository/${repositoryName}`,
  repositoryName,
});
const production = new BackendPlatform(productionStack, 'Backend', {
  environmentName: 'prod',
  repository,
  pipeline: { enabled: false },
});

const promotion = new PromotionPipeline(stagingStack, 'Promotion', {
  repository: staging.repository,
  environments: [
    { target: staging, smokeCheckPaths: ['/healthz'] },
    { target: production, repository, manualApproval: true, migrationCommand: ['npm', 'run', 'migration:run'], smokeCheckPaths: ['/healthz'] },
  ],
});

// The assertions read the pipeline and the repository, so they run in the pipeline's account and region.
const integ = new IntegTest(app, 'PromotionTest', {
  testCases: [...promotion.artifactStoreStacks, productionStack, stagingStack],
  assertionStack: new Stack(app, 'IntegPromotionAssertions', { env: STAGING }),
});
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: promotion.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: Match.objectLike({
      stages: [
        Match.objectLike({ name: 'Source' }),
        Match.objectLike({ name: 'Release' }),
        Match.objectLike({ name: 'staging.Deploy' }),
        Match.objectLike({ name: 'staging.Test' }),
        Match.objectLike({ name: 'prod.Approve' }),
        Match.objectLike({ name: 'prod.Migrate', actions: [Match.objectLike({ roleArn: Match.stringLikeRegexp(':iam::222222222222:role/') })] }),
        Match.objectLike({ name: 'prod.Deploy' }),
        Match.objectLike({ name: 'prod.Test' }),
      ],
      // One artifact store per region an action runs in; eu-central-1's key named by its alias ARN in the pipeline's account.
      artifactStores: Match.objectLike({
        'eu-west-1': Match.objectLike({ type: 'S3' }),
        'eu-central-1': Match.objectLike({
          type: 'S3', encryptionKey: Match.objectLike({ id: Match.stringLikeRegexp('^arn:aws:kms:eu-central-1:111111111111:alias/') }),
        }),
      }),
    }),
  }));
integ.assertions.awsApiCall('ECR', 'getRepositoryPolicy', { repositoryName: staging.repository.repositoryName })
  .expect(ExpectedResult.objectLike({ policyText: Match.stringLikeRegexp('222222222222') }));
