import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpecDevice } from './oci-types.js';

/** Directories under /dev that hold no device of the host's own (containerd's `HostDevices`). */
const SKIPPED_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/**
 * The host's character and block devices under `root` (default /dev), for a
 * privileged container; symlinks and /dev/console are left out.
 */
export async function listHostDevices(root = '/dev'): Promise<SpecDevice[]> {
  const devices: SpecDevice[] = [];
  await walk(root, root, devices);
  return devices;
}

async function walk(root: string, dir: string, out: SpecDevice[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walk(root, path, out);
    } else if ((entry.isCharacterDevice() || entry.isBlockDevice()) && path !== join(root, 'console')) {
      const device = await deviceAt(path, entry.isCharacterDevice() ? 'c' : 'b');
      if (device) out.push({ ...device, path: '/dev' + path.slice(root.length) });
    }
  }
}

async function deviceAt(path: string, type: 'c' | 'b'): Promise<SpecDevice | undefined> {
  const stat = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!stat) return undefined;
  const { major, minor } = splitDeviceNumber(stat.rdev);
  return { type, path, major, minor, fileMode: Number(stat.mode & 0o777n), uid: Number(stat.uid), gid: Number(stat.gid) };
}

/** glibc's `major()`/`minor()` on a 64-bit `dev_t`. */
export function splitDeviceNumber(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}
