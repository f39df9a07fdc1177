import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import { goJson } from '../image/go-json.js';
import { absContainerPath, goBase, hostPath, resolveInContainer } from './resolve.js';

/** Docker's `ContainerPathStat`, the `X-Docker-Container-Path-Stat` header's JSON. */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go `os.FileMode` bits: type bits high, permissions low. */
  mode: number;
  /** RFC 3339 with nanoseconds, UTC. */
  mtime: string;
  /** For a symlink: the in-container absolute path it resolves to; otherwise empty. */
  linkTarget: string;
}

export interface PathOptions {
  /** The container's name as the client gave it, for Docker's 404 wording. */
  container?: string;
}

// Go os.FileMode type bits.
export const MODE_DIR = 2 ** 31;
export const MODE_SYMLINK = 2 ** 27;
export const MODE_DEVICE = 2 ** 26;
export const MODE_NAMED_PIPE = 2 ** 25;
export const MODE_SOCKET = 2 ** 24;
export const MODE_SETUID = 2 ** 23;
export const MODE_SETGID = 2 ** 22;
export const MODE_CHAR_DEVICE = 2 ** 21;
export const MODE_STICKY = 2 ** 20;

const S_IFMT = 0o170000;

/** Go's `os.FileMode` for a stat mode (as `fs.FileInfo.Mode()` computes it). */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  switch (mode & S_IFMT) {
    case 0o040000: m += MODE_DIR; break;
    case 0o120000: m += MODE_SYMLINK; break;
    case 0o060000: m += MODE_DEVICE; break;
    case 0o020000: m += MODE_DEVICE + MODE_CHAR_DEVICE; break;
    case 0o010000: m += MODE_NAMED_PIPE; break;
    case 0o140000: m += MODE_SOCKET; break;
    default: break;
  }
  if (mode & 0o4000) m += MODE_SETUID;
  if (mode & 0o2000) m += MODE_SETGID;
  if (mode & 0o1000) m += MODE_STICKY;
  return m;
}

/** A nanosecond timestamp as Go's `time.Time` marshals it in UTC (RFC3339Nano, zeros trimmed). */
export function rfc3339Nano(ns: bigint): string {
  const sec = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n);
  const frac = ns - sec * 1_000_000_000n;
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  const fraction = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${fraction}Z`;
}

/** The thing a container path names, found as Docker's `ResolvePath` + `StatPath` do. */
export interface Located {
  /** The path as Docker keeps it: absolute, trailing `/` or `/.` preserved. */
  absPath: string;
  /** In-container path of the object (parents resolved, final component not followed). */
  containerPath: string;
  hostPath: string;
  stat: BigIntStats;
}

/**
 * Finds `path` inside `root`: the parent components are resolved inside the
 * root (symlinks followed in scope), the final one is not followed, except
 * that a trailing `/` or `/.` names the directory itself. A missing path is
 * `not-found` with Docker's message.
 */
export async function locate(root: string, path: string, opts: PathOptions = {}): Promise<Located> {
  const absPath = absContainerPath(path);
  const slash = absPath.lastIndexOf('/');
  const dir = absPath.slice(0, slash + 1);
  const base = absPath.slice(slash + 1);
  const resolvedDir = await resolveInContainer(root, dir);
  const wantsDir = base === '' || base === '.';
  const containerPath = wantsDir ? resolvedDir : posix.join(resolvedDir, base);
  const host = hostPath(root, containerPath);
  let stat: BigIntStats;
  try {
    stat = await lstat(host, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(path, opts);
    if (code === 'ENOTDIR') throw errorOf('invalid-argument', `lstat ${absPath}: not a directory`);
    throw err;
  }
  if (wantsDir && !stat.isDirectory()) throw errorOf('invalid-argument', `lstat ${absPath}: not a directory`);
  return { absPath, containerPath, hostPath: host, stat };
}

export function notFound(path: string, opts: PathOptions) {
  const where = opts.container === undefined ? '' : ` in container ${opts.container}`;
  return errorOf('not-found', `Could not find the file ${path}${where}`);
}

/**
 * Docker's stat of a container path (`HEAD /containers/{id}/archive`): the
 * final component is not followed; a symlink's `linkTarget` is where it
 * leads, resolved inside the root, as an in-container absolute path.
 */
export async function statPath(root: string, path: string, opts: PathOptions = {}): Promise<ContainerPathStat> {
  return statOf(root, await locate(root, path, opts));
}

export async function statOf(root: string, found: Located): Promise<ContainerPathStat> {
  const { stat } = found;
  const linkTarget = stat.isSymbolicLink() ? await resolveInContainer(root, found.absPath) : '';
  return {
    name: goBase(found.absPath),
    size: Number(stat.size),
    mode: goFileMode(Number(stat.mode)),
    mtime: rfc3339Nano(stat.mtimeNs),
    linkTarget,
  };
}

/** The `X-Docker-Container-Path-Stat` header value: standard base64 of Go's JSON. */
export function encodePathStat(stat: ContainerPathStat): string {
  const { name, size, mode, mtime, linkTarget } = stat;
  return Buffer.from(goJson({ name, size, mode, mtime, linkTarget })).toString('base64');
}

/** The inverse of `encodePathStat`. */
export function decodePathStat(header: string): ContainerPathStat {
  try {
    const v = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ContainerPathStat;
    if (typeof v.name !== 'string' || typeof v.mode !== 'number') throw new Error('missing fields');
    return v;
  } catch (err) {
    throw errorOf('invalid-argument', `invalid path stat header: ${(err as Error).message}`);
  }
}
