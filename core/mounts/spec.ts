import { mkdir, stat } from 'node:fs/promises';
import { errorOf } from '../../lib/errdefs/index.js';
import type { SpecMount } from '../bundle/oci-types.js';
import { mergeTmpfsOptions, TMPFS_BASE_OPTIONS } from '../bundle/tmpfs-options.js';
import { hostPath, lstatOrNull, resolveInContainer } from '../rootfs/resolve.js';
import type { VolumeService } from '../volumes/volume-service.js';
import { copyUp } from './copy-up.js';
import { bindSourceMissing, cleanPath, PROPAGATION_MODES } from './parse.js';
import type { ContainerMount } from './types.js';

export interface SpecMountsDeps {
  volumes: VolumeService;
  containerId: string;
  /** The container's root filesystem, mounted: the image content copied into new volumes. */
  rootfs: string;
  /** `HostConfig.Tmpfs`: a `--tmpfs` destination wins over a mount at the same place (the bundle makes it). */
  tmpfs?: Record<string, string> | null;
  /** The host and runtime make `ro` binds recursively read-only (`rro`, kernel ≥ 5.12). Default false: `ro`. */
  recursiveReadOnly?: boolean;
}

export interface ContainerSpecMounts {
  /** The OCI mounts, shallowest destination first. */
  mounts: SpecMount[];
  /** The records' mounts after this start: `copyData` cleared where the copy was done. Store them. */
  records: ContainerMount[];
  /** Set when some mount propagates (`shared` / `slave`): the spec's `linux.rootfsPropagation` must be at least this. */
  rootfsPropagation?: 'shared' | 'rslave';
  /** Unmounts the volumes mounted for this start; at stop, or when the start fails. Idempotent. */
  release(): Promise<void>;
}

/**
 * Docker's `setupMounts` at each start: mounts each volume for the
 * container (`volumes.mount`), copies the image's content into a volume the
 * first time (`copyData`, only when the volume is empty), creates a missing
 * `-v` bind source (`mkdir -p`, 0755), and returns the OCI mounts:
 * binds and volumes as `rbind` (`bind` with `NonRecursive`), `ro` (or `rro`)
 * when read-only, then the propagation when one is set (binds: `rprivate`
 * by default; volumes: none); `--mount type=tmpfs` as Docker's tmpfs options.
 * On failure, what was mounted is unmounted and the error thrown.
 */
export async function specMounts(mounts: readonly ContainerMount[], deps: SpecMountsDeps): Promise<ContainerSpecMounts> {
  const { volumes, containerId } = deps;
  const tmpfs = new Set(Object.keys(deps.tmpfs ?? {}).map(cleanPath));
  const mounted = new Map<string, string>();
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    const errors: string[] = [];
    for (const name of [...mounted.keys()].reverse()) {
      try {
        await volumes.unmount(name, containerId);
      } catch (err) {
        errors.push(`error unmounting volume ${name}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0) throw errorOf('internal', errors.join('\n'));
  };

  const out: SpecMount[] = [];
  const records: ContainerMount[] = [];
  let rootfsPropagation: 'shared' | 'rslave' | undefined;
  try {
    for (const m of mounts) {
      const record: ContainerMount = structuredClone(m);
      records.push(record);
      if (tmpfs.has(cleanPath(m.Destination))) continue;
      if (m.Type === 'tmpfs') {
        const data = m.tmpfsOptions ? m.tmpfsOptions.split(',') : [];
        out.push({ destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: mergeTmpfsOptions([...TMPFS_BASE_OPTIONS, ...data]) });
        continue;
      }
      let source: string;
      if (m.Type === 'volume') {
        if (!m.Name) throw errorOf('invalid-argument', `volume mount at ${m.Destination} has no volume name`);
        let path = mounted.get(m.Name);
        if (path === undefined) {
          path = await volumes.mount(m.Name, containerId, { destination: m.Destination, rw: m.RW, propagation: m.Propagation });
          mounted.set(m.Name, path);
        }
        if (m.copyData) {
          if (!m.subpath) await copyUp(deps.rootfs, m.Destination, path);
          delete record.copyData;
        }
        source = m.subpath ? await subpathIn(path, m.subpath) : path;
      } else if (m.Type === 'bind') {
        source = m.Source;
        if (m.createHostDir) await createHostDir(source);
        else if ((await lstatOrNull(source)) === null) throw bindSourceMissing(source);
      } else {
        throw errorOf('invalid-argument', `mount type unknown: ${JSON.stringify(m.Type)}`);
      }
      const options = [m.bindOptions?.nonRecursive ? 'bind' : 'rbind'];
      if (!m.RW) options.push(readOnlyOption(m, deps.recursiveReadOnly ?? false));
      if (PROPAGATION_MODES.has(m.Propagation)) {
        options.push(m.Propagation);
        if (m.Propagation.endsWith('shared')) rootfsPropagation = 'shared';
        else if (m.Propagation.endsWith('slave') && rootfsPropagation === undefined) rootfsPropagation = 'rslave';
      }
      out.push({ destination: m.Destination, type: 'bind', source, options });
    }
  } catch (err) {
    await release().catch(() => undefined);
    throw err;
  }
  const sorted = out
    .map((m, i) => ({ m, i, depth: cleanPath(m.destination).split('/').length }))
    .sort((a, b) => a.depth - b.depth || a.i - b.i)
    .map(({ m }) => m);
  return { mounts: sorted, records, ...(rootfsPropagation ? { rootfsPropagation } : {}), release };
}

function readOnlyOption(m: ContainerMount, recursiveSupported: boolean): string {
  if (m.bindOptions?.readOnlyNonRecursive) return 'ro';
  if (m.bindOptions?.readOnlyForceRecursive) return 'rro';
  return recursiveSupported ? 'rro' : 'ro';
}

/** Docker's `MkdirAllAndChownNew(source, 0755)`: an existing file (or a file on the way) is left for the runtime to refuse. */
async function createHostDir(source: string): Promise<void> {
  try {
    await stat(source);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return;
    if (code !== 'ENOENT') throw errorOf('internal', `error while creating mount source path '${source}': ${(err as Error).message}`);
  }
  try {
    await mkdir(source, { recursive: true, mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw errorOf('internal', `error while creating mount source path '${source}': ${(err as Error).message}`);
  }
}

/** A volume's subpath, resolved inside the volume (symlinks cannot lead out); it must exist. */
async function subpathIn(volumePath: string, subpath: string): Promise<string> {
  const path = hostPath(volumePath, await resolveInContainer(volumePath, subpath));
  if ((await lstatOrNull(path)) === null) {
    throw errorOf('invalid-argument', `cannot access path ${path}: no such file or directory`);
  }
  return path;
}
