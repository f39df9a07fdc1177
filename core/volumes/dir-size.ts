import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes used under `dir` as Docker's `directory.Size` counts them: the sizes of every
 * non-directory entry, a hard-linked inode once. A missing directory is 0.
 */
export async function dirSize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const visit = async (path: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const child = join(path, e.name);
      if (e.isDirectory()) {
        await visit(child);
        continue;
      }
      const st = await lstat(child, { bigint: true }).catch(() => undefined);
      if (st === undefined) continue;
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1n && seen.has(key)) continue;
      seen.add(key);
      total += Number(st.size);
    }
  };
  await visit(dir);
  return total;
}
