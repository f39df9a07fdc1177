import { errorOf } from '../../lib/errdefs/index.js';
import {
  fsmount, mount, umount2, MNT_DETACH, SyscallError, type FsParam, MOUNT_DATA_MAX,
  MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID,
  MS_PRIVATE, MS_RDONLY, MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_STRICTATIME, MS_SYNCHRONOUS,
} from '../sys/index.js';
import type { Mount } from './snapshotter.js';

// [clear?, flag]: `rw` clears MS_RDONLY, `ro` sets it, as mount(8) reads them.
const flagOptions: Record<string, [boolean, number]> = {
  ro: [false, MS_RDONLY], rw: [true, MS_RDONLY],
  bind: [false, MS_BIND], rbind: [false, MS_BIND | MS_REC],
  nosuid: [false, MS_NOSUID], suid: [true, MS_NOSUID],
  nodev: [false, MS_NODEV], dev: [true, MS_NODEV],
  noexec: [false, MS_NOEXEC], exec: [true, MS_NOEXEC],
  sync: [false, MS_SYNCHRONOUS], async: [true, MS_SYNCHRONOUS],
  dirsync: [false, MS_DIRSYNC], remount: [false, MS_REMOUNT],
  mand: [false, MS_MANDLOCK], nomand: [true, MS_MANDLOCK],
  noatime: [false, MS_NOATIME], atime: [true, MS_NOATIME],
  nodiratime: [false, MS_NODIRATIME], diratime: [true, MS_NODIRATIME],
  relatime: [false, MS_RELATIME], norelatime: [true, MS_RELATIME],
  strictatime: [false, MS_STRICTATIME], nostrictatime: [true, MS_STRICTATIME],
};

const propagationOptions: Record<string, number> = {
  private: MS_PRIVATE, rprivate: MS_PRIVATE | MS_REC,
  slave: MS_SLAVE, rslave: MS_SLAVE | MS_REC,
  shared: MS_SHARED, rshared: MS_SHARED | MS_REC,
};

interface ParsedOptions {
  flags: number;
  propagation: number;
  data: string[];
}

/** Splits mount options into mount(2) flags, propagation flags and filesystem data. */
export function parseMountOptions(options: readonly string[]): ParsedOptions {
  const parsed: ParsedOptions = { flags: 0, propagation: 0, data: [] };
  for (const option of options) {
    const flag = flagOptions[option];
    const propagation = propagationOptions[option];
    if (flag) parsed.flags = flag[0] ? parsed.flags & ~flag[1] : parsed.flags | flag[1];
    else if (propagation !== undefined) parsed.propagation |= propagation;
    else parsed.data.push(option);
  }
  return parsed;
}

/**
 * Performs the mounts in order on `target`. On failure the mounts already
 * made are undone, so the target is left as it was.
 */
export async function mountAll(mounts: readonly Mount[], target: string): Promise<void> {
  let done = 0;
  try {
    for (const m of mounts) {
      mountOne(m, target);
      done++;
    }
  } catch (err) {
    for (; done > 0; done--) umount2(target, 0);
    throw err;
  }
}

function mountOne(m: Mount, target: string): void {
  const { flags, propagation, data } = parseMountOptions(m.options);
  const joined = data.join(',');
  const bind = (flags & MS_BIND) !== 0 || m.type === 'bind';
  if (m.type === 'overlay' && joined.length > MOUNT_DATA_MAX) {
    overlayByParams(target, data, flags);
  } else {
    // A bind mount ignores every flag but MS_REC on creation; the rest needs a remount.
    mount(m.source, target, bind ? null : m.type, bind ? (flags | MS_BIND) & ~MS_RDONLY : flags, joined);
  }
  try {
    if (bind && (flags & ~(MS_BIND | MS_REC)) !== 0) {
      mount(null, target, null, (flags & ~MS_REC) | MS_BIND | MS_REMOUNT, joined);
    }
    if (propagation !== 0) mount(null, target, null, propagation);
  } catch (err) {
    umount2(target, 0);
    throw err;
  }
}

// Long lower chains go through fsconfig one layer at a time ("lowerdir+",
// Linux 6.8+), since mount(2) takes at most one page of options.
function overlayByParams(target: string, data: string[], flags: number): void {
  if ((flags & ~MS_RDONLY) !== 0) {
    throw errorOf('not-implemented', `mount overlay ${target}: flags other than ro with options past ${MOUNT_DATA_MAX} bytes`);
  }
  const params: FsParam[] = [];
  for (const option of data) {
    const eq = option.indexOf('=');
    if (eq < 0) params.push([option]);
    else if (option.slice(0, eq) === 'lowerdir') {
      for (const dir of option.slice(eq + 1).split(':')) params.push(['lowerdir+', dir]);
    } else params.push([option.slice(0, eq), option.slice(eq + 1)]);
  }
  fsmount('overlay', target, params, (flags & MS_RDONLY) !== 0);
}

/**
 * Unmounts everything mounted on `target`, innermost first; a target with
 * nothing mounted (or missing) is fine, so cleanup code can call it blindly.
 */
export async function unmount(target: string, opts: { detach?: boolean } = {}): Promise<void> {
  for (;;) {
    try {
      umount2(target, opts.detach ? MNT_DETACH : 0);
    } catch (err) {
      if (err instanceof SyscallError && (err.code === 'EINVAL' || err.code === 'ENOENT')) return;
      throw err;
    }
  }
}
