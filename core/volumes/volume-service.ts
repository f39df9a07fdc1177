/**
 * The volume contract: Docker's `/volumes/*` endpoints and what the container engine needs to
 * give a container its volumes. Two services of the manifest are facets of it:
 * `volume-store` (records: create, inspect, list, remove, prune, usage, the holders that keep
 * a volume in use) and `volume-runtime` (mount and unmount for a container).
 *
 * Drivers: `local` (Docker's local driver: a directory under `<data-root>/volumes/<name>/_data`,
 * or, with `type`/`device`/`o` options, a mount of that device made when the volume is first
 * mounted) and legacy volume plugins found by the plugin store (`/VolumeDriver.*`).
 *
 * Results are Docker-shaped (`volume.Volume`). A holder is a container ID: a volume with a
 * holder is "in use" and is not removed (`conflict`: `remove x: volume is in use - [id]`).
 *
 * Errors are `MobyError`s: `not-found` (`get x: no such volume`), `conflict` (in use; a name
 * created again with another driver), `invalid-argument` (a bad name: `create a/b: "a/b"
 * includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are
 * allowed. If you intended to pass a host directory, use absolute path`; bad driver options),
 * `not-found` for an unknown driver (`error looking up volume plugin x: plugin "x" not found`).
 */
export interface Volume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local' | 'global';
  Status?: Record<string, unknown>;
  /** Only from `usage()` (`GET /system/df`) and `list` when asked: size in bytes (-1 unknown) and holders. */
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface VolumeCreateRequest {
  /** Empty or missing: an anonymous volume with a generated 64-hex name. */
  Name?: string;
  /** Default `local`. */
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** Docker's volume filters: `name`, `driver`, `label`, `dangling`; prune also `all` (API ≥ 1.42: without `all=true` only anonymous volumes go). */
export type VolumeFilters = Record<string, string[]>;

export interface VolumeService {
  // ---- volume-store
  /** Creates, or returns the existing volume of that name when the driver agrees (Docker's idempotent create). */
  create(req: VolumeCreateRequest, opts?: { anonymous?: boolean }): Promise<Volume>;
  inspect(name: string): Promise<Volume>;
  list(filters?: VolumeFilters): Promise<{ Volumes: Volume[]; Warnings: string[] }>;
  /** `force`: remove even when the driver fails (Docker's `docker volume rm -f`); never when held. */
  remove(name: string, opts?: { force?: boolean }): Promise<void>;
  prune(filters?: VolumeFilters): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>;
  /** Every volume with `UsageData` (size of local volumes' data, holder count): `GET /system/df`. */
  usage(): Promise<Volume[]>;
  /** Records that `holder` (a container ID) uses the volume; persisted. Idempotent. */
  acquire(name: string, holder: string): Promise<void>;
  /** Forgets the holder; idempotent. */
  release(name: string, holder: string): Promise<void>;
  // ---- volume-runtime
  /**
   * Makes the volume's data available for `holder` and returns the host path to bind-mount.
   * `as`: where and how the container mounts it, told in Docker's `mount` event.
   */
  mount(name: string, holder: string, as?: VolumeMountAs): Promise<string>;
  unmount(name: string, holder: string): Promise<void>;
  close(): Promise<void>;
}

/** Where and how a container mounts a volume (Docker's `mount` event attributes). */
export interface VolumeMountAs {
  destination: string;
  rw: boolean;
  propagation: string;
}
