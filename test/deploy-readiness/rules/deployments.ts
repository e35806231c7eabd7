import { CfnResource, CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

/** An alarm description that promises a rollback (the library ends each such description with "ECS rolls the deployment back"). */
const PROMISES_ROLLBACK = /rolls? (the |a )?deployments? back/i;

/** The alarm names of a service's `DeploymentConfiguration.Alarms`, each as the logical ID it references or the literal name. */
function deploymentAlarmNames(service: CfnResource): Array<{ ref?: string; literal?: string }> {
  const names = service.Properties?.DeploymentConfiguration?.Alarms?.AlarmNames;
  if (!Array.isArray(names)) return [];
  return names.map(name => (typeof name === 'string' ? { literal: name } : { ref: referencedId(name) }));
}

function dependsOn(resource: CfnResource): string[] {
  const value = resource.DependsOn;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export const rollbackAlarmsAreDeploymentAlarms: TemplateRule = {
  id: 'rollback-alarms-are-deployment-alarms',
  phase: 'create',
  rule: 'ECS rolls a deployment back only on the alarms named in the service\'s DeploymentConfiguration.Alarms (with Enable and Rollback); '
    + 'an alarm whose description promises a rollback but is not in any service\'s list rolls nothing back (aws-cdk-lib\'s enableDeploymentAlarms '
    + 'keeps only its first call\'s names). A named alarm of the same template must exist before the service: a Ref, or a DependsOn beside a literal name.',
  source: 'aws/aws-cdk#36308',
  check(template: CfnTemplate): string[] {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
    const alarmIds = new Set(alarms.map(([id]) => id));
    const rollsBack = new Set<string>();
    const findings: string[] = [];
    for (const [serviceId, service] of resourcesOfType(template, 'AWS::ECS::Service')) {
      const config = service.Properties?.DeploymentConfiguration?.Alarms;
      for (const name of deploymentAlarmNames(service)) {
        const alarmId = name.ref ?? alarms.find(([, alarm]) => alarm.Properties?.AlarmName === name.literal)?.[0];
        if (name.ref !== undefined && !alarmIds.has(name.ref)) {
          findings.push(`${serviceId} names ${name.ref} as a deployment alarm, which is no CloudWatch alarm of the template`);
        }
        if (alarmId === undefined) continue;
        if (name.literal !== undefined && !dependsOn(service).includes(alarmId)) {
          findings.push(`${serviceId} names alarm ${alarmId} by its literal name without DependsOn: CloudFormation may create the service first`);
        }
        if (config?.Enable === true && config?.Rollback === true) rollsBack.add(alarmId);
      }
    }
    for (const [alarmId, alarm] of alarms) {
      const description = JSON.stringify(alarm.Properties?.AlarmDescription ?? '');
      if (PROMISES_ROLLBACK.test(description) && !rollsBack.has(alarmId)) {
        findings.push(`${alarmId} promises a rollback (${description}) but no ECS service rolls back on it (DeploymentConfiguration.Alarms with Rollback)`);
      }
    }
    return findings;
  },
  counterexample: {
    Resources: {
      UnhealthyHosts: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmDescription: 'Targets fail their health checks: ECS rolls the deployment back' } },
      Target5xx: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmDescription: 'The application answers 5xx: ECS rolls the deployment back' } },
      Service: {
        Type: 'AWS::ECS::Service',
        Properties: { DeploymentConfiguration: { Strategy: 'BLUE_GREEN', Alarms: { AlarmNames: [{ Ref: 'UnhealthyHosts' }], Enable: true, Rollback: true } } },
      },
    },
  },
};

export const ecsServiceFailsFast: TemplateRule = {
  id: 'ecs-service-fails-fast',
  phase: 'create',
  rule: 'A deployment whose tasks never start or never pass health checks fails in minutes only with the deployment circuit breaker, which ECS applies '
    + 'to rolling and blue/green deployments alike; without it ECS keeps launching tasks (aws-cdk-lib warns of up to 3 hours) and CodePipeline\'s ECS '
    + 'action waits its 60 minutes. Every service of the ECS deployment controller therefore has the circuit breaker with rollback.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-failure-detection.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::ECS::Service').flatMap(([id, service]) => {
      const controller = service.Properties?.DeploymentController?.Type ?? 'ECS';
      if (controller !== 'ECS') return [];
      const breaker = service.Properties?.DeploymentConfiguration?.DeploymentCircuitBreaker;
      if (breaker?.Enable === true && breaker?.Rollback === true) return [];
      const strategy = service.Properties?.DeploymentConfiguration?.Strategy ?? 'ROLLING';
      return [`${id} (${strategy}) has no deployment circuit breaker with rollback (${JSON.stringify(breaker ?? null)}): a deployment whose tasks never start is not failed`];
    });
  },
  counterexample: {
    Resources: {
      Service: { Type: 'AWS::ECS::Service', Properties: { DeploymentController: { Type: 'ECS' }, DeploymentConfiguration: { Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5 } } },
    },
  },
};
