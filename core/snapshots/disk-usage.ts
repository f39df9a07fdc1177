import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotUsage } from './snapshotter.js';

/**
 * Bytes allocated and distinct inodes under `dir` (itself included), as
 * containerd's `fs.DiskUsage` counts them: hard links once, sizes in blocks.
 */
export async function diskUsage(dir: string): Promise<SnapshotUsage> {
  const seen = new Set<bigint>();
  let size = 0;
  const visit = async (path: string): Promise<void> => {
    const st = await lstat(path, { bigint: true });
    if (!seen.has(st.ino)) {
      seen.add(st.ino);
      size += Number(st.blocks) * 512;
    }
    if (!st.isDirectory()) return;
    for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(dir);
  return { size, inodes: seen.size };
}
