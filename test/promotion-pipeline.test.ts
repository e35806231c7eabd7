import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { synthesized } from './builders';
import { checkCompliance, describe as describeFindings } from './compliance';
import { STATEFUL } from './stateful';
import { BackendPlatform, EnvironmentProfile, PromotionEnvironment, PromotionPipeline } from '../src';

const STAGING = { account: '111111111111', region: 'eu-west-1' };
const PRODUCTION = { account: '222222222222', region: 'eu-central-1' };

/** A staging platform with the repository and the pipeline, and a production platform in another account. */
function crossAccount(production: Partial<PromotionEnvironment> = {}) {
  const app = new App();
  const stagingStack = new Stack(app, 'Staging', { env: STAGING });
  const productionStack = new Stack(app, 'Production', { env: PRODUCTION });
  const staging = new BackendPlatform(stagingStack, 'Backend', { environmentName: 'staging', profile: EnvironmentProfile.DEVELOPMENT, pipeline: { enabled: false } });
  const repository = ecr.Repository.fromRepositoryAttributes(productionStack, 'Repository', {
    repositoryArn: 'arn:aws:ecr:eu-west-1:111111111111:repository/backend', repositoryName: 'backend',
  });
  const prod = new BackendPlatform(productionStack, 'Backend', { environmentName: 'prod', repository, pipeline: { enabled: false } });
  const promotion = new PromotionPipeline(stagingStack, 'Promotion', {
    repository: staging.repository,
    environments: [
      { target: staging, smokeCheckPaths: ['/healthz'], testCommands: ['npm test'] },
      { target: prod, repository, manualApproval: true, migrationCommand: ['npm', 'run', 'migrate'], testTaskCommand: ['npm', 'run', 'e2e'], ...production },
    ],
  });
  return { app, stagingStack, productionStack, staging, prod, promotion };
}

/** Two environments in one stack (one account and region): every step lives under the pipeline. */
function oneStack(environments: (staging: BackendPlatform, prod: BackendPlatform) => PromotionEnvironment[] = (staging, prod) => [
  { target: staging }, { target: prod, manualApproval: true },
]) {
  const app = new App();
  const stack = new Stack(app, 'Delivery', { env: STAGING });
  const staging = new BackendPlatform(stack, 'Staging', { environmentName: 'staging', profile: EnvironmentProfile.DEVELOPMENT, pipeline: { enabled: false } });
  const prod = new BackendPlatform(stack, 'Prod', { environmentName: 'prod', repository: staging.repository, pipeline: { enabled: false } });
  const promotion = new PromotionPipeline(stack, 'Promotion', { repository: staging.repository, environments: environments(staging, prod) });
  return { app, stack, staging, prod, promotion };
}

const pipelineOf = (template: Template) => Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
const stageNames = (template: Template) => pipelineOf(template).Stages.map((s: any) => s.Name);
const projectsOf = (template: Template) => Object.entries<any>(template.findResources('AWS::CodeBuild::Project'));
const envOf = (project: any) => Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));

