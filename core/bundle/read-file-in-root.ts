import { constants } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';

const MAX_SYMLINKS = 40;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Resolves `path` inside `root` as if `root` were `/`: every symlink is
 * followed within the root (an absolute target restarts at the root, `..`
 * stops at it), so nothing outside the root is ever reached. Returns the host
 * path, or `null` when some component does not exist or is not a directory.
 */
export async function resolveInRoot(root: string, path: string): Promise<string | null> {
  const pending = components(path);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const stat = await lstatOrNull(candidate);
    if (stat === null) return null;
    if (stat.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw errorOf('invalid-argument', `${path}: too many levels of symbolic links`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...components(target));
      continue;
    }
    if (pending.length > 0 && !stat.isDirectory()) return null;
    resolved.push(part);
  }
  return join(root, ...resolved);
}

/**
 * Reads a regular file at `path` inside `root` (see `resolveInRoot`); `null`
 * when it does not exist. The last component is opened without following a
 * symlink, so one swapped in after resolution is refused, not followed.
 */
export async function readFileInRoot(
  root: string,
  path: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<string | null> {
  const hostPath = await resolveInRoot(root, path);
  if (hostPath === null) return null;
  const handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ELOOP') throw errorOf('permission-denied', `${path}: changed into a symlink while being read`);
      throw err;
    },
  );
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw errorOf('invalid-argument', `${path} in the container's rootfs is not a regular file`);
    if (stat.size > maxBytes) throw errorOf('invalid-argument', `${path} in the container's rootfs is larger than ${maxBytes} bytes`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}
