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
    + 'whose policy admits that account (the AWS-managed aws/s3 key cannot be shared), named by key ARN or ID in the artifact store, not by alias.',
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-create-cross-account.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, pipeline]) => {
      const props = pipeline.Properties ?? {};
      const actions = ((props.Stages ?? []) as any[]).flatMap(stage => stage.Actions as any[]);
      if (!actions.some(action => accountsIn(action.RoleArn).length > 0)) return [];
      const stores = [props.ArtifactStore, ...((props.ArtifactStores ?? []) as any[]).map(store => store.ArtifactStore)].filter(Boolean);
      return stores.filter(store => !store.EncryptionKey).map(store => `${id}: artifact store ${JSON.stringify(store.Location)} has no customer-managed key, but actions run with roles of other accounts`);
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
