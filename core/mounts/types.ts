import type { MountPoint } from '../containers/container-record.js';

/** Where a planned mount came from, in Docker's order of precedence (later wins a destination). */
export type MountOrigin = 'volumes-from' | 'binds' | 'mounts' | 'config-volumes';

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** Docker's `mount.BindOptions` as far as the OCI spec honours them. */
export interface BindFlags {
  /** `bind` instead of `rbind`. */
  nonRecursive?: boolean;
  /** `ro` stays non-recursive even where `rro` is available (`ro-non-recursive`). */
  readOnlyNonRecursive?: boolean;
  /** `rro`, or fail (`ro-force-recursive`, `rro`). */
  readOnlyForceRecursive?: boolean;
}

/** What `--mount type=volume` says about creating the volume. */
export interface PlannedVolumeOptions {
  labels?: Record<string, string>;
  driverOpts?: Record<string, string>;
  /** A path inside the volume to mount instead of its root (API 1.45). */
  subpath?: string;
}

/**
 * One mount of a container as Docker's `registerMountPoints` and the
 * `Config.Volumes` step decide it, before any volume exists.
 */
export interface PlannedMount {
  type: MountType;
  origin: MountOrigin;
  /** Clean, absolute, in the container. */
  destination: string;
  /** A bind's host path; for a volume from `VolumesFrom`, the other container's `Source`. */
  source?: string;
  /** A named volume's name (anonymous volumes get theirs when created). */
  volumeName?: string;
  /** The volume driver asked for; absent: the volume service's default (or the existing volume's). */
  driver?: string;
  /** A volume without a user-given name: `-v /dst`, `--mount type=volume,dst=…`, `Config.Volumes`. */
  anonymous?: boolean;
  readOnly: boolean;
  /** Docker's `MountPoint.Mode`: the `-v` mode text as typed; `""` otherwise (`z` added for local volumes on resolve). */
  mode: string;
  /** `rprivate` by default for binds; `""` for volumes and tmpfs. */
  propagation: string;
  /** Copy the image's content at the destination into the volume when it is empty. */
  copyData: boolean;
  /** Binds: create a missing host directory at start (`-v`, `--mount … bind-create-src`). */
  createIfMissing: boolean;
  volumeOptions?: PlannedVolumeOptions;
  /** `--mount type=tmpfs`: Docker's tmpfs data string (`ro,mode=1777,size=64m`). */
  tmpfsOptions?: string;
  bindOptions?: BindFlags;
}

/**
 * A container's mount as the engine stores it on the record: Docker's inspect
 * `MountPoint` plus what is needed to build the OCI mounts at every start.
 * Plain JSON.
 */
export interface ContainerMount extends MountPoint {
  /** A volume created without a name: `docker rm -v` removes it. */
  anonymous?: boolean;
  /** Still to copy the image's content into the (empty) volume; cleared after the first start. */
  copyData?: boolean;
  /** tmpfs data string (`size=64m,mode=1777`). */
  tmpfsOptions?: string;
  /** A bind whose missing host directory is created at start. */
  createHostDir?: boolean;
  /** A path inside the volume to mount instead of its root. */
  subpath?: string;
  bindOptions?: BindFlags;
}
