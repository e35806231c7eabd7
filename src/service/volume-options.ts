import * as efs from 'aws-cdk-lib/aws-efs';

/**
 * A directory of an encrypted EFS file system mounted into a workload's main container (Copilot's `storage.volumes`
 * with `efs`): its files outlive the tasks, and every task of the workload sees the same ones.
 */
export interface VolumeOptions {
  /**
   * Name of the volume, unique among the workload's volumes: 1-64 letters, digits, hyphens or underscores. It is also
   * the volume's directory on the file system (`/<name>`), so two workloads of one platform with a volume of the same
   * name share its files, and a volume moved from one workload to another keeps them.
   */
  readonly name: string;
  /** Absolute path in the main container where the volume is mounted (e.g. `/var/data`); not `/`. */
  readonly containerPath: string;
  /**
   * Mount the volume read-only: the container cannot write to it, and the task role gets no `elasticfilesystem:ClientWrite`.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * POSIX user ID the container's file operations on the volume run as (the access point's user, and the owner of
   * its directory when the access point creates it).
   * @default 1000
   */
  readonly uid?: number;
  /**
   * POSIX group ID the container's file operations on the volume run as.
   * @default 1000
   */
  readonly gid?: number;
}

/** The EFS volumes of a workload's main container, and the file system that holds them. */
export interface VolumesOptions {
  /**
   * EFS volumes mounted into the main container, each through an access point of its own, over TLS and with IAM
   * authorization: the task role may mount only these access points (read-only ones without write). Adding or
   * removing one registers a new task definition revision and rolls the tasks.
   * @default - none
   */
  readonly volumes?: VolumeOptions[];
  /**
   * File system that holds the volumes, with a mount target in every Availability Zone of the tasks; the workload
   * admits its tasks to it on NFS (2049) and waits for its mount targets.
   * @default - in a `BackendPlatform`, the platform's file system (one per platform, created with the first volume);
   * standalone, a new encrypted file system of the workload's own
   */
  readonly fileSystem?: efs.IFileSystem;
}
