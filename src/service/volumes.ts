import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { VolumeOptions, VolumesOptions } from './volume-options';
import { createFileSystem } from '../data/file-system';
import { createKey } from '../private/kms';
import { pascal } from '../private/naming';
import { invalidProp, isToken, requireSynthValue, validateIntegerRange } from '../private/validation';

const VOLUME_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** The POSIX user and group a volume's access point runs as and creates its directory for, unless given. */
export const DEFAULT_VOLUME_OWNER = 1000;
const MAX_POSIX_ID = 4294967295;

/**
 * The checks of a workload's volumes, run with its other checks: names (they become ECS volume names, access point
 * directories and construct IDs), container paths (ECS mounts each at an absolute path, one volume per path), POSIX IDs.
 */
export function volumeChecks(scope: IConstruct, props: VolumesOptions): Array<() => void> {
  const volumes = props.volumes ?? [];
  return [
    () => {
      if (props.fileSystem && volumes.length === 0) {
        invalidProp(scope, 'fileSystem', props.fileSystem.node.path, 'the file system holds volumes, and none is given; add volumes or drop fileSystem');
      }
    },
    ...volumes.map((volume, i) => () => validateVolume(scope, `volumes[${i}]`, volume)),
    () => validateDistinct(scope, volumes, 'name', v => (typeof v.name === 'string' ? pascal(v.name) : undefined),
      'another volume of the workload has that name (or one that differs only in punctuation or case, which would share its construct IDs); rename one'),
    () => validateDistinct(scope, volumes, 'containerPath', v => (typeof v.containerPath === 'string' ? normalized(v.containerPath) : undefined),
      'another volume is mounted at that path and ECS mounts one volume per path; pick another path'),
  ];
}

function validateVolume(scope: IConstruct, prop: string, volume: VolumeOptions): void {
  requireSynthValue(scope, `${prop}.name`, volume.name, 'it names the access point, its directory and the task definition volume');
  requireSynthValue(scope, `${prop}.containerPath`, volume.containerPath, 'the mount points of a task are checked at synth');
  if (!VOLUME_NAME.test(volume.name)) {
    invalidProp(scope, `${prop}.name`, volume.name, 'use 1-64 letters, digits, hyphens or underscores (e.g. "uploads"): it is the ECS volume name and the directory /<name> on the file system');
  }
  const path = volume.containerPath;
  if (!path.startsWith('/') || normalized(path) === '/' || path.split('/').some(segment => segment === '..' || segment === '.') || /[\s:]/.test(path) || path.length > 4096) {
    invalidProp(scope, `${prop}.containerPath`, path, 'give an absolute path in the container other than / itself, without ".", ".." segments, spaces or colons (e.g. "/var/data")');
  }
  validateIntegerRange(scope, `${prop}.uid`, volume.uid, 0, MAX_POSIX_ID);
  validateIntegerRange(scope, `${prop}.gid`, volume.gid, 0, MAX_POSIX_ID);
}

function normalized(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

function validateDistinct(scope: IConstruct, volumes: VolumeOptions[], field: 'name' | 'containerPath', key: (v: VolumeOptions) => string | undefined, fix: string): void {
  const seen = new Set<string>();
  volumes.forEach((volume, i) => {
    const k = key(volume);
    if (k === undefined || isToken(volume[field])) return;
    if (seen.has(k)) invalidProp(scope, `volumes[${i}].${field}`, volume[field], fix);
    seen.add(k);
  });
}

/** Task definitions with EFS volumes: a copy of one for a one-off task (migrations, tests) keeps them. */
const withVolumes = new WeakSet<ecs.TaskDefinition>();

/** Whether a workload's task definition has EFS volumes (its main container's mount points name them). */
export function hasEfsVolumes(taskDefinition: ecs.TaskDefinition): boolean {
  return withVolumes.has(taskDefinition);
}

/** What a workload hands over to mount its volumes. */
export interface VolumeMount {
  readonly vpc: ec2.IVpc;
  readonly taskDefinition: ecs.TaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly service: ecs.FargateService;
}

/**
 * Mounts the volumes into the workload's main container: one access point per volume (its directory `/<name>`,
 * created with the volume's owner, and the volume's POSIX user forced on every operation), a task definition volume
 * over TLS with IAM authorization, the task role allowed to mount that access point only (and to write only when the
 * volume is writable), NFS open to the workload's security group, and the ECS service created after the mount
 * targets (a task started before a mount target is available fails). Returns the file system, or none without volumes.
 */
export function addVolumes(scope: Construct, props: VolumesOptions, mount: VolumeMount): efs.IFileSystem | undefined {
  const volumes = props.volumes ?? [];
  if (volumes.length === 0) return undefined;
  const fileSystem = props.fileSystem ?? createFileSystem(scope, 'FileSystem', {
    vpc: mount.vpc,
    encryptionKey: createKey(scope, 'FileSystemKey', `EFS file system of the volumes of ${scope.node.path}`),
    automaticBackups: true,
  });
  fileSystem.connections.allowDefaultPortFrom(mount.securityGroup, `NFS from ${scope.node.path}`);
  for (const volume of volumes) {
    const uid = String(volume.uid ?? DEFAULT_VOLUME_OWNER);
    const gid = String(volume.gid ?? DEFAULT_VOLUME_OWNER);
    const accessPoint = new efs.AccessPoint(scope, `${pascal(volume.name)}AccessPoint`, {
      fileSystem,
      path: `/${volume.name}`,
      createAcl: { ownerUid: uid, ownerGid: gid, permissions: '750' },
      posixUser: { uid, gid },
    });
    mount.taskDefinition.addVolume({
      name: volume.name,
      efsVolumeConfiguration: {
        fileSystemId: fileSystem.fileSystemId,
        transitEncryption: 'ENABLED',
        authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
      },
    });
    mount.container.addMountPoints({ sourceVolume: volume.name, containerPath: volume.containerPath, readOnly: volume.readOnly ?? false });
    mount.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticfilesystem:ClientMount', ...(volume.readOnly ? [] : ['elasticfilesystem:ClientWrite'])],
      resources: [fileSystem.fileSystemArn],
      conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn } },
    }));
  }
  mount.service.node.addDependency(fileSystem.mountTargetsAvailable);
  withVolumes.add(mount.taskDefinition);
  return fileSystem;
}
