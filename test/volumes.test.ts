import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import { backups, platform, synthesized, web, worker } from './builders';
import { DataBackups, EnvironmentProfile, ServiceImage, WorkerService } from '../src';

const templateOf = (construct: { node: any }) => Template.fromStack(Stack.of(construct as any)).toJSON();
const ofType = (template: any, type: string) => Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
const only = (template: any, type: string) => {
  const found = ofType(template, type);
  expect(found).toHaveLength(1);
  return found[0];
};
const statementsOf = (template: any, roleId: string) => ofType(template, 'AWS::IAM::Policy')
  .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
  .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const efsStatements = (template: any, roleId: string) => statementsOf(template, roleId).filter((s: any) => JSON.stringify(s.Action).includes('elasticfilesystem'));
const logicalIdOf = (construct: any) => Stack.of(construct).getLogicalId(construct.node.defaultChild);

describe('Volumes', () => {
  describe('GIVEN a standalone web service with a writable and a read-only volume', () => {
    const service = web({ volumes: [{ name: 'uploads', containerPath: '/var/uploads' }, { name: 'config', containerPath: '/etc/app', readOnly: true, uid: 2000, gid: 3000 }] });
    const template = templateOf(service);
    const [fsId, fileSystem] = only(template, 'AWS::EFS::FileSystem');
    const [, definition] = only(template, 'AWS::ECS::TaskDefinition');

    test('THEN one encrypted file system with a key of its own, retained, with automatic backups and a policy refusing clients without TLS or an access point', () => {
      expect(fileSystem.Properties).toMatchObject({ Encrypted: true, BackupPolicy: { Status: 'ENABLED' } });
      const keyId = fileSystem.Properties.KmsKeyId['Fn::GetAtt'][0];
      expect(template.Resources[keyId]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
      expect(fileSystem.DeletionPolicy).toBe('Retain');
      const statements = fileSystem.Properties.FileSystemPolicy.Statement;
      expect(statements).toEqual([
        expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Null: { 'elasticfilesystem:AccessPointArn': 'true' } } }),
      ]);
      expect(statements.some((s: any) => s.Effect === 'Allow')).toBe(false);
      expect(service.fileSystem).toBeDefined();
    });

    test('THEN one access point per volume, at /<name>, forcing the volume\'s POSIX user', () => {
      const points = ofType(template, 'AWS::EFS::AccessPoint').map(([, r]) => r.Properties);
      expect(points.map(p => [p.RootDirectory.Path, p.PosixUser, p.RootDirectory.CreationInfo])).toEqual([
        ['/uploads', { Uid: '1000', Gid: '1000' }, { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' }],
        ['/config', { Uid: '2000', Gid: '3000' }, { OwnerUid: '2000', OwnerGid: '3000', Permissions: '750' }],
      ]);
      expect(points.every(p => p.FileSystemId.Ref === fsId)).toBe(true);
    });

    test('THEN the task mounts each through its access point over TLS with IAM, into the main container, read-only where asked', () => {
      const volumes = definition.Properties.Volumes;
      expect(volumes.map((v: any) => v.Name)).toEqual(['uploads', 'config']);
      for (const volume of volumes) {
        expect(volume.EFSVolumeConfiguration).toMatchObject({
          FilesystemId: { Ref: fsId }, TransitEncryption: 'ENABLED', AuthorizationConfig: { IAM: 'ENABLED', AccessPointId: { Ref: expect.stringMatching(/AccessPoint/) } },
        });
        expect(volume.EFSVolumeConfiguration.RootDirectory).toBeUndefined();
      }
      const app = definition.Properties.ContainerDefinitions.find((c: any) => c.Name === 'app');
      expect(app.MountPoints).toEqual([
        { SourceVolume: 'uploads', ContainerPath: '/var/uploads', ReadOnly: false },
        { SourceVolume: 'config', ContainerPath: '/etc/app', ReadOnly: true },
      ]);
    });

    test('THEN the task role may mount only these access points, and write only to the writable one', () => {
      const statements = efsStatements(template, logicalIdOf(service.taskRole));
      expect(statements.map((s: any) => [s.Action, s.Condition.StringEquals['elasticfilesystem:AccessPointArn']['Fn::Join'][1].slice(-1)[0].Ref])).toEqual([
        [['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'], expect.stringMatching(/^WebUploadsAccessPoint/)],
        ['elasticfilesystem:ClientMount', expect.stringMatching(/^WebConfigAccessPoint/)],
      ]);
      expect(statements.every((s: any) => s.Resource['Fn::GetAtt']?.[0] === fsId)).toBe(true);
      expect(JSON.stringify(statementsOf(template, logicalIdOf(service.taskRole)))).not.toContain('ClientRootAccess');
    });

    test('THEN NFS reaches the mount targets from the service\'s security group only, and the file system opens nothing outbound', () => {
      const ingress = ofType(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter(p => p.FromPort === 2049);
      expect(ingress).toEqual([expect.objectContaining({ ToPort: 2049, IpProtocol: 'tcp', SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(service.serviceSecurityGroup), 'GroupId'] } })]);
      const [, group] = ofType(template, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('WebFileSystemSecurityGroup'))!;
      expect(group.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    });

    test('THEN the ECS service is created after every mount target, one in each subnet of the tasks', () => {
      const targets = ofType(template, 'AWS::EFS::MountTarget');
      const [, ecsService] = only(template, 'AWS::ECS::Service');
      expect(targets.map(([, t]) => t.Properties.SubnetId)).toEqual(ecsService.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets);
      expect(ecsService.DependsOn).toEqual(expect.arrayContaining(targets.map(([id]) => id)));
    });
  });

  describe('GIVEN a standalone worker with a volume on a file system of the user\'s', () => {
    const built = worker({});
    const stack = Stack.of(built);
    const own = efs.FileSystem.fromFileSystemAttributes(stack, 'Shared', {
      fileSystemId: 'fs-0123456789abcdef0', securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'SharedSg', 'sg-0123456789abcdef0'),
    });
    const mounted = new WorkerService(stack, 'Mounted', {
      cluster: built.cluster, environmentName: 'prod', image: built.image, queue: {}, volumes: [{ name: 'cache', containerPath: '/cache' }], fileSystem: own,
    });
    const template = templateOf(mounted);

    test('THEN no file system is created and the task mounts the given one, with NFS opened on its security group', () => {
      expect(ofType(template, 'AWS::EFS::FileSystem')).toEqual([]);
      const definition = ofType(template, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('Mounted'))![1];
      expect(definition.Properties.Volumes[0].EFSVolumeConfiguration.FilesystemId).toBe('fs-0123456789abcdef0');
      expect(definition.Properties.ContainerDefinitions[0].MountPoints).toEqual([{ SourceVolume: 'cache', ContainerPath: '/cache', ReadOnly: false }]);
      const ingress = ofType(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter(p => p.FromPort === 2049);
      expect(ingress).toEqual([expect.objectContaining({ GroupId: 'sg-0123456789abcdef0', SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(mounted.securityGroup), 'GroupId'] } })]);
      expect(mounted.fileSystem).toBe(own);
    });
  });

  describe('GIVEN a production platform with a database whose service and a worker in a stack of its own have volumes', () => {
    const built = platform({ database: {}, service: { volumes: [{ name: 'uploads', containerPath: '/var/uploads' }] } });
    const jobs = built.addWorker('Jobs', { queue: {}, ownStack: true, volumes: [{ name: 'uploads', containerPath: '/data', readOnly: true }] });
    const template = templateOf(built);

    test('THEN the platform has one file system, with a pinned logical ID, a key of its own, retained, in the backup plan instead of automatic backups', () => {
      const [id, fileSystem] = only(template, 'AWS::EFS::FileSystem');
      expect(id).toBe('PlatformFileSystem177B25EF');
      expect(built.fileSystem && logicalIdOf(built.fileSystem)).toBe(id);
      expect(fileSystem.Properties.BackupPolicy).toEqual({ Status: 'DISABLED' });
      expect(fileSystem.DeletionPolicy).toBe('Retain');
      expect(fileSystem.Properties.KmsKeyId['Fn::GetAtt'][0]).toMatch(/^PlatformFileSystemKey/);
      const selections = ofType(template, 'AWS::Backup::BackupSelection').map(([, s]) => JSON.stringify(s.Properties.BackupSelection.Resources));
      expect(selections.filter(s => s.includes(':file-system/') && s.includes(id))).toHaveLength(1);
      expect(built.service.fileSystem).toBe(built.fileSystem);
      expect(jobs.fileSystem).toBe(built.fileSystem);
    });

    test('THEN the worker\'s stack is created after the mount targets and its tasks reach them on NFS', () => {
      const targets = ofType(template, 'AWS::EFS::MountTarget').map(([id]) => id);
      expect(targets).toHaveLength(2);
      const [, nested] = ofType(template, 'AWS::CloudFormation::Stack').find(([id]) => id.startsWith('PlatformJobs'))!;
      expect(nested.DependsOn).toEqual(expect.arrayContaining(targets));
      const sources = ofType(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter(p => p.FromPort === 2049).map(p => JSON.stringify(p.SourceSecurityGroupId));
      expect(sources).toHaveLength(2);
      expect(sources.some(s => s.includes('PlatformJobsStack'))).toBe(true);
    });
  });

  describe('GIVEN a development platform whose worker has a volume', () => {
    const built = platform({ profile: EnvironmentProfile.DEVELOPMENT, environmentName: 'dev' });
    built.addWorker('Jobs', { queue: {}, volumes: [{ name: 'scratch', containerPath: '/scratch' }] });
    const template = templateOf(built);

    test('THEN the file system uses the shared key, is deleted with the stack, and has automatic backups (no plan)', () => {
      const [, fileSystem] = only(template, 'AWS::EFS::FileSystem');
      expect(fileSystem.Properties.KmsKeyId['Fn::GetAtt'][0]).toBe(logicalIdOf(built.encryptionKey));
      expect(fileSystem.DeletionPolicy).toBe('Delete');
      expect(fileSystem.Properties.BackupPolicy).toEqual({ Status: 'ENABLED' });
      expect(ofType(template, 'AWS::Backup::BackupSelection')).toEqual([]);
    });
  });

  describe('GIVEN a platform whose first volume is on an added worker, and a service given a file system of its own', () => {
    const built = platform({});
    built.addWorker('Jobs', { queue: {}, volumes: [{ name: 'uploads', containerPath: '/data' }] });
    const template = templateOf(built);

    test('THEN the file system has the logical ID it has when the platform\'s service asks first (it moves with no workload)', () => {
      expect(only(template, 'AWS::EFS::FileSystem')[0]).toBe('PlatformFileSystem177B25EF');
    });

    test('THEN a file system given through the platform is used, and the platform creates none', () => {
      const given = platform({});
      const stack = Stack.of(given);
      const own = efs.FileSystem.fromFileSystemAttributes(stack, 'Own', {
        fileSystemId: 'fs-0123456789abcdef0', securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'OwnSg', 'sg-0123456789abcdef0'),
      });
      const added = given.addService('Admin', { pathPatterns: ['/admin/*'], volumes: [{ name: 'reports', containerPath: '/reports' }], fileSystem: own });
      const t = templateOf(given);
      expect(ofType(t, 'AWS::EFS::FileSystem')).toEqual([]);
      expect(given.fileSystem).toBeUndefined();
      expect(added.fileSystem).toBe(own);
      const definition = ofType(t, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('PlatformAdmin'))![1];
      expect(definition.Properties.Volumes[0].EFSVolumeConfiguration.FilesystemId).toBe('fs-0123456789abcdef0');
    });
  });

  describe('GIVEN a platform whose service has a volume and whose pipeline runs migrations', () => {
    const buildspecs = (p: any) => ofType(templateOf(p), 'AWS::CodeBuild::Project')
      .filter(([id]) => id.includes('Migration')).map(([, r]) => JSON.stringify(r.Properties.Source.BuildSpec));
    test('THEN the migration task copies the service\'s volumes with its container, and a platform without volumes copies none', () => {
      const withVolume = buildspecs(platform({ pipeline: { migrationCommand: ['npm', 'run', 'migrate'] }, service: { volumes: [{ name: 'uploads', containerPath: '/var/uploads' }] } }));
      expect(withVolume).toHaveLength(1);
      expect(withVolume[0]).toContain('ephemeralStorage, volumes,');
      const without = buildspecs(platform({ pipeline: { migrationCommand: ['npm', 'run', 'migrate'] } }));
      expect(without).toHaveLength(1);
      expect(without[0]).not.toContain('volumes');
    });
  });

  describe('GIVEN DataBackups of a database, with a file system added later', () => {
    const built = backups({});
    const stack = Stack.of(built);
    const fileSystem = new efs.FileSystem(stack, 'Fs', { vpc: new ec2.Vpc(stack, 'FsVpc', { maxAzs: 1, natGateways: 0 }) });
    built.addFileSystem(fileSystem);
    built.addFileSystem(fileSystem);
    const template = templateOf(built);

    test('THEN the file system is in a selection of its own, once, with the plan\'s role, and the database\'s selection is unchanged', () => {
      const selections = ofType(template, 'AWS::Backup::BackupSelection').map(([, s]) => s.Properties.BackupSelection);
      expect(selections.map(s => s.SelectionName)).toEqual(['Selection', 'FileSystemSelection']);
      expect(JSON.stringify(selections[1].Resources)).toContain(':file-system/');
      expect(JSON.stringify(selections[0].Resources)).not.toContain(':file-system/');
      expect(selections[1].IamRoleArn).toEqual(selections[0].IamRoleArn);
    });

    test('THEN a plan of file systems only is accepted', () => {
      const other = new Stack();
      const fs2 = new efs.FileSystem(other, 'Fs', { vpc: new ec2.Vpc(other, 'Vpc', { maxAzs: 1, natGateways: 0 }) });
      const plan = new DataBackups(other, 'Backups', { fileSystems: [fs2] });
      // AWS Backup refuses a selection of no resource: the file system's is the plan's only one.
      expect(ofType(Template.fromStack(other).toJSON(), 'AWS::Backup::BackupSelection').map(([, s]) => s.Properties.BackupSelection.SelectionName))
        .toEqual(['FileSystemSelection']);
      expect(plan.selection).toBe(plan.addFileSystem(fs2));
    });
  });

  describe('GIVEN volumes the library refuses', () => {
    const refused = (props: Parameters<typeof web>[0]) => () => web(props);
    test.each<[string, Parameters<typeof web>[0], RegExp]>([
      ['a relative container path', { volumes: [{ name: 'data', containerPath: 'var/data' }] }, /volumes\[0\]\.containerPath "var\/data": give an absolute path/],
      ['the root as container path', { volumes: [{ name: 'data', containerPath: '/' }] }, /volumes\[0\]\.containerPath "\/": give an absolute path in the container other than \//],
      ['a container path with ..', { volumes: [{ name: 'data', containerPath: '/var/../etc' }] }, /volumes\[0\]\.containerPath "\/var\/..\/etc"/],
      ['a name with a slash', { volumes: [{ name: 'my/data', containerPath: '/data' }] }, /volumes\[0\]\.name "my\/data": use 1-64 letters, digits, hyphens or underscores/],
      ['two volumes of one name', { volumes: [{ name: 'data', containerPath: '/a' }, { name: 'data', containerPath: '/b' }] }, /volumes\[1\]\.name "data": another volume of the workload has that name/],
      ['names that share construct IDs', { volumes: [{ name: 'my-data', containerPath: '/a' }, { name: 'my_data', containerPath: '/b' }] }, /volumes\[1\]\.name "my_data"/],
      ['two volumes on one path', { volumes: [{ name: 'a', containerPath: '/data' }, { name: 'b', containerPath: '/data/' }] }, /volumes\[1\]\.containerPath "\/data\/": another volume is mounted at that path/],
      ['a negative uid', { volumes: [{ name: 'a', containerPath: '/data', uid: -1 }] }, /volumes\[0\]\.uid -1: use a whole number from 0 to 4294967295/],
      ['a file system without volumes', { fileSystem: efs.FileSystem.fromFileSystemAttributes(new Stack(), 'Fs', { fileSystemId: 'fs-1', securityGroup: ec2.SecurityGroup.fromSecurityGroupId(new Stack(), 'Sg', 'sg-1') }) }, /fileSystem ".*": the file system holds volumes, and none is given/],
    ])('%s', (_, props, message) => {
      expect(refused(props)).toThrow(message);
    });

    test('from plain JavaScript: read-only given as text, and a volume without a path', () => {
      expect(refused({ volumes: [{ name: 'a', containerPath: '/a', readOnly: 'yes' as any }] })).toThrow(/volumes\[0\]\.readOnly "yes"/);
      expect(refused({ volumes: [{ name: 'a' } as any] })).toThrow(/volumes\[0\]\.containerPath undefined: it is required/);
    });

    test('all problems together', () => {
      expect(refused({ volumes: [{ name: 'a b', containerPath: '/a' }, { name: 'b', containerPath: 'x' }] }))
        .toThrow(/volumes\[0\]\.name "a b"[\s\S]*volumes\[1\]\.containerPath "x"/);
    });

    test('through the platform, named as the user wrote it', () => {
      expect(synthesized(() => platform({ service: { volumes: [{ name: 'a', containerPath: 'rel' }] } }))).toThrow(/service\.volumes\[0\]\.containerPath "rel"/);
      const built = platform({});
      expect(synthesized(() => { built.addWorker('Jobs', { queue: {}, volumes: [{ name: 'a', containerPath: '/a' }, { name: 'a', containerPath: '/b' }] }); return built; }))
        .toThrow(/addWorker\('Jobs'\)\.volumes\[1\]\.name "a"/);
    });

    test('a volume of a name another workload of the platform mounts as another user: EFS keeps the directory\'s first owner', () => {
      const built = platform({ service: { volumes: [{ name: 'shared', containerPath: '/shared' }] } });
      built.addWorker('Same', { queue: {}, volumes: [{ name: 'shared', containerPath: '/data', uid: 1000, gid: 1000, readOnly: true }] });
      built.addWorker('Other', { queue: {}, volumes: [{ name: 'shared', containerPath: '/data', uid: 2000 }] });
      expect(synthesized(() => built)).toThrow(/addWorker\('Other'\)\.volumes\[0\] "uid 2000, gid 1000": service\.volumes\[0\] mounts \/shared as uid 1000, gid 1000, and EFS keeps the owner the directory was created with/);
    });
  });

  describe('GIVEN a user\'s VPC with two private subnet groups with egress', () => {
    test('THEN the file system has one mount target per Availability Zone (EFS refuses a second one in a zone)', () => {
      const stack = new Stack(undefined, 'TwoGroups');
      const vpc = new ec2.Vpc(stack, 'Vpc', {
        maxAzs: 2,
        natGateways: 1,
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          { name: 'jobs', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        ],
      });
      const given = new WorkerService(stack, 'Worker', {
        cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
        environmentName: 'prod',
        image: ServiceImage.placeholder(),
        queue: {},
        volumes: [{ name: 'data', containerPath: '/data' }],
      });
      const targets = ofType(templateOf(given), 'AWS::EFS::MountTarget');
      expect(targets).toHaveLength(2);
      const zoneOf = (subnet: any) => template(stack).Resources[subnet.Ref].Properties.AvailabilityZone;
      expect(new Set(targets.map(([, t]) => JSON.stringify(zoneOf(t.Properties.SubnetId)))).size).toBe(2);
    });
  });
});

const template = (stack: Stack) => Template.fromStack(stack).toJSON();
