import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/errdefs.js';

/** The file under the data root that holds the engine's ID (Docker's `<root>/engine-id`). */
export const engineIdFile = 'engine-id';

/**
 * The engine's ID (`/info` ID): a UUID created once and kept in `<dataRoot>/engine-id`.
 * Creation is atomic and race-free: the ID is written to a private temporary file and hard-linked
 * into place, so concurrent callers all end up reading the one that won. Creates the data root
 * (mode 0711) when missing.
 */
export async function loadOrCreateEngineId(dataRoot: string): Promise<string> {
  const path = join(dataRoot, engineIdFile);
  const existing = await readId(path);
  if (existing !== undefined) return existing;
  await mkdir(dataRoot, { recursive: true, mode: 0o711 });
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${randomUUID()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp);
  }
  const id = await readId(path);
  if (id === undefined) throw errorOf('data-loss', `engine id ${path}: empty after creation`);
  return id;
}

async function readId(path: string): Promise<string | undefined> {
  try {
    const id = (await readFile(path, 'utf8')).trim();
    if (id === '') throw errorOf('data-loss', `engine id ${path}: file is empty`);
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
