import { errorOf } from '../../lib/errdefs/index.js';
import { libc } from './libc.js';
import { syscallError } from './syscall-error.js';

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_STRICTATIME = 0x1000000;

export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;
export const UMOUNT_NOFOLLOW = 0x8;

/**
 * The most option bytes mount(2) accepts: the kernel copies one page and
 * silently cuts the rest, which for overlay would drop lower layers, so longer
 * data is refused here instead (see `fsmountOverlay` for the way around it).
 */
export const MOUNT_DATA_MAX = 4095;

/** mount(2). `data` is the filesystem-specific option string. */
export function mount(source: string | null, target: string, fstype: string | null, flags: number, data?: string): void {
  const buf = data === undefined || data === '' ? null : Buffer.from(`${data}\0`);
  if (buf !== null && buf.length - 1 > MOUNT_DATA_MAX) {
    throw errorOf('invalid-argument', `mount ${target}: options are ${buf.length - 1} bytes, more than the ${MOUNT_DATA_MAX} mount(2) accepts`);
  }
  const c = libc();
  if (c.mount(source, target, fstype, flags, buf) < 0) throw syscallError('mount', c.errno(), target);
}

/** umount2(2); `flags` such as `MNT_DETACH`. */
export function umount2(target: string, flags = 0): void {
  const c = libc();
  if (c.umount2(target, flags) < 0) throw syscallError('umount2', c.errno(), target);
}
