import { constants, type BigIntStats, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';

const MAX_SYMLINKS = 40;
/** Linux O_PATH (Node does not export it). */
export const O_PATH = 0o10000000;
export const O_DIR_NOFOLLOW = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/**
 * Resolves `path` as the container would see it with `root` as `/`: every
 * symlink met is followed inside the root (an absolute target restarts at
 * the root, `..` stops there), so the result never names anything outside.
 * As moby's `FollowSymlinkInScope`, components that do not exist are kept
 * lexically. Returns a clean absolute in-container path.
 */
export async function resolveInContainer(root: string, path: string): Promise<string> {
  const pending = components(path);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const st = await lstatOrNull(posix.join(root, ...resolved, part));
    if (st === null || (!st.isSymbolicLink() && !st.isDirectory() && pending.length > 0)) {
      // Missing, or a non-directory with more to come: the rest stays lexical.
      resolved.push(part);
      for (const rest of pending) {
        if (rest === '..') resolved.pop();
        else resolved.push(rest);
      }
      break;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw errorOf('invalid-argument', `${path}: too many levels of symbolic links`);
      const target = await readlink(posix.join(root, ...resolved, part));
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...components(target));
      continue;
    }
    resolved.push(part);
  }
  return `/${resolved.join('/')}`;
}

/** The host path of an in-container absolute path. */
export function hostPath(root: string, containerPath: string): string {
  return containerPath === '/' ? root : posix.join(root, containerPath);
}

/**
 * Docker's `PreserveTrailingDotOrSeparator(filepath.Join("/", path), path)`:
 * the cleaned absolute path, keeping a trailing `/.` or `/` the caller wrote,
 * which change what a copy means (`dir/.` is the directory's contents).
 */
export function absContainerPath(path: string): string {
  let clean = posix.normalize(`/${path}`);
  if (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1);
  if (path.endsWith('/.') || path === '.') return clean === '/' ? '/.' : `${clean}/.`;
  if (path.endsWith('/') && clean !== '/') return `${clean}/`;
  return clean;
}

/** Go's `filepath.Base`. */
export function goBase(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path === '' ? '.' : '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function procFd(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/**
 * Opens a directory without following a final symlink and checks, through
 * the kernel's record of what was opened, that it lies inside `root`, so a
 * path swapped for a symlink between resolution and use is caught. Paths
 * under `/proc/self/fd/<n>/` then reach its entries without walking the host
 * path again.
 */
export async function openDirIn(root: string, path: string): Promise<FileHandle> {
  const fh = await open(path, O_DIR_NOFOLLOW);
  try {
    const real = await readlink(procFd(fh.fd));
    const realRoot = await realRootOf(root);
    if (real !== realRoot && !real.startsWith(realRoot === '/' ? '/' : `${realRoot}/`)) {
      throw errorOf('permission-denied', `${path} resolves outside the container's root filesystem`);
    }
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}

const realRoots = new Map<string, string>();
async function realRootOf(root: string): Promise<string> {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = await realpath(root);
    if (realRoots.size > 64) realRoots.clear();
    realRoots.set(root, real);
  }
  return real;
}

export function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

export async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

export async function lstatBigOrNull(path: string): Promise<BigIntStats | null> {
  try {
    return await lstat(path, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Byte-wise order of names, as Go sorts directory entries. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  // Plain code-unit order agrees with UTF-8 byte order outside surrogates.
  if (/[\ud800-\udfff]/.test(a) || /[\ud800-\udfff]/.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}
