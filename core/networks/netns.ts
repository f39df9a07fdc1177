/**
 * Persistent named network namespaces, the way `ip netns add` makes them: the directory is a
 * private bind mount of itself (so the nsfs mounts do not propagate into other mount
 * namespaces and pin the namespace), and each namespace is `/proc/<pid>/ns/net` of a
 * short-lived `unshare` bind-mounted onto an empty file there. `unshare --net=<file>` does
 * the bind; it runs `ip link set lo up` inside the new namespace, so one process does it all.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { MNT_DETACH, MS_BIND, MS_PRIVATE, mount, umount2 } from '../sys/index.js';
import { run } from './exec.js';

const EINVAL = 22;
const ENOENT = 2;

/** Is `path` a mount point (an entry of /proc/self/mountinfo)? */
export function isMountPoint(path: string): boolean {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length > 4 && unescapeMountPath(f[4]!) === path) return true;
  }
  return false;
}

function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Makes `dir` exist as a private bind mount of itself (idempotent). */
export function ensureNetnsDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (!isMountPoint(dir)) mount(dir, dir, null, MS_BIND);
  mount(null, dir, null, MS_PRIVATE);
}

/** Creates the namespace file `path` (in a dir made by `ensureNetnsDir`), loopback up. */
export async function createNetns(path: string): Promise<void> {
  if (existsSync(path) && isMountPoint(path)) return;
  writeFileSync(path, '', { mode: 0o444 });
  try {
    await run('unshare', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (err) {
    removeNetnsFile(path);
    throw err;
  }
}

/** Unmounts and deletes a namespace file; a missing one is fine. */
export function removeNetnsFile(path: string): void {
  try {
    umount2(path, MNT_DETACH);
  } catch (err) {
    const errno = (err as { errno?: number }).errno;
    if (errno !== EINVAL && errno !== ENOENT && existsSync(path) && isMountPoint(path)) throw err;
  }
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** When `dir` holds no namespace any more, undoes its bind mount and removes it. */
export function releaseNetnsDirIfEmpty(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  if (entries.length > 0) return;
  if (isMountPoint(dir)) {
    try {
      umount2(dir, MNT_DETACH);
    } catch {
      /* raced with another release */
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    /* not empty after all, or gone */
  }
}
