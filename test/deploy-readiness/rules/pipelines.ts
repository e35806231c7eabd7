import { CfnTemplate, resourcesOfType, TemplateRule } from '../rule';

/** Actions that change production: ECS deploys, and the migration step that writes the production database. */
function touchesProduction(action: any): boolean {
  return action.ActionTypeId?.Category === 'Deploy' || /^Migrat/.test(action.Name ?? '');
}

export const approvalBeforeProduction: TemplateRule = {
  id: 'approval-before-production',
  phase: 'create',
  rule: 'CodePipeline runs stages in order and an action runs once the stages before it succeeded: a manual approval guards only the stages after it, '
    + 'so a migration or deploy placed before the approval changes production unapproved.',
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([id, pipeline]) => {
      const stages = (pipeline.Properties?.Stages ?? []) as any[];
      const approval = stages.findIndex(stage => (stage.Actions as any[]).some(action => action.ActionTypeId?.Category === 'Approval'));
      if (approval < 0) return [];
      return stages.slice(0, approval).flatMap(stage => (stage.Actions as any[]).filter(touchesProduction)
        .map(action => `${id}: action ${action.Name} of stage ${stage.Name} changes production before the approval in stage ${stages[approval].Name}`));
    });
  },
  counterexample: {
    Resources: {
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          Stages: [
            { Name: 'Source', Actions: [{ Name: 'Image', ActionTypeId: { Category: 'Source', Provider: 'ECR' } }] },
            { Name: 'Migrate', Actions: [{ Name: 'Migrate', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' } }] },
            { Name: 'Approve', Actions: [{ Name: 'Approve', ActionTypeId: { Category: 'Approval', Provider: 'Manual' } }] },
            { Name: 'Deploy', Actions: [{ Name: 'Service', ActionTypeId: { Category: 'Deploy', Provider: 'ECS' } }] },
          ],
        },
      },
    },
  },
};
