import { stat } from 'node:fs/promises';
import { errorOf } from '../../lib/errdefs/index.js';
import type { HostConfigBody, MountPoint } from '../containers/container-record.js';
import { hostPath, lstatOrNull, resolveInContainer } from '../rootfs/resolve.js';
import { bindSourceMissing, cleanPath, duplicateMountPoint, parseBind, parseMountSpec, parseVolumesFrom } from './parse.js';
import type { ContainerMount, MountType, PlannedMount } from './types.js';

export interface PlanInput {
  /** The container's config after merging the image's (`Volumes`: the image's and the user's). */
  config: { Volumes?: Record<string, unknown> | null; Image?: string };
  hostConfig: Pick<HostConfigBody, 'Binds' | 'Mounts' | 'VolumesFrom' | 'Tmpfs' | 'VolumeDriver'>;
  /**
   * Another container's mounts by name or ID (its record's `mounts`), for
   * `VolumesFrom`; `null` when there is no such container.
   */
  volumesFrom?: (ref: string) => Promise<readonly (ContainerMount | MountPoint)[] | null | undefined>;
  /** The container's root filesystem at create: a `Config.Volumes` entry over an existing file is refused, as Docker. */
  rootfs?: string;
  /** Whether a `--mount type=bind` source exists (following symlinks); default: stat(2). */
  pathExists?: (path: string) => Promise<boolean>;
}

async function defaultPathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw errorOf('invalid-argument', `invalid mount config for type "bind": ${(err as Error).message}`);
  }
}

/**
 * Docker's `registerMountPoints` plus the `Config.Volumes` step of create:
 * the mounts of a new container, one per destination, in precedence order.
 *
 * 1. `VolumesFrom` (`id[:ro|:rw]`): the other container's mounts, read-only
 *    when either says so; a later entry replaces an earlier one.
 * 2. `Binds`: replace what 1 gave; a destination twice, or one also in
 *    `Tmpfs`, is `Duplicate mount point`.
 * 3. `Mounts`: replace what 1 gave; a destination already taken by 2 or 3 is
 *    `Duplicate mount point`. A bind's source must exist unless
 *    `BindOptions.CreateMountpoint`.
 * 4. `Config.Volumes`: an anonymous volume for each destination nothing
 *    above (nor `Tmpfs`) covers, with `HostConfig.VolumeDriver`.
 *
 * `--tmpfs` (`HostConfig.Tmpfs`) mounts are not part of the result: the
 * bundle's `withMounts` makes them, and they win over these at start.
 */
export async function planMounts(input: PlanInput): Promise<PlannedMount[]> {
  const { hostConfig } = input;
  const points = new Map<string, PlannedMount>();
  const put = (m: PlannedMount) => {
    points.delete(m.destination); // keep insertion order = precedence order
    points.set(m.destination, m);
  };
  const tmpfs = new Set(Object.keys(hostConfig.Tmpfs ?? {}));
  const tmpfsClean = new Set([...tmpfs].map(cleanPath));

  for (const spec of hostConfig.VolumesFrom ?? []) {
    const { container, readWrite } = parseVolumesFrom(spec);
    const mounts = input.volumesFrom ? await input.volumesFrom(container) : null;
    if (!mounts) throw errorOf('invalid-argument', `No such container: ${container}`);
    for (const m of mounts) {
      const planned = fromOtherContainer(m, readWrite);
      if (planned) put(planned);
    }
  }

  const taken = new Set<string>();
  for (const raw of hostConfig.Binds ?? []) {
    const bind = parseBind(raw, hostConfig.VolumeDriver ?? '');
    if (taken.has(bind.destination) || tmpfs.has(bind.destination)) throw duplicateMountPoint(bind.destination);
    taken.add(bind.destination);
    put(bind);
  }

  const exists = input.pathExists ?? defaultPathExists;
  for (const spec of hostConfig.Mounts ?? []) {
    const mount = parseMountSpec(spec);
    if (mount.type === 'bind' && !mount.createIfMissing && !(await exists(spec.Source!))) throw bindSourceMissing(spec.Source!);
    if (taken.has(mount.destination)) throw duplicateMountPoint(spec.Target);
    taken.add(mount.destination);
    put(mount);
  }

  for (const raw of Object.keys(input.config.Volumes ?? {})) {
    const destination = cleanPath(raw);
    if (points.has(destination) || tmpfs.has(destination) || tmpfsClean.has(destination)) continue;
    if (!destination.startsWith('/')) {
      throw errorOf('invalid-argument', `invalid mount config for type "volume": invalid mount path: '${raw}' mount path must be absolute`);
    }
    if (destination === '/') {
      throw errorOf('invalid-argument', `invalid mount config for type "volume": invalid specification: destination can't be '/'`);
    }
    if (input.rootfs !== undefined) await refuseOverFile(input.rootfs, destination);
    put({
      type: 'volume',
      origin: 'config-volumes',
      destination,
      anonymous: true,
      ...(hostConfig.VolumeDriver ? { driver: hostConfig.VolumeDriver } : {}),
      readOnly: false,
      mode: '',
      propagation: '',
      copyData: true,
      createIfMissing: false,
    });
  }
  return [...points.values()];
}

/** Docker: `cannot mount volume over existing file, file exists <host path>`. */
async function refuseOverFile(rootfs: string, destination: string): Promise<void> {
  const path = hostPath(rootfs, await resolveInContainer(rootfs, destination));
  const st = await lstatOrNull(path);
  if (st !== null && !st.isDirectory()) {
    throw errorOf('invalid-argument', `cannot mount volume over existing file, file exists ${path}`);
  }
}

const TYPES: readonly string[] = ['bind', 'volume', 'tmpfs'];

/** A copy of another container's mount: Docker keeps its type, name, source, driver and propagation, not its mode or copy flag. */
function fromOtherContainer(m: ContainerMount | MountPoint, readWrite: boolean): PlannedMount | null {
  if (!TYPES.includes(m.Type)) return null;
  const type = m.Type as MountType;
  const own = m as ContainerMount;
  const planned: PlannedMount = {
    type,
    origin: 'volumes-from',
    destination: m.Destination,
    readOnly: !(m.RW && readWrite),
    mode: '',
    propagation: m.Propagation,
    copyData: false,
    createIfMissing: type === 'bind',
  };
  if (type !== 'tmpfs' && m.Source) planned.source = m.Source;
  if (type === 'volume') {
    if (!m.Name) return null;
    planned.volumeName = m.Name;
    if (m.Driver) planned.driver = m.Driver;
    if (own.anonymous) planned.anonymous = true;
    if (own.subpath) planned.volumeOptions = { subpath: own.subpath };
  }
  if (type === 'tmpfs' && own.tmpfsOptions !== undefined) planned.tmpfsOptions = own.tmpfsOptions;
  if (type === 'bind' && own.bindOptions) planned.bindOptions = { ...own.bindOptions };
  return planned;
}
