/**
 * A container's root filesystem: a writable overlay snapshot (`container-<id>`) on the
 * committed snapshot of its image's top layer, kept alive by a `container` holder in the layer
 * store, and mounted on `<container dir>/rootfs` while the container runs or a copy needs it.
 */
import { mkdir, rmdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerStore } from '../layers/layer-store.js';
import { mountAll, unmount } from '../snapshots/mount-all.js';
import { upperDirOf } from '../snapshots/upper-dir.js';
import type { Mount } from '../snapshots/snapshotter.js';
import { isKind } from '../../lib/errdefs/index.js';

export function snapshotKey(id: string): string {
  return `container-${id}`;
}

export function initSnapshotKey(id: string): string {
  return `container-${id}-init`;
}

/**
 * Docker's init layer: the mount points the runtime needs and the files the engine binds
 * over, made in a committed layer of their own between the image and the container's
 * writable layer, so that they never show in `docker diff`, `export` or `commit`.
 */
const initDirs = ['dev', 'dev/pts', 'dev/shm', 'proc', 'sys', 'etc'];
const initFiles = ['.dockerenv', 'etc/resolv.conf', 'etc/hosts', 'etc/hostname', 'dev/console'];

/** Creates the container's init layer and writable snapshot over `parent` (a chain ID) and holds them. */
export async function prepareRootfs(layers: LayerStore, id: string, parent: string | undefined): Promise<void> {
  const key = snapshotKey(id);
  const init = initSnapshotKey(id);
  const labels = { 'moby.container': id };
  const lease = await layers.createLease({ expiresInMs: 60_000 });
  try {
    await layers.addToLease(lease, { kind: 'snapshot', id: key });
    await layers.addToLease(lease, { kind: 'snapshot', id: init });
    const upper = upperDirOf(await layers.snapshots.prepare(`${init}-active`, parent, { labels }));
    for (const dir of initDirs) await mkdir(join(upper, dir), { recursive: true, mode: 0o755 });
    for (const file of initFiles) await writeFile(join(upper, file), '', { mode: 0o755 });
    await symlink('/proc/mounts', join(upper, 'etc/mtab'));
    await layers.snapshots.commit(init, `${init}-active`, { labels });
    await layers.snapshots.prepare(key, init, { labels });
    await layers.setHolder({ kind: 'container', id }, [{ kind: 'snapshot', id: key }]);
  } catch (err) {
    for (const k of [key, `${init}-active`, init]) await layers.snapshots.remove(k).catch(() => undefined);
    throw err;
  } finally {
    await layers.deleteLease(lease).catch(() => undefined);
  }
}

/** Removes the snapshots and the holder; what only they kept becomes garbage. */
export async function releaseRootfs(layers: LayerStore, id: string): Promise<void> {
  for (const key of [snapshotKey(id), initSnapshotKey(id)]) {
    await layers.snapshots.remove(key).catch((err: unknown) => {
      if (!isKind(err, 'not-found')) throw err;
    });
  }
  await layers.deleteHolder({ kind: 'container', id });
}

export async function rootfsMounts(layers: LayerStore, id: string): Promise<Mount[]> {
  return layers.snapshots.mounts(snapshotKey(id));
}

/** The overlay's directories, from its mount options. */
export function overlayDirs(mounts: readonly Mount[]): { upperDir: string; lowerDirs: string[] } {
  const lower = mounts[0]?.options.find((o) => o.startsWith('lowerdir='))?.slice('lowerdir='.length) ?? '';
  return { upperDir: upperDirOf(mounts), lowerDirs: lower.split(':').filter(Boolean) };
}

/** Mounts the rootfs on `target` (created when missing). */
export async function mountRootfs(layers: LayerStore, id: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  await mountAll(await rootfsMounts(layers, id), target);
}

export async function unmountRootfs(target: string): Promise<void> {
  await unmount(target).catch(() => unmount(target, { detach: true }));
  await rmdir(target).catch(() => undefined);
}
