import { libc } from './libc.js';
import { syscallError } from './syscall-error.js';

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;

/** A timestamp with nanoseconds, as tar PAX headers and utimensat carry them. */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** glibc's makedev: the dev_t for a device number pair. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** Creates a device node or FIFO; `mode` holds the file type bits and the permissions. */
export function mknod(path: string, mode: number, dev: bigint = 0n): void {
  const c = libc();
  if (c.mknod(path, mode, dev) < 0) throw syscallError('mknod', c.errno(), path);
}

/** Changes owner without following a final symlink. */
export function lchown(path: string, uid: number, gid: number): void {
  const c = libc();
  if (c.lchown(path, uid, gid) < 0) throw syscallError('lchown', c.errno(), path);
}

/** Sets access and modification times with nanoseconds, without following a final symlink. */
export function lutimes(path: string, atime: Timespec, mtime: Timespec): void {
  const times = Buffer.alloc(32);
  times.writeBigInt64LE(BigInt(atime.sec), 0);
  times.writeBigInt64LE(BigInt(atime.nsec), 8);
  times.writeBigInt64LE(BigInt(mtime.sec), 16);
  times.writeBigInt64LE(BigInt(mtime.nsec), 24);
  const c = libc();
  if (c.utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) < 0) throw syscallError('utimensat', c.errno(), path);
}
