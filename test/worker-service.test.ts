import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { worker } from './builders';
import { BackendPlatform, BackendPlatformProps, ServiceImage, WorkerServiceOptions } from '../src';

const resources = (template: Template, type: string) => Object.entries<any>(template.findResources(type));

describe('WorkerService', () => {
  describe('GIVEN queue mode with defaults', () => {
    const built = worker({});
    const template = Template.fromStack(Stack.of(built));

    test('THEN it consumes a new SQS-encrypted, TLS-only queue that sends a message to a DLQ after 5 receives', () => {
      const [[queueId, queue]] = resources(template, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('WorkerQueue'));
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 300,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^WorkerDeadLetterQueue/), 'Arn'] }, maxReceiveCount: 5 },
      });
      expect(queue.DeletionPolicy).toBe('Retain');
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
    });

    test('THEN the container gets QUEUE_URL and only the task role may consume, on that queue only', () => {
      const [[, taskDefinition]] = resources(template, 'AWS::ECS::TaskDefinition');
      const [container] = taskDefinition.Properties.ContainerDefinitions;
      expect(container.Name).toBe('worker');
      expect(container.PortMappings).toBeUndefined();
      expect(container.Environment).toEqual([{ Name: 'QUEUE_URL', Value: { Ref: expect.stringMatching(/^WorkerQueue/) } }]);
      const consume = resources(template, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => [s.Action].flat().includes('sqs:ReceiveMessage'));
      expect(consume).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WorkerQueue/), 'Arn'] } })]);
    });

    test('THEN it has no load balancer, no public IP, no ingress, and rolls back a failing deploy', () => {
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
      const [[, service]] = resources(template, 'AWS::ECS::Service');
      expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
      expect(service.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
      expect(service.Properties.LoadBalancers).toBeUndefined();
      const [[, group]] = resources(template, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('WorkerSecurityGroup'));
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });

    test('THEN it scales 1..4 on messages per running task (waiting and in flight): out at 10 and 40, in when none is left', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 4 });
      const alarms = resources(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.includes('BacklogScaling'));
      const expression = 'IF(FILL(running, 0) < 1, IF((FILL(visible, 0) + FILL(inFlight, 0)) > 0, 10, 0), (FILL(visible, 0) + FILL(inFlight, 0)) / FILL(running, 1))';
      expect(alarms.map(([, a]) => a.Properties.Metrics.find((m: any) => m.Expression).Expression)).toEqual([expression, expression]);
      // One waiting message starts a task from zero; a message in flight keeps the last task.
      const metricNames = alarms[0][1].Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName).sort();
      expect(metricNames).toEqual(['ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesVisible', 'RunningTaskCount']);
      expect(alarms.map(([, a]) => `${a.Properties.ComparisonOperator} ${a.Properties.Threshold}`).sort())
        .toEqual(['GreaterThanOrEqualToThreshold 10', 'LessThanOrEqualToThreshold 0']);
      const steps = resources(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')
        .map(([, p]) => p.Properties.StepScalingPolicyConfiguration.StepAdjustments);
      expect(steps).toEqual(expect.arrayContaining([
        [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
        [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 30, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 30, ScalingAdjustment: 3 }],
      ]));
    });

    test('THEN it pages on messages older than 15 minutes and on dead letters', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900, DatapointsToAlarm: 3, EvaluationPeriods: 5 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerDeadLetterQueue'), 'QueueName'] } }],
      });
      expect(built.alarms).toHaveLength(2);
    });

    test('THEN its image tag has its own SSM parameter, next to the web service\'s', () => {
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/teststack/prod/worker/ecr-imgTag', Value: 'latest' });
    });
  });

  test('GIVEN minCapacity 0 and an existing queue THEN it scales from zero and creates no queue', () => {
    const built = worker({ minCapacity: 0, queue: { queue: sqs.Queue.fromQueueArn(new Stack(), 'Q', 'arn:aws:sqs:eu-west-1:123456789012:jobs'), messagesPerTask: 50 } });
    const template = Template.fromStack(Stack.of(built));
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0 });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(built.alarms).toHaveLength(1);
  });

  test('GIVEN internal mode THEN it registers in Service Connect under its name, and admits only granted clients on its port', () => {
    const built = worker({ queue: undefined, port: 8080 });
    const stack = Stack.of(built);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: { Enabled: true, Namespace: 'prod.teststack.internal', Services: [{ PortName: 'worker', ClientAliases: [{ Port: 8080, DnsName: 'worker' }] }] },
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'prod.teststack.internal' });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(built.serviceConnectName).toBe('worker');
  });

  describe('GIVEN bad input THEN synth fails naming the prop', () => {
    test.each([
      [{ queue: undefined }, 'TestStack/Worker: invalid queue undefined: a worker needs work: give queue (consume SQS messages), port (serve the platform\'s other workloads), or both'],
      [{ queue: undefined, port: 8080, minCapacity: 0 }, 'TestStack/Worker: invalid minCapacity 0: only a queue worker can wait at 0 tasks (messages start it); give queue or a minimum of 1'],
      [{ queue: { visibilityTimeout: Duration.hours(13) } }, 'TestStack/Worker: invalid queue.visibilityTimeout "46800 seconds": give whole seconds from 0 to 43200 (e.g. Duration.seconds(43200))'],
      [{ image: undefined }, 'TestStack/Worker: invalid image undefined: give the worker\'s image, e.g. ServiceImage.fromEcrRepository(repository)'],
    ] as Array<[object, string]>)('%#', (props, message) => {
      expect(() => worker(props)).toThrow(new Error(message));
    });
  });
});

