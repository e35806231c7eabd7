import { CfnTemplate, resourcesOfType, TemplateRule } from '../rule';

/**
 * Actions that change an environment: ECS deploys, and the steps that migrate its database, deploy to it, record its
 * release or run tests inside it (named so by both pipelines of the library).
 */
function touchesEnvironment(action: any): boolean {
  return action.ActionTypeId?.Category === 'Deploy' || /^(Migrat|Deploy|Record|TestTask)/.test(action.Name ?? '');
}

/** A template of one pipeline with these properties: the shape every counterexample here takes. */
function pipelineTemplate(properties: object): CfnTemplate {
  return { Resources: { Pipeline: { Type: 'AWS::CodePipeline::Pipeline', Properties: properties } } };
}

/**
 * The environment a stage belongs to: a promotion names its stages `<environment>.<step>` (environment names are DNS
 * labels, never dotted); a pipeline of one environment has plain stage names, all of the one environment ('').
 */
function environmentOf(stage: any): string {
  const name: string = stage.Name ?? '';
  return name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
}

export const approvalBeforeProduction: TemplateRule = {
  id: 'approval-before-production',
  phase: 'create',
  rule: 'CodePipeline runs stages in order and an action runs once the stages before it succeeded: a manual approval guards only the stages after it, '
    + 'so a migration or deploy of an environment placed before that environment\'s approval changes it unapproved.',
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, pipeline]) => {
      const stages = (pipeline.Properties?.Stages ?? []) as any[];
      return stages.flatMap((approval, index) => {
        if (!(approval.Actions as any[]).some(action => action.ActionTypeId?.Category === 'Approval')) return [];
        const guarded = environmentOf(approval);
        const before = stages.slice(0, index).filter(stage => environmentOf(stage) === guarded);
        return before.flatMap(stage => (stage.Actions as any[]).filter(touchesEnvironment)
          .map(action => `${id}: action ${action.Name} of stage ${stage.Name} changes ${guarded || 'production'} before the approval in stage ${approval.Name}`));
      });
    });
  },
  counterexample: pipelineTemplate({
    Stages: [
      { Name: 'Source', Actions: [{ Name: 'Image', ActionTypeId: { Category: 'Source', Provider: 'ECR' } }] },
      { Name: 'Migrate', Actions: [{ Name: 'Migrate', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
      { Name: 'Approve', Actions: [{ Name: 'Approve', ActionTypeId: { Category: 'Approval', Provider: 'Manual' } }] },
      { Name: 'Deploy', Actions: [{ Name: 'Service', ActionTypeId: { Category: 'Deploy', Provider: 'ECS' } }] },
    ],
  }),
};

/** The same rule over a promotion: production's migration placed before production's approval. */
export const approvalBeforeEachEnvironment: TemplateRule = {
  ...approvalBeforeProduction,
  id: 'approval-before-each-environment',
  counterexample: pipelineTemplate({
    Stages: [
      { Name: 'Source', Actions: [{ Name: 'Image', ActionTypeId: { Category: 'Source', Provider: 'ECR' } }] },
      { Name: 'staging.Deploy', Actions: [{ Name: 'Deploy', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
      { Name: 'prod.Migrate', Actions: [{ Name: 'Migrate', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
      { Name: 'prod.Approve', Actions: [{ Name: 'Approve', ActionTypeId: { Category: 'Approval', Provider: 'Manual' } }] },
      { Name: 'prod.Deploy', Actions: [{ Name: 'Deploy', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
    ],
  }),
};

/** The 12-digit accounts named in a value (ARNs written as joins keep the account as text). */
function accountsIn(value: unknown): string[] {
  return [...JSON.stringify(value ?? '').matchAll(/:iam::(\d{12}):/g)].map(match => match[1]);
}

export const crossAccountArtifactsNeedCustomerKey: TemplateRule = {
  id: 'cross-account-artifacts-need-customer-key',
  phase: 'create',
  rule: 'An action that runs with a role of another account reads the pipeline\'s artifacts from S3: they must be encrypted with a customer-managed KMS key '
    + 'whose policy admits that account (the AWS-managed aws/s3 key cannot be shared), named in the artifact store by an ARN that names the key\'s account '
    + '(the key ARN, or the alias ARN when the key is another account\'s and its ARN is unknown at synth): a bare alias is resolved in the caller\'s account.',
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, pipeline]) => {
      const props = pipeline.Properties ?? {};
      const actions = ((props.Stages ?? []) as any[]).flatMap(stage => stage.Actions as any[]);
      if (!actions.some(action => accountsIn(action.RoleArn).length > 0)) return [];
      const stores = [props.ArtifactStore, ...((props.ArtifactStores ?? []) as any[]).map(store => store.ArtifactStore)].filter(Boolean);
      return stores.flatMap(store => {
        if (!store.EncryptionKey) return [`${id}: artifact store ${JSON.stringify(store.Location)} has no customer-managed key, but actions run with roles of other accounts`];
        const keyId = store.EncryptionKey.Id;
        return typeof keyId === 'string' && /^alias\//.test(keyId) ? [`${id}: artifact store ${JSON.stringify(store.Location)} names its key by the bare alias ${keyId}`] : [];
      });
    });
  },
  counterexample: pipelineTemplate({
    ArtifactStore: { Type: 'S3', Location: 'artifacts' },
    Stages: [{ Name: 'prod.Deploy', Actions: [{ Name: 'Deploy', RoleArn: 'arn:aws:iam::222222222222:role/deploy' }] }],
  }),
};

export const crossAccountTrustByCondition: TemplateRule = {
  id: 'cross-account-trust-by-condition',
  phase: 'create',
  rule: 'IAM refuses a trust policy whose principal names a role that does not exist (MalformedPolicyDocument: Invalid principal), and a saved role principal '
    + 'becomes the role\'s unique ID, so a recreated role is no longer trusted: trust another account\'s role through its account and an aws:PrincipalArn condition.',
  source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([id, role]) => ((role.Properties?.AssumeRolePolicyDocument?.Statement ?? []) as any[])
      .filter(statement => /:iam::\d{12}:role\//.test(JSON.stringify(statement.Principal ?? {})))
      .map(() => `${id}: trusts a role of an account by its ARN; trust the account with an aws:PrincipalArn condition instead`));
  },
  counterexample: {
    Resources: {
      ActionRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:role/pipeline' } }] } },
      },
    },
  },
};

const ECR_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

export const crossAccountPullGrantsEveryPullAction: TemplateRule = {
  id: 'cross-account-pull-grants-every-pull-action',
  phase: 'create',
  rule: 'A task in another account pulls an ECR image with BatchGetImage (the manifest), GetDownloadUrlForLayer (each layer) and BatchCheckLayerAvailability; '
    + 'a repository policy granting that account fewer leaves its tasks in CannotPullContainerError.',
  source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::ECR::Repository').flatMap(([id, repository]) => ((repository.Properties?.RepositoryPolicyText?.Statement ?? []) as any[])
      .filter(statement => statement.Effect === 'Allow' && /:iam::\d{12}:root/.test(JSON.stringify(statement.Principal ?? {})))
      .filter(statement => [statement.Action].flat().some((action: string) => ECR_PULL.includes(action)))
      .flatMap(statement => ECR_PULL.filter(action => ![statement.Action].flat().includes(action)).map(action => `${id}: grants another account a pull without ${action}`)));
  },
  counterexample: {
    Resources: {
      Repository: {
        Type: 'AWS::ECR::Repository',
        Properties: { RepositoryPolicyText: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: ['ecr:BatchGetImage'] }] } },
      },
    },
  },
};

