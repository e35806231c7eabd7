import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { platform, web, worker, synthesized } from './builders';
import { LogDestination, ServiceImage, SidecarOptions } from '../src';

const envoy = ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod'));
const busybox = ServiceImage.fromContainerImage(ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'));
const containersOf = (construct: { node: any }) => {
  const template = Template.fromStack(Stack.of(construct as any));
  const [definition] = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'));
  return definition.Properties.ContainerDefinitions as any[];
};
const named = (containers: any[], name: string) => containers.find(c => c.Name === name);

describe('Sidecars', () => {
  describe('GIVEN a web service with a proxy sidecar the main container waits for, and a start-up script the proxy waits for', () => {
    const sidecars: SidecarOptions[] = [
      {
        name: 'envoy',
        image: envoy,
        containerPorts: [9901],
        cpu: 128,
        memoryLimitMiB: 256,
        memoryReservationMiB: 128,
        environment: { ENVOY_LOG_LEVEL: 'info' },
        healthCheck: { command: ['curl -s http://localhost:9901/ready || exit 1'], interval: Duration.seconds(10), retries: 2, startPeriod: Duration.seconds(15) },
        dependsOn: [{ containerName: 'init', condition: ecs.ContainerDependencyCondition.SUCCESS }],
      },
      { name: 'init', image: busybox, essential: false, command: ['sh', '-c', 'echo ready'] },
    ];
    const service = web({ sidecars, mainContainerDependsOn: [{ containerName: 'envoy', condition: ecs.ContainerDependencyCondition.HEALTHY }] });
    const containers = containersOf(service);

    test('THEN each sidecar is a container of the task with its image, size, ports, environment and health check', () => {
      expect(containers.map(c => c.Name)).toEqual(['app', 'envoy', 'init']);
      expect(named(containers, 'envoy')).toMatchObject({
        Image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod',
        Essential: true,
        Cpu: 128,
        Memory: 256,
        MemoryReservation: 128,
        PortMappings: [{ ContainerPort: 9901, Protocol: 'tcp' }],
        Environment: [{ Name: 'ENVOY_LOG_LEVEL', Value: 'info' }],
        HealthCheck: { Command: ['CMD-SHELL', 'curl -s http://localhost:9901/ready || exit 1'], Interval: 10, Retries: 2, StartPeriod: 15, Timeout: 5 },
      });
      expect(named(containers, 'init')).toMatchObject({ Essential: false, Command: ['sh', '-c', 'echo ready'] });
    });

    test('THEN the start dependencies are those declared, the main container on the sidecar included', () => {
      expect(named(containers, 'app').DependsOn).toEqual([{ ContainerName: 'envoy', Condition: 'HEALTHY' }]);
      expect(named(containers, 'envoy').DependsOn).toEqual([{ ContainerName: 'init', Condition: 'SUCCESS' }]);
      expect(named(containers, 'init').DependsOn).toBeUndefined();
    });

    test('THEN each sidecar logs to a log group of its own, and no security-group rule opens its port', () => {
      expect(named(containers, 'envoy').LogConfiguration).toMatchObject({ LogDriver: 'awslogs', Options: { 'awslogs-stream-prefix': 'envoy' } });
      expect(Object.keys(service.logGroups)).toEqual(['app', 'envoy', 'init']);
      const template = Template.fromStack(Stack.of(service));
      const ports = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress')).map(r => r.Properties.FromPort);
      expect(ports).not.toContain(9901);
    });
  });

  test('GIVEN a dependency without a condition THEN it waits for START', () => {
    const containers = containersOf(web({ sidecars: [{ name: 'agent', image: busybox, dependsOn: [{ containerName: 'app' }] }] }));
    expect(named(containers, 'agent').DependsOn).toEqual([{ ContainerName: 'app', Condition: 'START' }]);
  });

  test('GIVEN a worker with a sidecar THEN the sidecar joins the worker\'s task, and may wait for the worker to be HEALTHY when it has a health check', () => {
    const built = worker({
      healthCheckCommand: ['true'],
      sidecars: [{ name: 'agent', image: busybox, dependsOn: [{ containerName: 'worker', condition: ecs.ContainerDependencyCondition.HEALTHY }] }],
    });
    const containers = containersOf(built);
    expect(containers.map(c => c.Name)).toEqual(['worker', 'agent']);
    expect(named(containers, 'agent').DependsOn).toEqual([{ ContainerName: 'worker', Condition: 'HEALTHY' }]);
  });

  test('GIVEN a platform with sidecars on its service and a worker THEN both tasks have them', () => {
    const built = platform({ service: { sidecars: [{ name: 'agent', image: busybox }] } });
    const added = built.addWorker('Jobs', { queue: {}, sidecars: [{ name: 'agent', image: busybox }] });
    expect(containersOf(built.service).map(c => c.Name)).toEqual(['app', 'agent']);
    const definitions = Object.values<any>(Template.fromStack(Stack.of(added)).findResources('AWS::ECS::TaskDefinition'))
      .map(d => d.Properties.ContainerDefinitions.map((c: any) => c.Name));
    expect(definitions).toContainEqual(['worker', 'agent']);
  });

  describe('GIVEN bad sidecars THEN every problem is refused at synth, naming the prop, the value and the fix', () => {
    const refused = (props: Parameters<typeof web>[0]) => () => web(props);
    test.each<[string, Parameters<typeof web>[0], RegExp]>([
      ['the main container\'s name', { sidecars: [{ name: 'app', image: busybox }] }, /sidecars\[0\]\.name "app": it is the main container's name/],
      ['a routed container\'s name', { routedContainers: [{ name: 'api', containerPort: 3000, pathPatterns: ['/api/*'] }], sidecars: [{ name: 'api', image: busybox }] }, /sidecars\[0\]\.name "api": it is the name of another container/],
      ['two sidecars of one log-group ID', { sidecars: [{ name: 'my-proxy', image: busybox }, { name: 'my_proxy', image: busybox }] }, /sidecars\[1\]\.name "my_proxy": it is too close to/],
      ['a bad name', { sidecars: [{ name: 'my proxy', image: busybox }] }, /sidecars\[0\]\.name "my proxy": use 1-255 letters/],
      ['a port the main container has', { sidecars: [{ name: 'agent', image: busybox, containerPorts: [8080] }] }, /sidecars\[0\]\.containerPorts\[0\] 8080: container "app" already listens on it/],
      ['a missing target', { sidecars: [{ name: 'agent', image: busybox, dependsOn: [{ containerName: 'nope' }] }] }, /sidecars\[0\]\.dependsOn\[0\]\.containerName "nope": the task has no such sidecar or main container; use one of "app", "agent"/],
      ['itself', { sidecars: [{ name: 'agent', image: busybox, dependsOn: [{ containerName: 'agent' }] }] }, /cannot wait for itself/],
      ['HEALTHY without a health check', { mainContainerDependsOn: [{ containerName: 'agent', condition: ecs.ContainerDependencyCondition.HEALTHY }], sidecars: [{ name: 'agent', image: busybox }] }, /mainContainerDependsOn\[0\]\.condition "HEALTHY": ECS can only wait for "agent" to be HEALTHY if it has a container health check/],
      ['HEALTHY on the web main container', { sidecars: [{ name: 'agent', image: busybox, dependsOn: [{ containerName: 'app', condition: ecs.ContainerDependencyCondition.HEALTHY }] }] }, /"app" to be HEALTHY/],
      ['COMPLETE on an essential sidecar', { mainContainerDependsOn: [{ containerName: 'init', condition: ecs.ContainerDependencyCondition.COMPLETE }], sidecars: [{ name: 'init', image: busybox }] }, /ECS refuses COMPLETE on an essential container .*give that sidecar essential: false/],
      ['SUCCESS on the main container', { sidecars: [{ name: 'agent', image: busybox, essential: false, dependsOn: [{ containerName: 'app', condition: ecs.ContainerDependencyCondition.SUCCESS }] }] }, /the main container is always essential/],
      ['a cycle', {
        mainContainerDependsOn: [{ containerName: 'a' }],
        sidecars: [{ name: 'a', image: busybox, dependsOn: [{ containerName: 'b' }] }, { name: 'b', image: busybox, dependsOn: [{ containerName: 'app' }] }],
      }, /sidecars\[\]\.dependsOn "a -> b -> app -> a": these containers wait for each other/],
      ['memory the task lacks', { memoryLimitMiB: 2048, sidecars: [{ name: 'a', image: busybox, memoryLimitMiB: 1024 }, { name: 'b', image: busybox, memoryReservationMiB: 1024 }] }, /sidecars\[\]\.memoryLimitMiB 2048: the sidecars take 2048 of the task's 2048 MiB/],
      ['CPU the task lacks', { cpu: 256, memoryLimitMiB: 512, sidecars: [{ name: 'a', image: busybox, cpu: 256 }] }, /sidecars\[\]\.cpu 256: the sidecars reserve 256 of the task's 256 CPU units/],
      ['a reservation above the limit', { sidecars: [{ name: 'a', image: busybox, memoryLimitMiB: 128, memoryReservationMiB: 256 }] }, /memoryReservationMiB 256: ECS requires the reservation to be at most the limit \(sidecars\[0\]\.memoryLimitMiB 128\)/],
      ['a health check out of ECS\'s bounds', { sidecars: [{ name: 'a', image: busybox, healthCheck: { command: ['true'], interval: Duration.seconds(1), retries: 11 } }] }, /sidecars\[0\]\.healthCheck\.interval "1 seconds": give whole seconds from 5 to 300/],
      ['an empty health check command', { sidecars: [{ name: 'a', image: busybox, healthCheck: { command: [] } }] }, /sidecars\[0\]\.healthCheck\.command \[\]: give at least one element/],
      ['more than 10 containers', { sidecars: Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, image: busybox })) }, /sidecars "10 sidecars": the task would hold 11 containers and ECS takes at most 10/],
    ])('%s', (_, props, message) => {
      expect(refused(props)).toThrow(message);
    });

    test('all problems together', () => {
      expect(refused({ sidecars: [{ name: 'app', image: busybox, containerPorts: [0] }, { name: 'b', image: busybox, dependsOn: [{ containerName: 'x' }] }] }))
        .toThrow(/containerPorts\[0\] 0[\s\S]*sidecars\[0\]\.name "app"[\s\S]*dependsOn\[0\]\.containerName "x"/);
    });

    test('from plain JavaScript: a sidecar without an image', () => {
      expect(refused({ sidecars: [{ name: 'a' } as any] })).toThrow(/sidecars\[0\]\.image undefined: it is required/);
    });

    test('through the platform, named as the user wrote it', () => {
      expect(synthesized(() => platform({ service: { sidecars: [{ name: 'app', image: busybox }] } }))).toThrow(/service\.sidecars\[0\]\.name "app"/);
      const built = platform({});
      expect(synthesized(() => { built.addWorker('Jobs', { queue: {}, sidecars: [{ name: 'worker', image: busybox }] }); return built; })).toThrow(/sidecars\[0\]\.name "worker": it is the main container's name/);
    });
  });

  describe('GIVEN FireLens logging to a Fluent Bit output with a secret option', () => {
    const service = web({
      sidecars: [{ name: 'agent', image: busybox }],
      logging: LogDestination.fireLens({
        options: { Name: 'http', Host: 'logs.example.com', Port: '443', tls: 'On' },
        secretOptions: { Header: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(new Stack(), 'Key', 'logs-key')) },
      }),
    });
    const containers = containersOf(service);
    const template = Template.fromStack(Stack.of(service));

    test('THEN a pinned AWS for Fluent Bit router joins the task, essential, with a memory reservation, logging to its own log group', () => {
      expect(named(containers, 'log_router')).toMatchObject({
        Image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.14',
        Essential: true,
        MemoryReservation: 50,
        FirelensConfiguration: { Type: 'fluentbit' },
        LogConfiguration: { LogDriver: 'awslogs', Options: { 'awslogs-stream-prefix': 'log_router' } },
      });
      expect(service.logGroups.log_router).toBeDefined();
    });

    test('THEN every other container logs through FireLens to the output, the secret only as a reference', () => {
      for (const name of ['app', 'agent']) {
        expect(named(containers, name).LogConfiguration).toEqual({
          LogDriver: 'awsfirelens',
          Options: { Name: 'http', Host: 'logs.example.com', Port: '443', tls: 'On' },
          SecretOptions: [{ Name: 'Header', ValueFrom: expect.anything() }],
        });
      }
    });

    test('THEN the containers\' log groups stay (the logs written before the switch remain)', () => {
      expect(Object.keys(service.logGroups).sort()).toEqual(['agent', 'app', 'log_router']);
      const containerLogGroups = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter(id => /^Web(App|Agent|LogRouter)LogGroup/.test(id));
      expect(containerLogGroups).toHaveLength(3);
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']) })]) },
      });
    });
  });

  test('GIVEN CloudWatch Logs chosen explicitly THEN the task is the default one', () => {
    const explicit = containersOf(web({ logging: LogDestination.cloudWatchLogs() }));
    expect(explicit).toEqual(containersOf(web({})));
  });

  test('GIVEN a worker with FireLens THEN its task has the router too', () => {
    const containers = containersOf(worker({ logging: LogDestination.fireLens({ options: { Name: 'cloudwatch_logs', region: 'eu-west-1', log_group_name: 'x' } }) }));
    expect(containers.map(c => c.Name)).toEqual(['worker', 'log_router']);
    expect(named(containers, 'worker').LogConfiguration.LogDriver).toBe('awsfirelens');
  });

  test.each<[string, Parameters<typeof web>[0], RegExp]>([
    ['no output plugin', { logging: LogDestination.fireLens({ options: { Host: 'x' } }) }, /invalid logging\.options\.Name undefined: name the Fluent Bit output plugin/],
    ['an empty option', { logging: LogDestination.fireLens({ options: { Name: 'http', Host: '' } }) }, /invalid logging\.options\.Host "": ECS refuses an empty option value/],
    ['a sidecar named like the router', { logging: LogDestination.fireLens({ options: { Name: 'http' } }), sidecars: [{ name: 'log_router', image: busybox }] }, /sidecars\[0\]\.name "log_router": it is the name of another container/],
    ['sidecars that leave no memory beside the router', { memoryLimitMiB: 2048, logging: LogDestination.fireLens({ options: { Name: 'http' } }), sidecars: [{ name: 'a', image: busybox, memoryLimitMiB: 1998 }] }, /the sidecars take 2048 of the task's 2048 MiB/],
  ])('GIVEN FireLens with %s THEN synth refuses it', (_, props, message) => {
    expect(() => web(props)).toThrow(message);
  });
});

