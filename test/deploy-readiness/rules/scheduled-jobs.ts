import { CfnResource, CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

/** A CloudFormation value as text: references as `<LogicalId>`, joins joined, any other intrinsic as `<?>`. */
function flat(value: any): string {
  if (typeof value === 'string') return value;
  const id = referencedId(value);
  if (id) return `<${id}>`;
  if (value && Array.isArray(value['Fn::Join'])) return value['Fn::Join'][1].map(flat).join(value['Fn::Join'][0]);
  return '<?>';
}

interface ScheduledTask {
  /** The schedule rule and the target's position, for the finding. */
  readonly where: string;
  readonly ruleId: string;
  readonly taskDefinitionId: string;
  readonly taskDefinition: CfnResource;
  /** The target names one revision (`Ref` of the task definition), not the family. */
  readonly pinned: boolean;
}

/**
 * Every EventBridge target that runs an ECS task of this template, with the task definition it runs: a `Ref` names
 * CloudFormation's revision; an ARN ending in `task-definition/<family>` names the family, whose newest ACTIVE revision
 * RunTask starts. Tasks of imported task definitions are not this template's to check.
 */
function scheduledTasks(template: CfnTemplate): ScheduledTask[] {
  const definitions = resourcesOfType(template, 'AWS::ECS::TaskDefinition');
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([ruleId, rule]) =>
    ((rule.Properties?.Targets ?? []) as any[]).flatMap((target, i): ScheduledTask[] => {
      const arn = target.EcsParameters?.TaskDefinitionArn;
      if (arn === undefined) return [];
      const where = `${ruleId} (target ${i})`;
      const ref = referencedId(arn);
      const byRef = definitions.find(([id]) => id === ref);
      if (byRef) return [{ where, ruleId, taskDefinitionId: byRef[0], taskDefinition: byRef[1], pinned: true }];
      const text = flat(arn);
      const byFamily = definitions.find(([, td]) => typeof td.Properties?.Family === 'string' && text.endsWith(`:task-definition/${td.Properties.Family}`));
      return byFamily ? [{ where, ruleId, taskDefinitionId: byFamily[0], taskDefinition: byFamily[1], pinned: false }] : [];
    }));
}

/** The repositories (literal name, or `<LogicalId>`) that deploy pipelines of this template watch, with each pipeline. */
function pipelineRepositories(template: CfnTemplate): Array<{ pipelineId: string; repository: string; stages: string }> {
  return resourcesOfType(template, 'AWS::CodePipeline::Pipeline').flatMap(([pipelineId, pipeline]) => {
    const stages = (pipeline.Properties?.Stages ?? []) as any[];
    return stages.flatMap(stage => stage.Actions as any[])
      .filter(action => action.ActionTypeId?.Provider === 'ECR')
      .map(action => ({ pipelineId, repository: flat(action.Configuration.RepositoryName), stages: withStepProjects(template, stages) }));
  });
}

/** The stages as text, with the CodeBuild projects their actions run: a step may list the families in its project. */
function withStepProjects(template: CfnTemplate, stages: any[]): string {
  const text = JSON.stringify(stages);
  const projects = resourcesOfType(template, 'AWS::CodeBuild::Project').filter(([id]) => text.includes(`{"Ref":"${id}"}`));
  return [text, ...projects.map(([, project]) => JSON.stringify(project))].join('\n');
}

/** Whether an image URI (as text) is of the repository: `.../<repository>:<tag>` or `.../<repository>@<digest>`. */
function imageOf(image: unknown, repository: string): boolean {
  const text = flat(image);
  return text.includes(`/${repository}:`) || text.includes(`/${repository}@`);
}

