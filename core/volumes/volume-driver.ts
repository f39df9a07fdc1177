import type { VolumeRecord } from './volume-db.js';

/** A volume as its driver reports it. */
export interface DriverVolume {
  Name: string;
  /** Where the data is on the host; '' when the driver only knows it while mounted. */
  Mountpoint: string;
  Status?: Record<string, unknown>;
  CreatedAt?: string;
}

/**
 * What `LocalVolumeService` needs of a driver: `local` (`LocalDriver`) or a legacy plugin
 * (`PluginVolumeDriver`). Errors are `MobyError`s without the `create <name>: ` context,
 * which the service adds as Docker does.
 */
export interface VolumeDriver {
  readonly name: string;
  /** `local` (this host) or `global` (the same volume cluster-wide). */
  scope(): Promise<'local' | 'global'>;
  /** Validates the options and makes the volume; creating what exists is not an error. */
  create(rec: VolumeRecord): Promise<void>;
  /** The volume, or undefined when the driver answers that it does not have it. */
  get(rec: VolumeRecord): Promise<DriverVolume | undefined>;
  list(): Promise<DriverVolume[]>;
  remove(rec: VolumeRecord): Promise<void>;
  /** Called once per holder; returns the host path of the data. */
  mount(rec: VolumeRecord, holder: string): Promise<string>;
  unmount(rec: VolumeRecord, holder: string): Promise<void>;
  /** Bytes of data on this host, -1 when unknown. */
  size(rec: VolumeRecord): Promise<number>;
}
