import { CfnTemplate, referencedId, resourcesOfType, TemplateRule } from '../rule';

/** The EFS volumes of each ECS service of a template: the service, its volumes' EFS configurations and the task definition's logical ID. */
function servicesWithEfsVolumes(template: CfnTemplate): Array<{ id: string; service: any; volumes: Array<{ name: string; efs: any }> }> {
  const resources = template.Resources ?? {};
  return resourcesOfType(template, 'AWS::ECS::Service').flatMap(([id, service]) => {
    const definition = resources[referencedId(service.Properties?.TaskDefinition) ?? ''];
    const volumes = (definition?.Properties?.Volumes ?? [])
      .filter((v: any) => v.EFSVolumeConfiguration !== undefined)
      .map((v: any) => ({ name: String(v.Name), efs: v.EFSVolumeConfiguration }));
    return volumes.length > 0 ? [{ id, service, volumes }] : [];
  });
}

/** The file systems of the template (logical IDs) that some of the values reference. */
const ofTemplate = (values: any[], fileSystems: Set<string>) =>
  new Set(values.map(referencedId).filter((f): f is string => f !== undefined && fileSystems.has(f)));
const dependsOn = (resource: any): string[] => (resource.DependsOn === undefined ? [] : [resource.DependsOn].flat());
const mountTargetsOf = (template: CfnTemplate, fileSystemId: string) => resourcesOfType(template, 'AWS::EFS::MountTarget')
  .filter(([, target]) => referencedId(target.Properties?.FileSystemId) === fileSystemId).map(([id, target]) => ({ id, target }));

export const ecsServiceAfterEfsMountTargets: TemplateRule = {
  id: 'ecs-service-after-efs-mount-targets',
  phase: 'create',
  rule: 'A Fargate task mounts an EFS volume through the mount target of its Availability Zone, resolved by DNS; a task started before the '
    + 'mount target is available fails (ResourceInitializationError: Failed to resolve "fs-....efs..."), so an ECS service (or the nested stack '
    + 'that holds it) whose tasks mount a file system of the same template is created after all of its mount targets.',
  source: 'https://github.com/aws/aws-cdk/issues/8417',
  check(template) {
    const fileSystems = new Set(resourcesOfType(template, 'AWS::EFS::FileSystem').map(([id]) => id));
    const findings: string[] = [];
    const require = (id: string, resource: any, fileSystemId: string) => {
      const missing = mountTargetsOf(template, fileSystemId).map(t => t.id).filter(target => !dependsOn(resource).includes(target));
      if (missing.length > 0) findings.push(`${id} mounts ${fileSystemId} and may start before its mount targets ${missing.join(', ')}`);
    };
    for (const { id, service, volumes } of servicesWithEfsVolumes(template)) {
      for (const fileSystemId of ofTemplate(volumes.map(v => v.efs.FilesystemId), fileSystems)) require(id, service, fileSystemId);
    }
    // A workload in a stack of its own receives the file system as a parameter.
    for (const [id, nested] of resourcesOfType(template, 'AWS::CloudFormation::Stack')) {
      for (const fileSystemId of ofTemplate(Object.values<any>(nested.Properties?.Parameters ?? {}), fileSystems)) require(id, nested, fileSystemId);
    }
    return findings;
  },
  counterexample: {
    Resources: {
      Fs: { Type: 'AWS::EFS::FileSystem', Properties: { Encrypted: true } },
      Target: { Type: 'AWS::EFS::MountTarget', Properties: { FileSystemId: { Ref: 'Fs' }, SubnetId: 'subnet-1', SecurityGroups: ['sg-1'] } },
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Volumes: [{ Name: 'data', EFSVolumeConfiguration: { FilesystemId: { Ref: 'Fs' }, TransitEncryption: 'ENABLED' } }] } },
      Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Task' } } },
    },
  },
};

export const efsVolumeAuthorizationNeedsTransitEncryption: TemplateRule = {
  id: 'efs-volume-authorization-needs-transit-encryption',
  phase: 'create',
  rule: 'ECS refuses an EFS volume with IAM authorization or an access point unless TransitEncryption is ENABLED, and with an access point '
    + 'the RootDirectory must be omitted or "/" (the access point sets the directory); the transit encryption port applies only with transit encryption.',
  source: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html',
  check(template) {
    return resourcesOfType(template, 'AWS::ECS::TaskDefinition').flatMap(([id, definition]) => (definition.Properties?.Volumes ?? [])
      .filter((v: any) => v.EFSVolumeConfiguration !== undefined)
      .flatMap((v: any) => {
        const efs = v.EFSVolumeConfiguration;
        const auth = efs.AuthorizationConfig ?? {};
        const transit = efs.TransitEncryption === 'ENABLED';
        const findings: string[] = [];
        if (auth.IAM === 'ENABLED' && !transit) findings.push(`${id} volume ${v.Name}: IAM authorization without TransitEncryption ENABLED`);
        if (auth.AccessPointId !== undefined && !transit) findings.push(`${id} volume ${v.Name}: an access point without TransitEncryption ENABLED`);
        if (auth.AccessPointId !== undefined && efs.RootDirectory !== undefined && efs.RootDirectory !== '/') {
          findings.push(`${id} volume ${v.Name}: an access point with RootDirectory ${JSON.stringify(efs.RootDirectory)} (must be omitted or "/")`);
        }
        if (efs.TransitEncryptionPort !== undefined && !transit) findings.push(`${id} volume ${v.Name}: a TransitEncryptionPort without transit encryption`);
        return findings;
      }));
  },
  counterexample: {
    Resources: {
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: { Volumes: [{ Name: 'data', EFSVolumeConfiguration: { FilesystemId: 'fs-1', RootDirectory: '/data', AuthorizationConfig: { IAM: 'ENABLED', AccessPointId: 'fsap-1' } } }] },
      },
    },
  },
};