/** The literal region of an action or an artifact store (a token, such as the stack's own region, is not one). */
const literalRegion = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const everyActionRegionHasArtifactStore: TemplateRule = {
  id: 'every-action-region-has-artifact-store',
  phase: 'create',
  rule: 'CodePipeline copies artifacts into an artifact store in the region of each action: a pipeline with a cross-region action must use ArtifactStores '
    + '(not ArtifactStore), with one store for its own region and one for each region an action runs in; otherwise CreatePipeline fails.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-codepipeline-pipeline-artifactstoremap.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, pipeline]) => {
      const props = pipeline.Properties ?? {};
      const actions = ((props.Stages ?? []) as any[]).flatMap(stage => (stage.Actions ?? []) as any[]);
      const regions = [...new Set(actions.map(action => literalRegion(action.Region)).filter((region): region is string => region !== undefined))];
      if (regions.length === 0) return [];
      if (!props.ArtifactStores) return [`${id}: actions run in ${regions.join(', ')} but the pipeline has a single ArtifactStore; give ArtifactStores, one per region`];
      const stored = ((props.ArtifactStores ?? []) as any[]).map(store => literalRegion(store.Region));
      const problems = regions.filter(region => !stored.includes(region)).map(region => `${id}: an action runs in ${region}, which has no artifact store`);
      // aws-cdk-lib gives an action a Region only when it runs outside the pipeline's region: the pipeline's own store is another one.
      if (!stored.some(region => region === undefined || !regions.includes(region))) problems.push(`${id}: no artifact store for the pipeline's own region`);
      return problems;
    });
  },
  counterexample: pipelineTemplate({
    ArtifactStores: [{ Region: 'eu-west-1', ArtifactStore: { Type: 'S3', Location: 'artifacts' } }],
    Stages: [
      { Name: 'Source', Actions: [{ Name: 'Image', ActionTypeId: { Category: 'Source', Provider: 'ECR' } }] },
      { Name: 'prod.Deploy', Actions: [{ Name: 'Deploy', Region: 'eu-central-1', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
    ],
  }),
};

/** Each resource policy of a template with its logical ID: bucket, key, repository, topic and queue policies. */
function resourcePolicies(template: CfnTemplate): Array<[string, any]> {
  const of = (type: string, document: (props: any) => any) => resourcesOfType(template, type)
    .map(([id, resource]): [string, any] => [id, document(resource.Properties ?? {})]);
  return [
    ...of('AWS::S3::BucketPolicy', props => props.PolicyDocument),
    ...of('AWS::KMS::Key', props => props.KeyPolicy),
    ...of('AWS::ECR::Repository', props => props.RepositoryPolicyText),
    ...of('AWS::SNS::TopicPolicy', props => props.PolicyDocument),
    ...of('AWS::SQS::QueuePolicy', props => props.PolicyDocument),
    ...of('AWS::SecretsManager::ResourcePolicy', props => props.ResourcePolicy),
  ];
}

export const resourcePolicyNamesNoRoleOfAnotherAccount: TemplateRule = {
  id: 'resource-policy-names-no-role-of-another-account',
  phase: 'create',
  rule: 'S3 and KMS refuse a bucket or key policy whose principal is a role that does not exist yet (MalformedPolicy: Invalid principal in policy; '
    + 'MalformedPolicyDocumentException), and a role of another stack often deploys after the policy (a pipeline after its environments); a saved '
    + 'role principal also becomes the role\'s unique ID, which a recreated role no longer matches. A role written out by ARN (an account ID in the '
    + 'template, not a reference to a resource of the stack) is named through its account and an aws:PrincipalArn condition instead.',
  source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles',
  check(template: CfnTemplate): string[] {
    return resourcePolicies(template).flatMap(([id, document]) => ((document?.Statement ?? []) as any[])
      .filter(statement => /:iam::\d{12}:role\//.test(JSON.stringify(statement.Principal ?? {})))
      .map(statement => `${id}: statement ${statement.Sid ?? JSON.stringify(statement.Action)} names a role of account ${accountsIn(statement.Principal).join(', ')} `
        + 'by its ARN; name the account with an aws:PrincipalArn condition'));
  },
  counterexample: {
    Resources: {
      ReplicationBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: 'replication',
          PolicyDocument: {
            Statement: [{
              Effect: 'Allow',
              Action: ['s3:GetObject*', 's3:PutObject'],
              Resource: 'arn:aws:s3:::replication/*',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/stagingpipelinerole']] } },
            }],
          },
        },
      },
    },
  },
};
