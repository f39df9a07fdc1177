/**
 * A container's mounts, as Docker's daemon decides and makes them: `-v`
 * (`HostConfig.Binds`), `--mount` (`HostConfig.Mounts`), `--volumes-from`
 * and the image's and user's `Config.Volumes`.
 *
 *   // create
 *   const plan = await planMounts({ config, hostConfig, volumesFrom: async (ref) => (await store.get(ref))?.mounts ?? null, rootfs });
 *   record.mounts = await resolveMounts(plan, { volumes, containerId: id });
 *   // each start
 *   const m = await specMounts(record.mounts, { volumes, containerId: id, rootfs, tmpfs: hostConfig.Tmpfs });
 *   record.mounts = m.records;           // copy-up done: persist
 *   spec.mounts.push(...m.mounts);       // after the bundle's own mounts
 *   // stop (or failed start)
 *   await m.release();
 *   // remove (`docker rm [-v]`)
 *   await releaseMounts(record.mounts, { volumes, containerId: id, removeAnonymous: v });
 */
export type { BindFlags, ContainerMount, MountOrigin, MountType, PlannedMount, PlannedVolumeOptions } from './types.js';
export {
  parseBind, parseMountSpec, parseVolumesFrom, validMountMode, modeIsReadWrite, tmpfsData, cleanPath,
  DEFAULT_PROPAGATION,
} from './parse.js';
export { planMounts, type PlanInput } from './plan.js';
export { resolveMounts, releaseMounts, type ResolveDeps, type ReleaseDeps } from './resolve.js';
export { specMounts, type SpecMountsDeps, type ContainerSpecMounts } from './spec.js';
export { copyUp } from './copy-up.js';
