import { errorOf, isKind } from '../../lib/errdefs/index.js';
import type { VolumeCreateRequest, VolumeService } from '../volumes/volume-service.js';
import type { ContainerMount, PlannedMount } from './types.js';

export interface ResolveDeps {
  volumes: VolumeService;
  containerId: string;
}

/**
 * The create-time half of Docker's `registerMountPoints`: creates the
 * volumes a plan names (anonymous ones with `{ anonymous: true }`), records
 * the container as a holder of every volume it mounts, and returns the
 * container's mounts as stored on its record and shown by inspect.
 *
 * Docker's inspect values: a volume's `Source` is its mountpoint and its
 * `Mode` the `-v` mode text, or `z` for a `local` volume from `Binds` or
 * `Mounts` given none; anonymous volumes from `Config.Volumes` and anything
 * from `VolumesFrom` have `Mode` `""`. Binds: `Source` the host path, `Mode`
 * the `-v` text (`""` for `--mount`), `Propagation` `rprivate` unless set.
 *
 * On failure, the holds taken are released and the anonymous volumes made
 * here removed, and the error is thrown.
 */
export async function resolveMounts(plan: readonly PlannedMount[], deps: ResolveDeps): Promise<ContainerMount[]> {
  const { volumes, containerId } = deps;
  const held: string[] = [];
  const created: string[] = [];
  const out: ContainerMount[] = [];
  try {
    for (const p of plan) {
      if (p.type === 'bind') {
        out.push({
          Type: 'bind', Source: p.source ?? '', Destination: p.destination, Mode: p.mode, RW: !p.readOnly,
          Propagation: p.propagation,
          ...(p.createIfMissing ? { createHostDir: true } : {}),
          ...(p.bindOptions ? { bindOptions: { ...p.bindOptions } } : {}),
        });
        continue;
      }
      if (p.type === 'tmpfs') {
        out.push({
          Type: 'tmpfs', Source: '', Destination: p.destination, Mode: '', RW: !p.readOnly, Propagation: '',
          tmpfsOptions: p.tmpfsOptions ?? '',
        });
        continue;
      }
      const volume = p.origin === 'volumes-from'
        ? await volumes.inspect(p.volumeName!)
        : await volumes.create(createRequest(p), p.anonymous ? { anonymous: true } : undefined);
      if (p.anonymous && p.origin !== 'volumes-from') created.push(volume.Name);
      await volumes.acquire(volume.Name, containerId);
      held.push(volume.Name);
      let mode = p.mode;
      if (mode === '' && volume.Driver === 'local' && (p.origin === 'binds' || p.origin === 'mounts')) mode = 'z';
      out.push({
        Type: 'volume', Name: volume.Name, Source: volume.Mountpoint, Destination: p.destination, Driver: volume.Driver,
        Mode: mode, RW: !p.readOnly, Propagation: p.propagation,
        ...(p.anonymous ? { anonymous: true } : {}),
        ...(p.copyData ? { copyData: true } : {}),
        ...(p.volumeOptions?.subpath ? { subpath: p.volumeOptions.subpath } : {}),
      });
    }
  } catch (err) {
    for (const name of held) await volumes.release(name, containerId).catch(() => undefined);
    for (const name of created) await volumes.remove(name).catch(() => undefined);
    throw err;
  }
  return out;
}

function createRequest(p: PlannedMount): VolumeCreateRequest {
  const req: VolumeCreateRequest = {};
  if (p.volumeName) req.Name = p.volumeName;
  if (p.driver) req.Driver = p.driver;
  if (p.volumeOptions?.driverOpts) req.DriverOpts = { ...p.volumeOptions.driverOpts };
  if (p.volumeOptions?.labels) req.Labels = { ...p.volumeOptions.labels };
  return req;
}

export interface ReleaseDeps {
  volumes: VolumeService;
  containerId: string;
  /** `docker rm -v`: also remove the container's anonymous volumes (never named ones). */
  removeAnonymous: boolean;
}

/**
 * Docker's `removeMountPoints`, for container removal: drops the
 * container's hold on each of its volumes and, with `removeAnonymous`,
 * removes its anonymous volumes; one still used by another container
 * (`conflict`) or already gone is left alone. Other failures are gathered
 * into one `Error removing volumes:` error after every volume was tried.
 */
export async function releaseMounts(mounts: readonly ContainerMount[], deps: ReleaseDeps): Promise<void> {
  const { volumes, containerId } = deps;
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const m of mounts) {
    if (m.Type !== 'volume' || !m.Name || seen.has(m.Name)) continue;
    seen.add(m.Name);
    try {
      await volumes.release(m.Name, containerId);
    } catch (err) {
      if (!isKind(err, 'not-found')) errors.push((err as Error).message);
      continue;
    }
    if (!deps.removeAnonymous || !m.anonymous) continue;
    try {
      await volumes.remove(m.Name);
    } catch (err) {
      if (!isKind(err, 'conflict') && !isKind(err, 'not-found')) errors.push((err as Error).message);
    }
  }
  if (errors.length > 0) throw errorOf('internal', `Error removing volumes:\n${errors.join('\n')}`);
}
