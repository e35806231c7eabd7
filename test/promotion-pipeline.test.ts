import { App, DefaultStackSynthesizer, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { synthesized } from './builders';
import { checkCompliance, describe as describeFindings } from './compliance';
import { everyActionRegionHasArtifactStore, resourcePolicyNamesNoRoleOfAnotherAccount } from './deploy-readiness/rules/pipelines';
import { STATEFUL } from './stateful';
import { BackendPlatform, EnvironmentProfile, PromotionEnvironment, PromotionPipeline } from '../src';

const STAGING = { account: '111111111111', region: 'eu-west-1' };
const PRODUCTION = { account: '222222222222', region: 'eu-central-1' };

/** The staging platform, which owns the promoted repository, in the pipeline's stack. */
function stagingOf(app: App) {
  const stagingStack = new Stack(app, 'Staging', { env: STAGING });
  const staging = new BackendPlatform(stagingStack, 'Backend', { environmentName: 'staging', profile: EnvironmentProfile.DEVELOPMENT, pipeline: { enabled: false } });
  return { stagingStack, staging };
}

/** Staging's repository as another environment's stack names it (by ARN, from staging's output). */
const promotedRepository = (stack: Stack) => ecr.Repository.fromRepositoryAttributes(stack, 'Repository', {
  repositoryArn: 'arn:aws:ecr:eu-west-1:111111111111:repository/backend', repositoryName: 'backend',
});

/** A staging platform with the repository and the pipeline, and a production platform in another account. */
function crossAccount(production: Partial<PromotionEnvironment> = {}, productionEnv = PRODUCTION) {
  const app = new App();
  const { stagingStack, staging } = stagingOf(app);
  const productionStack = new Stack(app, 'Production', { env: productionEnv });
  const repository = promotedRepository(productionStack);
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
    const { app, stagingStack, productionStack, promotion } = crossAccount();
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

    test('THEN the repository lets production\'s account pull, and the pipeline\'s own key admits no other account', () => {
      const key = Object.entries<any>(staging.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('PromotionArtifactsKey'))![1];
      expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain('222222222222');
      const repository = Object.values<any>(staging.findResources('AWS::ECR::Repository'))[0];
      expect(repository.Properties.RepositoryPolicyText.Statement).toEqual([expect.objectContaining({
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
      })]);
    });

    describe('production\'s region (eu-central-1) has the library\'s artifact store, in a stack of the pipeline\'s account', () => {
      const storeStack = app.node.findChild('StagingPromotionArtifactsEuCentral1') as Stack;
      const store = Template.fromStack(storeStack);
      const [bucketId, bucket] = Object.entries<any>(store.findResources('AWS::S3::Bucket')).find(([id]) => /^StoreArtifactBucket/.test(id))!;
      const [keyId, key] = Object.entries<any>(store.findResources('AWS::KMS::Key')).find(([id]) => /^StoreKey/.test(id))!;
      const alias = Object.values<any>(store.findResources('AWS::KMS::Alias')).find(a => a.Properties.TargetKeyId['Fn::GetAtt'][0] === keyId)!;
      const policy = Object.values<any>(store.findResources('AWS::S3::BucketPolicy')).find(p => p.Properties.Bucket.Ref === bucketId)!;
      const asRoleOf = (account: string, role: RegExp) => ({
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] } },
        Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(role)]] } } },
      });

      test('THEN the store\'s stack is in the pipeline\'s account and production\'s region, deployed before the pipeline\'s', () => {
        expect([storeStack.account, storeStack.region]).toEqual(['111111111111', 'eu-central-1']);
        expect(stagingStack.dependencies).toContain(storeStack);
        expect(app.node.children.filter(c => c instanceof Stack).map(c => c.node.id).sort()).toEqual(['Production', 'Staging', 'StagingPromotionArtifactsEuCentral1']);
      });

      test('THEN the pipeline has a store per region: its own, and the region\'s bucket by name with its key named by the alias ARN of the pipeline\'s account', () => {
        expect(pipelineOf(staging).ArtifactStore).toBeUndefined();
        const stores = Object.fromEntries(pipelineOf(staging).ArtifactStores.map((s: any) => [s.Region, s.ArtifactStore]));
        expect(Object.keys(stores).sort()).toEqual(['eu-central-1', 'eu-west-1']);
        expect(stores['eu-west-1'].Location).toEqual({ Ref: expect.stringMatching(/^PromotionArtifactBucket/) });
        expect(bucket.Properties.BucketName).toMatch(/^stagingpromotionartifactseucentral1-[0-9a-f]{16}$/);
        expect(stores['eu-central-1']).toEqual({
          Type: 'S3',
          Location: bucket.Properties.BucketName,
          EncryptionKey: { Type: 'KMS', Id: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:eu-central-1:111111111111:${alias.Properties.AliasName}`]] } },
        });
        expect(alias.Properties.AliasName).toMatch(/^alias\/[a-z0-9_-]+$/);
      });

      test('THEN production\'s stack holds no store, no stack imports another\'s output, and aws-cdk-lib adds no replication bucket', () => {
        expect(Object.keys(production.findResources('AWS::S3::Bucket')).filter(id => /Promotion/.test(id))).toEqual([]);
        expect(Object.keys(production.findResources('AWS::KMS::Key')).filter(id => /Promotion/.test(id))).toEqual([]);
        for (const template of [staging, production, store]) {
          expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
          expect(Object.keys(template.toJSON().Resources).filter(id => /CrossRegion/.test(id))).toEqual([]);
        }
      });

      test('THEN the bucket is KMS-encrypted with a rotating key, TLS-only, private, expiring, and emptied and deleted with the stack', () => {
        expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault)
          .toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } });
        expect(bucket.Properties.PublicAccessBlockConfiguration)
          .toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
        expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })]);
        const { DeletionPolicy: keyDeletion, Properties: { PendingWindowInDays, EnableKeyRotation } } = key;
        expect([bucket.DeletionPolicy, keyDeletion, alias.DeletionPolicy, PendingWindowInDays, EnableKeyRotation])
          .toEqual(['Delete', 'Delete', 'Delete', 7, true]);
        store.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucketId } });
        expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
          Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }));
      });

      test('THEN its bucket and key policies admit the pipeline\'s role and each step of production by account and an aws:PrincipalArn condition, never by ARN', () => {
        const statements = [...policy.Properties.PolicyDocument.Statement, ...key.Properties.KeyPolicy.Statement];
        for (const statement of statements) expect(JSON.stringify(statement.Principal)).not.toMatch(/:role\//);
        const pipelineRole = asRoleOf('111111111111', /^:iam::111111111111:role\/.+pipelinerole/);
        expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
          ...pipelineRole, Effect: 'Allow', Action: expect.arrayContaining(['s3:GetObject*', 's3:PutObject']),
        }));
        expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
          ...pipelineRole, Effect: 'Allow', Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
        }));
        // Migrate, Deploy and TestTask: one read statement per step role in the bucket's policy and in the key's.
        for (const document of [policy.Properties.PolicyDocument, key.Properties.KeyPolicy]) {
          const steps = document.Statement.filter((s: any) => JSON.stringify(s.Principal).includes('222222222222'));
          expect(steps).toHaveLength(3);
          for (const step of steps) expect(step).toMatchObject(asRoleOf('222222222222', /^:iam::222222222222:role\/production.*projectrole/));
        }
        for (const template of [staging, production, store]) expect(resourcePolicyNamesNoRoleOfAnotherAccount.check(template.toJSON())).toEqual([]);
      });

      test('THEN the pipeline\'s role and each step of production may read the store and use the keys of the pipeline\'s account in eu-central-1', () => {
        const keys = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-central-1:111111111111:key/*']] };
        const pipelinePolicy = Object.entries<any>(staging.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('PromotionPipelineRoleDefaultPolicy'))![1];
        expect(pipelinePolicy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
          Action: expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']), Resource: keys,
        }));
        const stepRoles = projectsOf(production).map(([, project]) => project.Properties.ServiceRole['Fn::GetAtt'][0]);
        expect(stepRoles).toHaveLength(3);
        for (const role of stepRoles) {
          const statements = Object.values<any>(production.findResources('AWS::IAM::Policy'))
            .filter(p => p.Properties.Roles.some((r: any) => r.Ref === role)).flatMap(p => p.Properties.PolicyDocument.Statement);
          expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: keys }));
          expect(statements).toContainEqual(expect.objectContaining({
            Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
            Resource: expect.arrayContaining([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${bucket.Properties.BucketName}/*`]] }]),
          }));
        }
      });
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

    test('THEN both templates satisfy the artifact-store and resource-policy deploy-readiness rules', () => {
      for (const template of [staging, production]) {
        expect(everyActionRegionHasArtifactStore.check(template.toJSON())).toEqual([]);
        expect(resourcePolicyNamesNoRoleOfAnotherAccount.check(template.toJSON())).toEqual([]);
      }
    });
  });

  describe('GIVEN production in another account of the pipeline\'s region', () => {
    const { stagingStack, productionStack } = crossAccount({}, { account: PRODUCTION.account, region: STAGING.region });
    const staging = Template.fromStack(stagingStack);
    const production = Template.fromStack(productionStack);

    test('THEN one artifact store, the pipeline\'s, and no store in production\'s stack', () => {
      expect(pipelineOf(staging).ArtifactStores).toBeUndefined();
      expect(pipelineOf(staging).ArtifactStore.Location).toEqual({ Ref: expect.stringMatching(/^PromotionArtifactBucket/) });
      expect(Object.keys(production.findResources('AWS::S3::Bucket')).filter(id => /Promotion/.test(id))).toEqual([]);
    });

    test('THEN the pipeline\'s bucket and key admit each of production\'s steps by its account and an aws:PrincipalArn condition, never by its ARN', () => {
      const [bucketId] = Object.entries<any>(staging.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('PromotionArtifactBucket'))!;
      const policy = Object.values<any>(staging.findResources('AWS::S3::BucketPolicy')).find(p => p.Properties.Bucket.Ref === bucketId)!;
      const [, key] = Object.entries<any>(staging.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('PromotionArtifactsKey'))!;
      for (const statements of [policy.Properties.PolicyDocument.Statement, key.Properties.KeyPolicy.Statement]) {
        const admitted = statements.filter((s: any) => JSON.stringify(s.Principal).includes('222222222222'));
        // Migrate, Deploy and TestTask: one statement per step role.
        expect(admitted).toHaveLength(3);
        for (const statement of admitted) {
          expect(statement.Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } });
          expect(JSON.stringify(statement.Condition.ArnEquals['aws:PrincipalArn'])).toMatch(/:iam::222222222222:role\/production.*projectrole/);
        }
      }
      for (const template of [staging, production]) expect(resourcePolicyNamesNoRoleOfAnotherAccount.check(template.toJSON())).toEqual([]);
    });

    test('THEN production\'s steps may read the pipeline\'s bucket and decrypt with the keys of its account and region', () => {
      const statements = Object.values<any>(production.findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:key/*']] },
      }));
      expect(statements).toContainEqual(expect.objectContaining({
        Action: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
        Resource: expect.arrayContaining([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/^:s3:::staging.*artifactbucket[0-9a-f]+\/\*$/)]] }]),
      }));
      const prodActions = pipelineOf(staging).Stages.filter((s: any) => /^prod\./.test(s.Name)).flatMap((s: any) => s.Actions)
        .filter((a: any) => a.ActionTypeId.Provider === 'CodeBuild');
      for (const action of prodActions) expect(JSON.stringify(action.RoleArn)).toContain(':iam::222222222222:role/');
    });

    test('compliance: zero unacknowledged findings in both stacks', () => {
      const { app, stagingStack: s, productionStack: p } = crossAccount({}, { account: PRODUCTION.account, region: STAGING.region });
      const report = checkCompliance(app, [s, p]);
      expect(describeFindings([...report.nagErrors, ...report.nagWarnings, ...report.guardViolations])).toEqual([]);
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
    test('cross-account: zero unacknowledged cdk-nag AwsSolutions findings and Control Tower violations in the three stacks (the store\'s included)', () => {
      const { app, stagingStack, productionStack } = crossAccount();
      const report = checkCompliance(app, [stagingStack, productionStack, app.node.findChild('StagingPromotionArtifactsEuCentral1') as Stack]);
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

    test('environments of one other region in two accounts share that region\'s store, which admits the steps of each account', () => {
      const app = new App();
      const { stagingStack, staging } = stagingOf(app);
      const inAccount = (id: string, account: string) => {
        const stack = new Stack(app, id, { env: { account, region: PRODUCTION.region } });
        const repository = promotedRepository(stack);
        return { target: new BackendPlatform(stack, 'Backend', { environmentName: id.toLowerCase(), repository, pipeline: { enabled: false }, profile: EnvironmentProfile.DEVELOPMENT }), repository, migrationCommand: ['migrate'] };
      };
      new PromotionPipeline(stagingStack, 'Promotion', {
        repository: staging.repository,
        environments: [{ target: staging }, inAccount('Qa', '222222222222'), inAccount('Prod', '333333333333')],
      });
      expect(app.node.children.filter(c => c instanceof Stack).map(c => c.node.id).sort()).toEqual(['Prod', 'Qa', 'Staging', 'StagingPromotionArtifactsEuCentral1']);
      expect(pipelineOf(Template.fromStack(stagingStack)).ArtifactStores.map((s: any) => s.Region).sort()).toEqual(['eu-central-1', 'eu-west-1']);
      const store = Template.fromStack(app.node.findChild('StagingPromotionArtifactsEuCentral1') as Stack);
      const [, key] = Object.entries<any>(store.findResources('AWS::KMS::Key'))[0];
      // Migrate and Deploy of each account's environment.
      const admitted = (account: string) => key.Properties.KeyPolicy.Statement.filter((s: any) => JSON.stringify(s.Condition ?? {}).includes(`:iam::${account}:role/`));
      expect([admitted('222222222222').length, admitted('333333333333').length]).toEqual([2, 2]);
    });

    test('in a Stage, with a bootstrap qualifier of its own, the store\'s stack is created in that stage with that qualifier', () => {
      const app = new App();
      const stage = new Stage(app, 'Delivery');
      const stagingStack = new Stack(stage, 'Staging', { env: STAGING, synthesizer: new DefaultStackSynthesizer({ qualifier: 'team1' }) });
      const staging = new BackendPlatform(stagingStack, 'Backend', { environmentName: 'staging', profile: EnvironmentProfile.DEVELOPMENT, pipeline: { enabled: false } });
      const euStack = new Stack(stage, 'Eu', { env: PRODUCTION });
      const repository = promotedRepository(euStack);
      const prod = new BackendPlatform(euStack, 'Prod', { environmentName: 'prod', repository, pipeline: { enabled: false } });
      const promotion = new PromotionPipeline(stagingStack, 'Promotion', { repository: staging.repository, environments: [{ target: staging }, { target: prod, repository }] });
      const [store] = promotion.artifactStoreStacks;
      expect([store.node.scope, store.stackName, store.synthesizer.bootstrapQualifier]).toEqual([stage, 'Delivery-StagingPromotionArtifactsEuCentral1', 'team1']);
      expect(stagingStack.dependencies).toEqual(expect.arrayContaining([store]));
    });

    test('an environment of another region is refused when the pipeline\'s stack names no account (its store is created in that account)', () => {
      const app = new App();
      const stagingStack = new Stack(app, 'Staging', { env: { region: STAGING.region } });
      const staging = new BackendPlatform(stagingStack, 'Backend', { environmentName: 'staging', profile: EnvironmentProfile.DEVELOPMENT, pipeline: { enabled: false } });
      const euStack = new Stack(app, 'Eu', { env: { region: PRODUCTION.region } });
      const repository = promotedRepository(euStack);
      const prod = new BackendPlatform(euStack, 'Prod', { environmentName: 'prod', repository, pipeline: { enabled: false } });
      expect(() => new PromotionPipeline(stagingStack, 'Promotion', { repository: staging.repository, environments: [{ target: staging }, { target: prod, repository }] }))
        .toThrow(/environments\[1\] "Eu\/Prod": it is in eu-central-1, and the pipeline's stack names no account: .*give the pipeline's stack env: \{ account, region \}/);
    });

    test('WHEN an environment of production\'s region is added before production THEN the region\'s store keeps its logical IDs and names', () => {
      const build = (withQa: boolean) => {
        const app = new App();
        const { stagingStack, staging } = stagingOf(app);
        const euStack = new Stack(app, 'Eu', { env: PRODUCTION });
        const repository = promotedRepository(euStack);
        const prod = new BackendPlatform(euStack, 'Prod', { environmentName: 'prod', repository, pipeline: { enabled: false } });
        const qa = withQa ? [{ target: new BackendPlatform(euStack, 'Qa', { environmentName: 'qa', repository, pipeline: { enabled: false } }), repository }] : [];
        new PromotionPipeline(stagingStack, 'Promotion', { repository: staging.repository, environments: [{ target: staging }, ...qa, { target: prod, repository }] });
        const resources = Template.fromStack(app.node.findChild('StagingPromotionArtifactsEuCentral1') as Stack).toJSON().Resources;
        return Object.fromEntries(Object.entries<any>(resources)
          .filter(([, r]) => ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::KMS::Alias'].includes(r.Type))
          .map(([id, r]) => [id, r.Properties.BucketName ?? r.Properties.AliasName ?? r.Type]));
      };
      const before = build(false);
      expect(Object.keys(before)).toHaveLength(3);
      expect(build(true)).toEqual(before);
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