export const scheduledTaskFollowsReleases: TemplateRule = {
  id: 'scheduled-task-follows-releases',
  phase: 'create',
  rule: 'EventBridge starts exactly the task definition its ECS target names: a revision ARN keeps running the image CloudFormation last registered '
    + 'after every release; only a family ARN runs the newest ACTIVE revision (RunTask), so a task of a repository this template deploys with a '
    + 'pipeline must name its family, and that pipeline must register a revision of it.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html',
  check(template: CfnTemplate): string[] {
    const pipelines = pipelineRepositories(template);
    return scheduledTasks(template).flatMap(task => {
      const family = task.taskDefinition.Properties?.Family;
      const images = ((task.taskDefinition.Properties?.ContainerDefinitions ?? []) as any[]).map(container => container.Image);
      return pipelines.filter(p => images.some(image => imageOf(image, p.repository))).flatMap(p => {
        if (task.pinned) {
          return [`${task.where} runs revision ${task.taskDefinitionId} of an image ${p.pipelineId} releases: name the family, or each release leaves the task on the old image`];
        }
        // A family name (letters, digits, - and _) anywhere in the pipeline's stages, e.g. in a step's job list.
        return new RegExp(`(^|[^A-Za-z0-9_-])${family}($|[^A-Za-z0-9_-])`).test(p.stages) ? []
          : [`${task.where} runs family ${family} of an image ${p.pipelineId} releases, but the pipeline registers no revision of it`];
      });
    });
  },
  counterexample: {
    Resources: {
      Repo: { Type: 'AWS::ECR::Repository' },
      Job: { Type: 'AWS::ECS::TaskDefinition', Properties: { Family: 'Job', ContainerDefinitions: [{ Name: 'job', Image: { 'Fn::Join': ['', ['123.dkr.ecr.eu-west-1.amazonaws.com/', { Ref: 'Repo' }, ':latest']] } }] } },
      Schedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(5 minutes)', Targets: [{ Id: 'T', Arn: 'arn:cluster', EcsParameters: { TaskDefinitionArn: { Ref: 'Job' } } }] } },
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: { Stages: [{ Name: 'Source', Actions: [{ Name: 'Image', ActionTypeId: { Provider: 'ECR' }, Configuration: { RepositoryName: { Ref: 'Repo' } } }] }] },
      },
    },
  },
};

export const scheduledTaskAlarmsWhenItNeverStarts: TemplateRule = {
  id: 'scheduled-task-alarms-when-it-never-starts',
  phase: 'create',
  rule: 'A scheduled task that cannot start (image pull, secrets, network) stops with stopCode TaskFailedToStart and containers without an exit code, '
    + 'which an exit-code match never sees; a launch RunTask refuses counts as a FailedInvocations of the rule. Every scheduled ECS task needs an '
    + 'alarm on both: a rule on its family\'s TaskFailedToStart events with an alarm on its MatchedEvents, and an alarm on the schedule\'s FailedInvocations.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html',
  check(template: CfnTemplate): string[] {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
    const alarmed = (ruleId: string, metric: string) => alarms.some(alarm => alarm.MetricName === metric
      && ((alarm.Dimensions ?? []) as any[]).some(d => d.Name === 'RuleName' && referencedId(d.Value) === ruleId));
    const failedToStart = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => {
      const pattern = rule.Properties?.EventPattern;
      return pattern?.source?.includes('aws.ecs') && pattern?.['detail-type']?.includes('ECS Task State Change')
        && JSON.stringify(pattern.detail ?? {}).includes('"stopCode":["TaskFailedToStart"]');
    });
    return scheduledTasks(template).flatMap(task => {
      const family = task.taskDefinition.Properties?.Family;
      const watching = failedToStart.filter(([, rule]) => ((rule.Properties.EventPattern.detail.taskDefinitionArn ?? []) as any[])
        .some(match => flat(match.prefix ?? match).endsWith(`:task-definition/${family}:`)));
      return [
        ...(watching.some(([ruleId]) => alarmed(ruleId, 'MatchedEvents')) ? []
          : [`${task.where}: no alarm sees a task of family ${family} that never starts (stopCode TaskFailedToStart, on every revision)`]),
        ...(alarmed(task.ruleId, 'FailedInvocations') ? [] : [`${task.where}: no alarm on the schedule's FailedInvocations (RunTask refused)`]),
      ];
    });
  },
  counterexample: {
    Resources: {
      Job: { Type: 'AWS::ECS::TaskDefinition', Properties: { Family: 'Job', ContainerDefinitions: [{ Name: 'job', Image: 'busybox' }] } },
      Schedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(5 minutes)', Targets: [{ Id: 'T', Arn: 'arn:cluster', EcsParameters: { TaskDefinitionArn: { Ref: 'Job' } } }] } },
      FailedRuns: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: {
            'source': ['aws.ecs'],
            'detail-type': ['ECS Task State Change'],
            'detail': { lastStatus: ['STOPPED'], taskDefinitionArn: [{ Ref: 'Job' }], containers: { exitCode: [{ 'anything-but': 0 }] } },
          },
        },
      },
      FailedRunAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'MatchedEvents', Dimensions: [{ Name: 'RuleName', Value: { Ref: 'FailedRuns' } }] } },
      FailedLaunchAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'FailedInvocations', Dimensions: [{ Name: 'RuleName', Value: { Ref: 'Schedule' } }] } },
    },
  },
};