export const efsMountTargetInEveryTaskZone: TemplateRule = {
  id: 'efs-mount-target-in-every-task-zone',
  phase: 'create',
  rule: 'A Fargate task reaches an EFS file system only through a mount target in its own Availability Zone: every subnet an ECS service '
    + 'places tasks in needs a mount target of each file system its tasks mount, in that subnet or in another subnet of its zone.',
  source: 'https://aws.amazon.com/premiumsupport/knowledge-center/ecs-fargate-mount-efs-containers-tasks/',
  check(template) {
    const resources = template.Resources ?? {};
    const fileSystems = new Set(resourcesOfType(template, 'AWS::EFS::FileSystem').map(([id]) => id));
    const key = (subnet: any) => JSON.stringify(subnet);
    const zoneOf = (subnet: any) => {
      const resource = resources[referencedId(subnet) ?? ''];
      return resource?.Type === 'AWS::EC2::Subnet' ? JSON.stringify(resource.Properties?.AvailabilityZone) : undefined;
    };
    return servicesWithEfsVolumes(template).flatMap(({ id, service, volumes }) => {
      const subnets: any[] = service.Properties?.NetworkConfiguration?.AwsvpcConfiguration?.Subnets ?? [];
      if (!Array.isArray(subnets)) return [];
      return [...ofTemplate(volumes.map(v => v.efs.FilesystemId), fileSystems)].flatMap(fileSystemId => {
        const targets = mountTargetsOf(template, fileSystemId).map(t => t.target.Properties?.SubnetId);
        const targetSubnets = new Set(targets.map(key));
        const targetZones = new Set(targets.map(zoneOf).filter(z => z !== undefined));
        return subnets.filter(subnet => !targetSubnets.has(key(subnet)) && !targetZones.has(zoneOf(subnet) as string))
          .map(subnet => `${id} places tasks in ${key(subnet)}, whose Availability Zone has no mount target of ${fileSystemId}`);
      });
    });
  },
  counterexample: {
    Resources: {
      A: { Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZone: 'eu-west-1a' } },
      B: { Type: 'AWS::EC2::Subnet', Properties: { AvailabilityZone: 'eu-west-1b' } },
      Fs: { Type: 'AWS::EFS::FileSystem', Properties: { Encrypted: true } },
      Target: { Type: 'AWS::EFS::MountTarget', Properties: { FileSystemId: { Ref: 'Fs' }, SubnetId: { Ref: 'A' }, SecurityGroups: ['sg-1'] } },
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Volumes: [{ Name: 'data', EFSVolumeConfiguration: { FilesystemId: { Ref: 'Fs' }, TransitEncryption: 'ENABLED' } }] } },
      Service: {
        Type: 'AWS::ECS::Service',
        DependsOn: ['Target'],
        Properties: { TaskDefinition: { Ref: 'Task' }, NetworkConfiguration: { AwsvpcConfiguration: { Subnets: [{ Ref: 'A' }, { Ref: 'B' }] } } },
      },
    },
  },
};

/** Fargate platform versions below 1.4.0 (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-linux-fargate.html). */
const BEFORE_EFS = ['1.0.0', '1.1.0', '1.2.0', '1.3.0'];

export const fargateEfsNeedsPlatformVersion14: TemplateRule = {
  id: 'fargate-efs-needs-platform-version-1-4',
  phase: 'create',
  rule: 'Fargate tasks mount EFS volumes only on platform version 1.4.0 or later (LATEST, the default, is); a service pinned to 1.3.0 or '
    + 'earlier whose task definition has an EFS volume fails to start its tasks.',
  source: 'https://aws.amazon.com/premiumsupport/knowledge-center/ecs-fargate-mount-efs-containers-tasks/',
  check(template) {
    return servicesWithEfsVolumes(template).flatMap(({ id, service }) => {
      const version = service.Properties?.PlatformVersion;
      return typeof version === 'string' && BEFORE_EFS.includes(version) ? [`${id} runs on Fargate platform version ${version}, which cannot mount EFS volumes`] : [];
    });
  },
  counterexample: {
    Resources: {
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Volumes: [{ Name: 'data', EFSVolumeConfiguration: { FilesystemId: 'fs-1', TransitEncryption: 'ENABLED' } }] } },
      Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Task' }, LaunchType: 'FARGATE', PlatformVersion: '1.3.0' } },
    },
  },
};
