import { CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

const CLOUDFORMATION_QUOTAS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';

/** A template of `count` resources of one type, each with the properties `properties(i)`. */
function many(count: number, type: string, properties: (i: number) => object = () => ({})): CfnTemplate {
  return { Resources: Object.fromEntries(Array.from({ length: count }, (_, i) => [`R${i}`, { Type: type, Properties: properties(i) }])) };
}

export const templateWithinCloudFormationQuotas: TemplateRule = {
  id: 'template-within-cloudformation-quotas',
  phase: 'create',
  rule: 'CloudFormation refuses a template of more than 500 resources, 200 parameters or 200 outputs (a nested stack is a template of its own).',
  source: CLOUDFORMATION_QUOTAS,
  check(template: CfnTemplate): string[] {
    const counts = { resources: 500, parameters: 200, outputs: 200 };
    const sections = { resources: template.Resources, parameters: template.Parameters, outputs: template.Outputs };
    return Object.entries(counts).flatMap(([section, quota]) => {
      const count = Object.keys(sections[section as keyof typeof sections] ?? {}).length;
      return count > quota ? [`the template holds ${count} ${section}, over the quota of ${quota}`] : [];
    });
  },
  counterexample: many(501, 'AWS::SNS::Topic'),
};

export const dynamicReferencesWithinQuota: TemplateRule = {
  id: 'dynamic-references-within-quota',
  phase: 'create',
  rule: 'A template holds at most 60 dynamic references ({{resolve:...}}: SSM parameters, Secrets Manager secrets); past that the create or update fails validation.',
  source: CLOUDFORMATION_QUOTAS,
  check(template: CfnTemplate): string[] {
    const count = JSON.stringify(template).split('{{resolve:').length - 1;
    return count > 60 ? [`the template holds ${count} dynamic references, over the quota of 60`] : [];
  },
  counterexample: many(61, 'AWS::SSM::Parameter', i => ({ Type: 'String', Value: `{{resolve:ssm:/app/tag${i}}}` })),
};

const PIPELINE = 'AWS::CodePipeline::Pipeline';

export const pipelineWithinQuotas: TemplateRule = {
  id: 'pipeline-within-quotas',
  phase: 'create',
  rule: 'A CodePipeline pipeline holds at most 50 stages and each stage at most 50 actions; CreatePipeline/UpdatePipeline refuse more.',
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, PIPELINE).flatMap(([id, pipeline]) => {
      const stages: any[] = pipeline.Properties?.Stages ?? [];
      return [
        ...(stages.length > 50 ? [`${id} has ${stages.length} stages, over the quota of 50`] : []),
        ...stages.filter(stage => (stage.Actions ?? []).length > 50)
          .map(stage => `${id} stage ${stage.Name} has ${stage.Actions.length} actions, over the quota of 50`),
      ];
    });
  },
  counterexample: {
    Resources: {
      Pipeline: {
        Type: PIPELINE,
        Properties: { Stages: [{ Name: 'Deploy', Actions: Array.from({ length: 51 }, (_, i) => ({ Name: `Service${i}` })) }] },
      },
    },
  },
};

/** The widgets of a dashboard body, a JSON string or a join of strings and deploy-time values (which sit inside strings). */
function widgetsOf(body: unknown): number {
  const join = (body as any)?.['Fn::Join'];
  const text = typeof body === 'string' ? body : (join?.[1] ?? []).map((part: unknown) => (typeof part === 'string' ? part : 'X')).join(join?.[0] ?? '');
  return (JSON.parse(text).widgets ?? []).length;
}

export const dashboardWithinWidgetQuota: TemplateRule = {
  id: 'dashboard-within-widget-quota',
  phase: 'create',
  rule: 'A CloudWatch dashboard body holds at most 500 widgets; PutDashboard refuses a larger one.',
  source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::CloudWatch::Dashboard').flatMap(([id, dashboard]) => {
      const widgets = widgetsOf(dashboard.Properties?.DashboardBody);
      return widgets > 500 ? [`${id} holds ${widgets} widgets, over the quota of 500`] : [];
    });
  },
  counterexample: {
    Resources: {
      Dashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: { DashboardBody: JSON.stringify({ widgets: Array.from({ length: 501 }, () => ({ type: 'text', properties: { markdown: 'x' } })) }) },
      },
    },
  },
};

export const roleWithinManagedPolicyQuota: TemplateRule = {
  id: 'role-within-managed-policy-quota',
  phase: 'create',
  rule: 'An IAM role takes at most 10 managed policies by default (20 on request); aws-cdk-lib moves a large inline policy into overflow managed policies, '
    + 'and the attachment past the quota fails with LimitExceeded.',
  source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
  check(template: CfnTemplate): string[] {
    const managed = resourcesOfType(template, 'AWS::IAM::ManagedPolicy');
    return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([id, role]) => {
      const attached = (role.Properties?.ManagedPolicyArns ?? []).length
        + managed.filter(([, policy]) => (policy.Properties?.Roles ?? []).some((r: unknown) => referencedId(r) === id)).length;
      return attached > 10 ? [`${id} has ${attached} managed policies, over the quota of 10`] : [];
    });
  },
  counterexample: {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      ...many(11, 'AWS::IAM::ManagedPolicy', () => ({ PolicyDocument: {}, Roles: [{ Ref: 'Role' }] })).Resources,
    },
  },
};

export const distributionWithinQuotas: TemplateRule = {
  id: 'distribution-within-quotas',
  phase: 'create',
  rule: 'A CloudFront distribution holds at most 25 cache behaviors (the default one included) and 25 origins by default; more fails the create or update '
    + '(the General Reference\'s defaults; the Developer Guide now lists 75 behaviors: the rule keeps the lower bound).',
  source: 'https://docs.aws.amazon.com/general/latest/gr/cf_region.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::CloudFront::Distribution').flatMap(([id, distribution]) => {
      const config = distribution.Properties?.DistributionConfig ?? {};
      const behaviors = 1 + (config.CacheBehaviors ?? []).length;
      const origins = (config.Origins ?? []).length;
      return [
        ...(behaviors > 25 ? [`${id} has ${behaviors} cache behaviors, over the quota of 25`] : []),
        ...(origins > 25 ? [`${id} has ${origins} origins, over the quota of 25`] : []),
      ];
    });
  },
  counterexample: {
    Resources: {
      Distribution: {
        Type: 'AWS::CloudFront::Distribution',
        Properties: { DistributionConfig: { CacheBehaviors: Array.from({ length: 25 }, (_, i) => ({ PathPattern: `/p${i}/*` })), Origins: [{ Id: 'alb' }] } },
      },
    },
  },
};

export const metricsWorkspacesWithinQuota: TemplateRule = {
  id: 'metrics-workspaces-within-quota',
  phase: 'create',
  rule: 'Amazon Managed Service for Prometheus allows 25 workspaces per account and Region by default; CreateWorkspace refuses the next one '
    + '(one template can never hold more; the library counts the whole app at synth).',
  source: 'https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html',
  check(template: CfnTemplate): string[] {
    const count = resourcesOfType(template, 'AWS::APS::Workspace').length;
    return count > 25 ? [`the template holds ${count} Prometheus workspaces, over the quota of 25 per account and Region`] : [];
  },
  counterexample: many(26, 'AWS::APS::Workspace'),
};
