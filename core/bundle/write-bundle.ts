import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeSpec } from './oci-types.js';

export const CONFIG_FILE = 'config.json';

/**
 * Writes `<dir>/config.json` atomically: a temporary file in the same
 * directory, flushed, then renamed over the old one. A reader sees the old
 * file or the new one, never half of either. Returns the file's path.
 * `sync: false` skips the fsyncs (file and directory): for a bundle that is
 * written again before every use and need not survive the host (the engine's
 * bundles live under its exec root), the rename alone is atomic enough.
 */
export async function writeBundle(dir: string, spec: RuntimeSpec, options: { sync?: boolean } = {}): Promise<string> {
  const sync = options.sync ?? true;
  await mkdir(dir, { recursive: true, mode: 0o711 });
  const target = join(dir, CONFIG_FILE);
  const tmp = join(dir, `.${CONFIG_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(spec, null, 2) + '\n');
      if (sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
    if (sync) await syncDir(dir);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return target;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