describe('BackendPlatform.addWorker', () => {
  function platformWith(workers: Array<[string, WorkerServiceOptions]>, props: Partial<BackendPlatformProps> = {}) {
    const stack = new Stack(new App(), 'Shop');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const platform = new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone, database: {}, alarmEmails: ['ops@example.com'], ...props });
    const added = workers.map(([id, options]) => platform.addWorker(id, options));
    return { platform, added, template: Template.fromStack(stack) };
  }

  test('THEN a queue worker gets the database connection, is admitted to the database, and pages the monitoring topic', () => {
    const { template } = platformWith([['Mailer', { queue: {} }]]);
    const mailer = resources(template, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('BackendMailer'))![1];
    const [container] = mailer.Properties.ContainerDefinitions;
    expect(container.Environment.map((e: any) => e.Name).sort()).toEqual(['DB_HOST', 'DB_NAME', 'DB_PORT', 'QUEUE_URL']);
    expect(container.Secrets.map((e: any) => e.Name).sort()).toEqual(['DB_PASSWORD', 'DB_USER']);
    const dbIngress = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
      .filter(p => JSON.stringify(p.GroupId).includes('DatabaseSecurityGroup')).map(p => p.SourceSecurityGroupId['Fn::GetAtt'][0]);
    expect(dbIngress).toEqual(expect.arrayContaining([expect.stringMatching(/^BackendMailerSecurityGroup/)]));
    for (const [, alarm] of resources(template, 'AWS::CloudWatch::Alarm').filter(([id]) => /^BackendMailer(OldestMessage|DeadLetter)Alarm/.test(id))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^BackendMonitoringAlarmTopic/) }]);
    }
  });

  test('THEN an internal worker is reachable from the web service through Service Connect, and from nothing else', () => {
    const { template, added } = platformWith([['Reports', { port: 9000 }]]);
    const web = resources(template, 'AWS::ECS::Service').find(([id]) => /^BackendService[0-9A-F]{8}$/.test(id))![1];
    expect(web.Properties.ServiceConnectConfiguration).toEqual({ Enabled: true, Namespace: 'prod.shop.internal' });
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
      .filter(p => JSON.stringify(p.GroupId).includes('BackendReportsSecurityGroup'));
    expect(ingress).toEqual([expect.objectContaining({
      FromPort: 9000, ToPort: 9000, SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^BackendServiceServiceSecurityGroup/), 'GroupId'] },
    })]);
    expect(added[0].serviceConnectName).toBe('reports');
  });

  test('THEN adding workers replaces, removes or changes no resource the platform had, except the web service joining Service Connect, the dashboard and the pipeline', () => {
    const before = platformWith([]).template.toJSON();
    const after = platformWith([['Mailer', { queue: {} }], ['Reports', { port: 9000 }]]).template.toJSON();
    const changed: string[] = [];
    fullDiff(before, after).resources.forEachDifference((id, change) => {
      if (before.Resources[id]) changed.push(`${id} ${change.changeImpact}`);
    });
    expect(changed.filter(c => !c.endsWith(ResourceImpact.WILL_UPDATE))).toEqual([]);
    // The web service joins Service Connect as a client, the cluster gets the namespace. The database key does not change: a worker's
    // right to read the secret through Secrets Manager is in its own execution role's policy.
    // The dashboard gains a row per worker (updated in place). The workers run the platform image, so the pipeline gains their deploy
    // actions, its deploy role their roles and its Record step their tag parameters (all updated in place).
    expect(changed.map(c => c.replace(/[0-9A-F]{8} .*/, '')).sort()).toEqual([
      'BackendMonitoringDashboard', 'BackendPipeline', 'BackendPipelineDeployRoleDefaultPolicy',
      'BackendPipelineRecordReleaseProjectRoleDefaultPolicy', 'BackendService', 'BackendServiceCluster',
    ]);
  });

  test('THEN a bad worker prop is reported in the platform\'s words', () => {
    expect(() => platformWith([['Mailer', { queue: {}, cpu: 300 }]])).toThrow(
      'Shop/Backend: invalid addWorker(\'Mailer\').cpu 300: use one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192 or 16384');
  });
});