describe('PromotionPipeline', () => {
  describe('GIVEN staging (with the repository) and production in another account and region', () => {
    const { stagingStack, productionStack, promotion } = crossAccount();
    const staging = Template.fromStack(stagingStack);
    const production = Template.fromStack(productionStack);

    test('THEN one pipeline pins the digest, then per environment: approval first, migrate, deploy (rolled back on failure), tests', () => {
      expect(stageNames(staging)).toEqual(['Source', 'Release', 'staging.Deploy', 'staging.Test', 'prod.Approve', 'prod.Migrate', 'prod.Deploy', 'prod.Test']);
      const stages = pipelineOf(staging).Stages;
      expect(stages.filter((s: any) => s.OnFailure).map((s: any) => s.Name)).toEqual(['staging.Deploy', 'prod.Deploy']);
      expect(stages[0].Actions[0].ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'ECR' });
      expect(promotion.pipeline).toBeDefined();
    });

    test('THEN every environment deploys the digest of the one push: no build between environments', () => {
      const actions = pipelineOf(staging).Stages.flatMap((s: any) => s.Actions).filter((a: any) => a.ActionTypeId.Provider === 'CodeBuild');
      expect(actions).toHaveLength(6);
      for (const action of actions) expect(JSON.stringify(action.Configuration.EnvironmentVariables)).toMatch(/#\{Source_Image_NS\.ImageDigest\}/);
      expect(JSON.stringify(pipelineOf(staging))).not.toMatch(/docker build/);
    });

    test('THEN production\'s steps live in production\'s stack, run as a role the pipeline\'s role alone may assume', () => {
      const roles = Object.values<any>(production.findResources('AWS::IAM::Role')).filter(r => /action/.test(JSON.stringify(r.Properties.RoleName ?? '')));
      expect(roles).toHaveLength(1);
      expect(roles[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
        Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/^:iam::111111111111:role\/.+pipelinerole/)]] } } },
      })]);
      const prodActions = pipelineOf(staging).Stages.filter((s: any) => /^prod\.(Migrate|Deploy|Test)$/.test(s.Name)).flatMap((s: any) => s.Actions);
      for (const action of prodActions) expect(JSON.stringify(action.RoleArn)).toContain(':iam::222222222222:role/');
      expect(projectsOf(production).map(([id]) => id).sort()).toEqual([
        expect.stringMatching(/^BackendPromotionPromotionDeployProject/), expect.stringMatching(/^BackendPromotionPromotionMigrateProject/),
        expect.stringMatching(/^BackendPromotionPromotionTestTaskProject/),
      ]);
    });

    test('THEN production reads the artifacts from a KMS-encrypted replica in its own region, and the repository lets production\'s account pull', () => {
      const key = Object.entries<any>(staging.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('PromotionArtifactsKey'))![1];
      expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain('222222222222');
      expect(pipelineOf(staging).ArtifactStores.map((s: any) => [s.Region, s.ArtifactStore.EncryptionKey.Type])).toEqual([['eu-central-1', 'KMS'], ['eu-west-1', 'KMS']]);
      production.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const repository = Object.values<any>(staging.findResources('AWS::ECR::Repository'))[0];
      expect(repository.Properties.RepositoryPolicyText.Statement).toEqual([expect.objectContaining({
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
      })]);
    });

    test('THEN the transient artifacts go with the pipeline: the bucket emptied and deleted, its key scheduled for deletion', () => {
      const [bucketId, bucket] = Object.entries<any>(staging.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('PromotionArtifactBucket'))!;
      const [, key] = Object.entries<any>(staging.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('PromotionArtifactsKey'))!;
      expect([bucket.DeletionPolicy, key.DeletionPolicy, key.Properties.PendingWindowInDays]).toEqual(['Delete', 'Delete', 7]);
      staging.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucketId } });
    });

    test('THEN production\'s deploy step records the digest in production\'s image-tag parameter (read at its cdk deploy)', () => {
      const [, deploy] = projectsOf(production).find(([id]) => /DeployProject/.test(id))!;
      expect(envOf(deploy).TAG_PARAMETERS).toEqual(expect.objectContaining({ Ref: expect.stringMatching(/^BackendServiceImageTagParameter/) }));
      expect(JSON.stringify(deploy.Properties.Source.BuildSpec)).toContain('aws ssm put-parameter');
      const policies = Object.values<any>(production.findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
      expect(policies.some(s => [s.Action].flat().includes('ssm:PutParameter'))).toBe(true);
      expect(policies.filter(s => [s.Action].flat().includes('ecs:UpdateService')).flatMap(s => [s.Resource].flat()))
        .toEqual([{ Ref: expect.stringMatching(/^BackendService[0-9A-F]{8}$/) }]);
    });

    test('THEN the steps pass only production\'s task roles, to ECS tasks only', () => {
      const passes = Object.values<any>(production.findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement)
        .filter(s => s.Action === 'iam:PassRole');
      expect(passes.length).toBeGreaterThan(0);
      for (const pass of passes) {
        expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
        expect(JSON.stringify(pass.Resource)).not.toContain('"*"');
      }
    });

    test('THEN the template never holds undefined, null, NaN or [object Object]', () => {
      for (const template of [staging, production]) expect(JSON.stringify(template.toJSON())).not.toMatch(/undefined|:null|NaN|\[object Object\]/);
    });
  });

  describe('GIVEN both environments in one stack', () => {
    const { stack } = oneStack();
    const template = Template.fromStack(stack);

    test('THEN the steps are the pipeline\'s own (no cross-account role), and staging deploys before production\'s approval', () => {
      expect(stageNames(template)).toEqual(['Source', 'Release', 'staging.Deploy', 'prod.Approve', 'prod.Deploy']);
      expect(projectsOf(template).map(([id]) => id).filter(id => /Steps/.test(id)).sort()).toEqual([
        expect.stringMatching(/^PromotionProdStepsDeployProject/), expect.stringMatching(/^PromotionStagingStepsDeployProject/),
      ]);
      template.resourcePropertiesCountIs('AWS::ECR::Repository', { RepositoryPolicyText: {} }, 0);
    });
  });

  describe('update safety', () => {
    const statefulOf = (template: Template) => Object.entries<any>(template.toJSON().Resources)
      .filter(([, r]) => STATEFUL.includes(r.Type) && r.Type !== 'AWS::Logs::LogGroup').map(([id, r]) => [id, r.Properties]);
    test('WHEN an environment is added or removed THEN no stateful resource of the stack changes', () => {
      const two = Template.fromStack(oneStack().stack);
      const one = Template.fromStack(oneStack((staging) => [{ target: staging }]).stack);
      const withTests = Template.fromStack(oneStack((staging, prod) => [{ target: staging, smokeCheckPaths: ['/'] }, { target: prod, migrationCommand: ['migrate'] }]).stack);
      expect(statefulOf(one)).toEqual(statefulOf(two));
      expect(statefulOf(withTests)).toEqual(statefulOf(two));
    });
  });

  describe('compliance', () => {
    test('cross-account: zero unacknowledged cdk-nag AwsSolutions findings and Control Tower violations in both stacks', () => {
      const { app, stagingStack, productionStack } = crossAccount();
      const report = checkCompliance(app, [stagingStack, productionStack]);
      expect(describeFindings([...report.nagErrors, ...report.nagWarnings, ...report.guardViolations])).toEqual([]);
    });
  });

  describe('bad input', () => {
    test('an environment the promoted repository does not reach is refused by name with the fix', () => {
      const app = new App();
      const stagingStack = new Stack(app, 'Staging', { env: STAGING });
      const productionStack = new Stack(app, 'Production', { env: PRODUCTION });
      const staging = new BackendPlatform(stagingStack, 'Backend', { environmentName: 'staging', pipeline: { enabled: false } });
      const other = ecr.Repository.fromRepositoryArn(productionStack, 'Other', 'arn:aws:ecr:eu-central-1:222222222222:repository/other');
      const prod = new BackendPlatform(productionStack, 'Backend', { environmentName: 'prod', repository: other, pipeline: { enabled: false } });
      expect(() => new PromotionPipeline(stagingStack, 'Promotion', { repository: staging.repository, environments: [{ target: staging }, { target: prod }] }))
        .toThrow(/environments\[1\]\.target "Production\/Backend": none of its services runs an image of the promoted repository.*environments\[1\]\.repository/);
    });

    test('a platform that still has its own pipeline is refused: the two would race', () => {
      const app = new App();
      const stack = new Stack(app, 'Delivery', { env: STAGING });
      const staging = new BackendPlatform(stack, 'Staging', { environmentName: 'staging' });
      expect(() => new PromotionPipeline(stack, 'Promotion', { repository: staging.repository, environments: [{ target: staging }] }))
        .toThrow(/Delivery\/Staging\/Pipeline already deploys .*give the platform pipeline: \{ enabled: false \}/);
    });

    test('all problems at once: no environments, duplicate names, bad paths, empty commands, an ignored timeout, a sha256- tag', () => {
      const build = (environments: (s: BackendPlatform, p: BackendPlatform) => PromotionEnvironment[], tag?: string) => () => {
        const app = new App();
        const stack = new Stack(app, 'Delivery', { env: STAGING });
        const staging = new BackendPlatform(stack, 'Staging', { environmentName: 'staging', pipeline: { enabled: false } });
        const prod = new BackendPlatform(stack, 'Prod', { environmentName: 'staging', appName: 'other', repository: staging.repository, pipeline: { enabled: false } });
        return new PromotionPipeline(stack, 'Promotion', { repository: staging.repository, tag, environments: environments(staging, prod) });
      };
      expect(build(() => [])).toThrow(/invalid environments/);
      const many = build((s) => [{ target: s, smokeCheckPaths: ['healthz'], testCommands: [], migrationTimeout: Duration.minutes(10), testTaskCommand: [] }], 'sha256-abc');
      expect(many).toThrow(/tag "sha256-abc"/);
      expect(many).toThrow(/environments\[0\]\.smokeCheckPaths\[0\]/);
      expect(many).toThrow(/environments\[0\]\.testCommands/);
      expect(many).toThrow(/environments\[0\]\.testTaskCommand/);
      expect(many).toThrow(/environments\[0\]\.migrationTimeout "Duration.minutes\(10\)": no migration runs/);
      expect(build((s, p) => [{ target: s }, { target: p }])).toThrow(/environments\[1\]\.target\.environmentName "staging": environments\[0\] has the same name/);
    });

    test('plain JavaScript: a wrong type or a target that is no IDeliveryTarget is refused by name', () => {
      const app = new App();
      const stack = new Stack(app, 'Delivery', { env: STAGING });
      const staging = new BackendPlatform(stack, 'Staging', { environmentName: 'staging', pipeline: { enabled: false } });
      expect(() => new PromotionPipeline(stack, 'P1', { repository: staging.repository, environments: [{ target: staging, manualApproval: 'yes' as any }] }))
        .toThrow(/environments\[0\]\.manualApproval/);
      expect(() => new PromotionPipeline(stack, 'P2', { repository: staging.repository, environments: [{ target: {} as any }] }))
        .toThrow(/environments\[0\]\.target/);
    });

    test('more stages than CodePipeline allows (50 per pipeline) are refused at synth', () => {
      const app = new App();
      const stack = new Stack(app, 'Delivery', { env: STAGING });
      const staging = new BackendPlatform(stack, 'Staging', { environmentName: 'staging', pipeline: { enabled: false } });
      // Each environment takes 4 stages (approve, migrate, deploy, test): 12 of them with Source and Release make 50, 13 make 54.
      const environments = (n: number) => Array.from({ length: n }, (_, i) => ({
        target: Object.assign(new Construct(stack, `Env${i}`), {
          environmentName: `env${i}`, deliveryServices: staging.deliveryServices, deliveryJobs: [], serviceUrl: staging.serviceUrl,
        }),
        manualApproval: true,
        migrationCommand: ['m'],
        smokeCheckPaths: ['/'],
      }));
      expect(() => new PromotionPipeline(stack, 'Promotion', { repository: staging.repository, environments: environments(13) }))
        .toThrow(/the pipeline would hold 54 stages, over CodePipeline's 50 per pipeline/);
    });
  });
});

describe('EcrToEcsPipeline on a repository whose trigger tag is immutable', () => {
  test('a second platform with its own trigger tag on the first platform\'s repository is refused at synth, naming the repository', () => {
    const app = new App();
    const stack = new Stack(app, 'Shared', { env: STAGING });
    const staging = new BackendPlatform(stack, 'Staging', { environmentName: 'staging' });
    expect(synthesized(() => new BackendPlatform(stack, 'Prod', { environmentName: 'prod', repository: staging.repository, pipeline: { tag: 'prod' } })))
      .toThrow(/tag "prod": repository Shared\/Staging\/Repository keeps this tag immutable \(only "latest" may move\).*PromotionPipeline/);
  });
});
