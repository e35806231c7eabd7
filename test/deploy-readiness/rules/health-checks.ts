import { CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

const literal = (value: unknown): value is number => typeof value === 'number';

/** One matcher item: a code or a range of codes. */
const MATCHER_ITEM = /^(\d{3})(?:-(\d{3}))?$/;

function matcherProblem(codes: unknown): string | undefined {
  if (typeof codes !== 'string') return undefined;
  const bad = codes.split(',').find(item => {
    const match = MATCHER_ITEM.exec(item);
    if (!match) return true;
    const [low, high] = [Number(match[1]), Number(match[2] ?? match[1])];
    return low < 200 || high > 499 || low > high;
  });
  return bad === undefined ? undefined : `matcher "${codes}" (item "${bad}")`;
}

export const targetGroupHealthCheckWithinLimits: TemplateRule = {
  id: 'target-group-health-check-within-limits',
  phase: 'create',
  rule: 'ELBv2 refuses a target group whose health check interval is outside 5-300 s, whose timeout is outside 2-120 s or not shorter than the interval, '
    + 'whose healthy or unhealthy threshold is outside 2-10, or (Application Load Balancer) whose success codes are not 200-499 as "200,202" or "200-299".',
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').flatMap(([id, group]) => {
      const p = group.Properties ?? {};
      const problems: string[] = [];
      const range = (name: string, min: number, max: number) => {
        if (literal(p[name]) && (p[name] < min || p[name] > max)) problems.push(`${name} ${p[name]} (${min}-${max})`);
      };
      range('HealthCheckIntervalSeconds', 5, 300);
      range('HealthCheckTimeoutSeconds', 2, 120);
      range('HealthyThresholdCount', 2, 10);
      range('UnhealthyThresholdCount', 2, 10);
      const [timeout, interval] = [p.HealthCheckTimeoutSeconds, p.HealthCheckIntervalSeconds];
      if (literal(timeout) && literal(interval) && timeout >= interval) {
        problems.push(`timeout ${timeout} s not shorter than the interval ${interval} s`);
      }
      if (p.Protocol === 'HTTP' || p.Protocol === 'HTTPS') {
        const matcher = matcherProblem(p.Matcher?.HttpCode);
        if (matcher) problems.push(matcher);
      }
      return problems.map(problem => `${id}: ${problem}`);
    });
  },
  counterexample: {
    Resources: {
      Group: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Protocol: 'HTTP', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 5, Matcher: { HttpCode: '200, 202' } } },
    },
  },
};

/** The task definition a service runs, when it is one of the template's. */
function taskDefinitionOf(template: CfnTemplate, service: any): any {
  const id = referencedId(service.Properties?.TaskDefinition);
  return id ? template.Resources?.[id] : undefined;
}

export const containerHealthCheckWithinLimits: TemplateRule = {
  id: 'container-health-check-within-limits',
  phase: 'create',
  rule: 'ECS refuses a container health check whose interval is outside 5-300 s, timeout outside 2-120 s, retries outside 1-10 or start period outside 0-300 s, '
    + 'and one without a command.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::ECS::TaskDefinition').flatMap(([id, definition]) =>
      ((definition.Properties?.ContainerDefinitions ?? []) as any[]).flatMap(container => {
        const hc = container.HealthCheck;
        if (!hc) return [];
        const problems: string[] = [];
        const range = (name: string, min: number, max: number) => {
          if (literal(hc[name]) && (hc[name] < min || hc[name] > max)) problems.push(`${name} ${hc[name]} (${min}-${max})`);
        };
        range('Interval', 5, 300);
        range('Timeout', 2, 120);
        range('Retries', 1, 10);
        range('StartPeriod', 0, 300);
        if (!Array.isArray(hc.Command) || hc.Command.length === 0) problems.push('no command');
        return problems.map(problem => `${id} container ${container.Name}: health check ${problem}`);
      }));
  },
  counterexample: {
    Resources: { Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'worker', HealthCheck: { Command: ['CMD', 'true'], Interval: 2, Retries: 0 } }] } } },
  },
};

export const gracePeriodNeedsAHealthCheck: TemplateRule = {
  id: 'grace-period-needs-a-health-check',
  phase: 'create',
  rule: 'ECS applies a service\'s health check grace period to load balancer, VPC Lattice and container health checks only; on a service with none of them it is unused, '
    + 'so a grace period set there protects nothing.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::ECS::Service').flatMap(([id, service]) => {
      const p = service.Properties ?? {};
      if (p.HealthCheckGracePeriodSeconds === undefined) return [];
      if ((p.LoadBalancers ?? []).length > 0 || (p.VpcLatticeConfigurations ?? []).length > 0) return [];
      const definition = taskDefinitionOf(template, service);
      // A task definition of another template (or a family name) is not this template's to judge.
      if (!definition) return [];
      const checked = ((definition.Properties?.ContainerDefinitions ?? []) as any[]).some(container => container.HealthCheck);
      return checked ? [] : [`${id}: HealthCheckGracePeriodSeconds ${p.HealthCheckGracePeriodSeconds} with no load balancer and no container health check`];
    });
  },
  counterexample: {
    Resources: {
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'worker' }] } },
      Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Task' }, HealthCheckGracePeriodSeconds: 60 } },
    },
  },
};

export const requestCountScalingNotWithBlueGreen: TemplateRule = {
  id: 'request-count-scaling-not-with-blue-green',
  phase: 'create',
  rule: 'Target tracking on ALBRequestCountPerTarget names one target group; ECS does not support it for services that deploy blue/green, whose production '
    + 'traffic moves to the other target group at each deployment.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html',
  check(template: CfnTemplate): string[] {
    const blueGreen = new Set(resourcesOfType(template, 'AWS::ECS::Service')
      .filter(([, service]) => service.Properties?.DeploymentConfiguration?.Strategy === 'BLUE_GREEN').map(([id]) => id));
    return resourcesOfType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').flatMap(([id, policy]) => {
      const metric = policy.Properties?.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType;
      if (metric !== 'ALBRequestCountPerTarget') return [];
      const target = template.Resources?.[referencedId(policy.Properties?.ScalingTargetId) ?? ''];
      const services = JSON.stringify(target?.Properties?.ResourceId ?? '').match(/"Fn::GetAtt":\["([^"]+)","Name"\]/);
      return services && blueGreen.has(services[1]) ? [`${id}: ALBRequestCountPerTarget scaling of ${services[1]}, which deploys blue/green`] : [];
    });
  },
  counterexample: {
    Resources: {
      Service: { Type: 'AWS::ECS::Service', Properties: { DeploymentConfiguration: { Strategy: 'BLUE_GREEN' } } },
      Target: { Type: 'AWS::ApplicationAutoScaling::ScalableTarget', Properties: { ResourceId: { 'Fn::Join': ['', ['service/', { Ref: 'Cluster' }, '/', { 'Fn::GetAtt': ['Service', 'Name'] }]] } } },
      Policy: {
        Type: 'AWS::ApplicationAutoScaling::ScalingPolicy',
        Properties: { ScalingTargetId: { Ref: 'Target' }, TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' } } },
      },
    },
  },
};