describe('GIVEN what a new user tried (review of the first version)', () => {
  function platformIn(stackName = 'Shop', props: Partial<BackendPlatformProps> = {}) {
    const stack = new Stack(new App(), stackName);
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    return new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone, ...props });
  }

  test('THEN a worker named like the web service\'s SSM path, or two workers with one DNS name, fail at synth naming both', () => {
    expect(() => platformIn().addWorker('Backend', { queue: {} })).toThrow(
      'Shop/Backend: invalid addWorker(\'Backend\').id "Backend": the SSM parameter /shop/prod/backend/ecr-imgTag is already created by Shop/Backend/Service; give this one another id');
    const platform = platformIn();
    platform.addWorker('Reports', { port: 8080 });
    expect(() => platform.addWorker('Reports', { port: 8081 })).toThrow(/invalid addWorker id "Reports"/);
    const shared = platformIn();
    expect(() => shared.addWorker('Service', { queue: {} })).toThrow(/invalid addWorker id "Service"/);
  });

  test('THEN a worker on an image with a custom tag parameter gets its own parameter below it', () => {
    const stack = new Stack(new App(), 'Shop');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop');
    const platform = new BackendPlatform(stack, 'Backend', {
      environmentName: 'prod', hostedZone, repository, image: ServiceImage.fromEcrRepository(repository, { tagParameterName: '/shop/tag' }),
    });
    platform.addWorker('Mailer', { queue: {} });
    const names = Object.values<any>(Template.fromStack(stack).findResources('AWS::SSM::Parameter')).map(p => p.Properties.Name);
    expect(names).toEqual(expect.arrayContaining(['/shop/tag', '/shop/tag/mailer']));
  });

  test('THEN bad ids and options of addWorker are refused by name, not with a TypeError', () => {
    expect(() => platformIn().addWorker('My Worker', { queue: {} })).toThrow('Shop/Backend: invalid addWorker id "My Worker": use letters and digits, starting with a letter (e.g. "Mailer")');
    expect(() => platformIn().addWorker('Mailer', undefined as any)).toThrow(/^Shop\/Backend: invalid addWorker\('Mailer'\) options undefined: give the options, e.g. \{ queue: \{\} \} or \{ port: 8080 \}/);
  });

  test('THEN the worker checks what the web service checks', () => {
    expect(() => worker({ appName: 'My_App' })).toThrow(/invalid appName "My_App"/);
    expect(() => worker({ targetCpuUtilizationPercent: 500 })).toThrow(/invalid targetCpuUtilizationPercent 500: use a whole number from 10 to 95/);
    expect(() => worker({ onDemandBaseCapacity: 1 })).toThrow(/invalid onDemandBaseCapacity 1: it only applies with spot: true/);
    expect(() => worker({ queue: undefined, port: 80, minCapacity: 0 })).toThrow(/invalid minCapacity 0: only a queue worker can wait at 0 tasks/);
    expect(() => worker({ environment: { QUEUE_URL: 'x' } })).toThrow(/invalid environment.QUEUE_URL "x": the worker sets QUEUE_URL to its queue/);
  });

  test('THEN a platform whose names are tokens still creates the Service Connect namespace its workers use', () => {
    const platform = platformIn('Shop', { environmentName: Lazy.string({ produce: () => 'prod' }) });
    platform.addWorker('Reports', { port: 8080 });
    Template.fromStack(Stack.of(platform)).resourceCountIs('AWS::ServiceDiscovery::HttpNamespace', 1);
  });

  test('THEN a hosted zone named the Route 53 way (trailing dot, capitals) gives a valid load balancer name', () => {
    const stack = new Stack(new App(), 'Shop');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'Example.com.' });
    new BackendPlatform(stack, 'Backend', { environmentName: 'prod', hostedZone, service: { loadBalancerDomainName: 'lb.example.com' } });
    Template.fromStack(stack).hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'lb.example.com' });
  });
});

test('GIVEN utilization targets THEN an internal worker scales on both, and a queue worker refuses them by name (it scales on its backlog)', () => {
  const internal = Template.fromStack(Stack.of(worker({ queue: undefined, port: 8080, targetMemoryUtilizationPercent: 70 })));
  internal.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' }, TargetValue: 70 },
  });
  internal.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 80 },
  });
  expect(() => worker({ targetCpuUtilizationPercent: 60, targetMemoryUtilizationPercent: 60 })).toThrow(
    'TestStack/Worker: invalid targetCpuUtilizationPercent 60: a queue worker scales on its backlog per task; set queue.messagesPerTask instead\n'
    + 'TestStack/Worker: invalid targetMemoryUtilizationPercent 60: a queue worker scales on its backlog per task; set queue.messagesPerTask instead');
});

