import { CfnTemplate, referencedId, resourcesOfType, TemplateRule, UpdateRule } from '../rule';

const containersOf = (definition: any): any[] => (definition.Properties?.ContainerDefinitions ?? []) as any[];
const literal = (value: unknown): value is number => typeof value === 'number';
/** A task definition's CPU or memory, written by CDK as a string. */
const taskSize = (value: unknown): number | undefined => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : literal(value) ? value : undefined);

export const containerDependenciesHold: TemplateRule = {
  id: 'container-dependencies-hold',
  phase: 'create',
  rule: 'ECS refuses a task definition with no essential container, a dependency on a container it does not have, COMPLETE or SUCCESS on an essential '
    + 'container, or HEALTHY on a container without a health check; a dependency cycle starts no container of the task.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::ECS::TaskDefinition').flatMap(([id, definition]) => {
      const containers = containersOf(definition);
      const byName = new Map(containers.map(c => [c.Name, c]));
      const problems: string[] = [];
      if (containers.length > 0 && containers.every(c => c.Essential === false)) problems.push('no essential container');
      for (const container of containers) {
        for (const dependency of (container.DependsOn ?? []) as any[]) {
          const target = byName.get(dependency.ContainerName);
          const at = `container ${container.Name} depends on ${dependency.ContainerName} ${dependency.Condition}`;
          if (!target) problems.push(`${at}: no such container`);
          else if ((dependency.Condition === 'COMPLETE' || dependency.Condition === 'SUCCESS') && target.Essential !== false) problems.push(`${at}: the target is essential`);
          else if (dependency.Condition === 'HEALTHY' && !target.HealthCheck) problems.push(`${at}: the target has no health check`);
        }
      }
      const state = new Map<string, 'visiting' | 'done'>();
      const cyclic = (name: string): boolean => {
        if (state.get(name) === 'done') return false;
        if (state.get(name) === 'visiting') return true;
        state.set(name, 'visiting');
        const found = ((byName.get(name)?.DependsOn ?? []) as any[]).some(d => cyclic(d.ContainerName));
        state.set(name, 'done');
        return found;
      };
      if (containers.some(c => cyclic(c.Name))) problems.push('dependency cycle');
      return problems.map(problem => `${id}: ${problem}`);
    });
  },
  counterexample: {
    Resources: {
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          ContainerDefinitions: [
            { Name: 'app', Essential: true, DependsOn: [{ ContainerName: 'init', Condition: 'SUCCESS' }, { ContainerName: 'proxy', Condition: 'HEALTHY' }] },
            { Name: 'init', Essential: true },
            { Name: 'proxy', Essential: true },
          ],
        },
      },
    },
  },
};

export const containerSharesFitTheTask: TemplateRule = {
  id: 'container-shares-fit-the-task',
  phase: 'create',
  rule: 'ECS refuses a task definition with more than 10 containers, or whose containers reserve more CPU or memory (the larger of Memory and '
    + 'MemoryReservation) than the task has; a container\'s MemoryReservation must not exceed its Memory.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html',
  check(template: CfnTemplate): string[] {
    return resourcesOfType(template, 'AWS::ECS::TaskDefinition').flatMap(([id, definition]) => {
      const containers = containersOf(definition);
      const problems: string[] = [];
      if (containers.length > 10) problems.push(`${containers.length} containers (at most 10)`);
      const cpu = containers.reduce((sum, c) => sum + (literal(c.Cpu) ? c.Cpu : 0), 0);
      const value = (n: unknown) => (literal(n) ? n : 0);
      const memory = containers.reduce((sum, c) => sum + Math.max(value(c.Memory), value(c.MemoryReservation)), 0);
      const [taskCpu, taskMemory] = [taskSize(definition.Properties?.Cpu), taskSize(definition.Properties?.Memory)];
      if (taskCpu !== undefined && cpu > taskCpu) problems.push(`containers reserve ${cpu} CPU units of ${taskCpu}`);
      if (taskMemory !== undefined && memory > taskMemory) problems.push(`containers take ${memory} MiB of ${taskMemory}`);
      for (const c of containers) {
        if (literal(c.Memory) && literal(c.MemoryReservation) && c.MemoryReservation > c.Memory) problems.push(`container ${c.Name}: reservation ${c.MemoryReservation} above its limit ${c.Memory}`);
      }
      return problems.map(problem => `${id}: ${problem}`);
    });
  },
  counterexample: {
    Resources: {
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: { Cpu: '256', Memory: '512', ContainerDefinitions: [{ Name: 'app', Cpu: 256 }, { Name: 'agent', Cpu: 128, Memory: 256, MemoryReservation: 600 }] },
      },
    },
  },
};

/**
 * A task definition is immutable: any change to its containers (a sidecar added, changed or removed) is a replacement,
 * a new revision, which the service then rolls out only if its own properties change: a Ref to the definition does,
 * and so does the library's deployment nonce beside a family name (docs/adr/0008). A service that names the family
 * without a nonce, or a literal ARN, keeps running the old revision.
 */
export const taskDefinitionChangeRollsTheService: UpdateRule = {
  id: 'task-definition-change-rolls-the-service',
  phase: 'update',
  rule: 'A change to a task definition\'s containers registers a new revision (AWS::ECS::TaskDefinition replaces on every container change); '
    + 'a service rolls to it only when one of its own properties changes with it: a TaskDefinition that refers to the resource, or a ForceNewDeploymentNonce that does.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html',
  check(before: CfnTemplate, after: CfnTemplate): string[] {
    return resourcesOfType(after, 'AWS::ECS::TaskDefinition').flatMap(([id, definition]) => {
      const old = before.Resources?.[id];
      if (!old || JSON.stringify(containersOf(old)) === JSON.stringify(containersOf(definition))) return [];
      const family = definition.Properties?.Family;
      return resourcesOfType(after, 'AWS::ECS::Service').flatMap(([serviceId, service]) => {
        const named = service.Properties?.TaskDefinition;
        if (referencedId(named) === id) return [];
        const nonce = JSON.stringify(service.Properties?.ForceNewDeployment?.ForceNewDeploymentNonce ?? null);
        const runsIt = named === family || (typeof named === 'string' && named.includes(`task-definition/${family}:`));
        if (!runsIt || nonce.includes(`"${id}"`)) return [];
        return [`${serviceId}: the containers of ${id} changed, but nothing of the service changes with them, so it keeps the old revision`];
      });
    });
  },
  counterexample: {
    before: { Resources: { Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Family: 'app', ContainerDefinitions: [{ Name: 'app' }] } } } },
    after: {
      Resources: {
        Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Family: 'app', ContainerDefinitions: [{ Name: 'app' }, { Name: 'agent' }] } },
        Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: 'app' } },
      },
    },
  },
};
