import koffi from 'koffi';
import { closeSync } from 'node:fs';
import { syscallError } from './syscall-error.js';

interface NewMountApi {
  fsopen(fstype: string, flags: number): number;
  fsconfig(fd: number, cmd: number, key: string | null, value: string | null, aux: number): number;
  fsmount(fd: number, flags: number, attrFlags: number): number;
  move_mount(fromFd: number, fromPath: string, toFd: number, toPath: string, flags: number): number;
}

let cached: NewMountApi | undefined;

// Bound apart from the rest of libc: these need glibc 2.36, and only long
// overlay chains use them.
function api(): NewMountApi {
  if (cached) return cached;
  const lib = koffi.load('libc.so.6');
  cached = {
    fsopen: lib.func('int fsopen(const char *fstype, unsigned int flags)'),
    fsconfig: lib.func('int fsconfig(int fd, unsigned int cmd, const char *key, const char *value, int aux)'),
    fsmount: lib.func('int fsmount(int fd, unsigned int flags, unsigned int attr_flags)'),
    move_mount: lib.func('int move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags)'),
  };
  return cached;
}

const FSOPEN_CLOEXEC = 0x1;
const FSMOUNT_CLOEXEC = 0x1;
const FSCONFIG_SET_FLAG = 0;
const FSCONFIG_SET_STRING = 1;
const FSCONFIG_CMD_CREATE = 6;
const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
const AT_FDCWD = -100;
const MOUNT_ATTR_RDONLY = 0x1;

/** One filesystem parameter: `[key]` for a flag, `[key, value]` for a string. */
export type FsParam = [string] | [string, string];

/**
 * Mounts a filesystem through the new mount API (fsopen/fsconfig/fsmount,
 * Linux 5.2+; overlay's `lowerdir+` needs 6.8+). Each parameter goes to the
 * kernel on its own, so no page-size limit applies to the whole option list.
 */
export function fsmount(fstype: string, target: string, params: FsParam[], readonly = false): void {
  const m = api();
  const check = (rc: number, what: string) => {
    if (rc < 0) throw syscallError(what, koffi.errno(), target);
    return rc;
  };
  const fsfd = check(m.fsopen(fstype, FSOPEN_CLOEXEC), `fsopen ${fstype}`);
  try {
    for (const [key, value] of params) {
      if (value === undefined) check(m.fsconfig(fsfd, FSCONFIG_SET_FLAG, key, null, 0), `fsconfig ${key}`);
      else check(m.fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0), `fsconfig ${key}=${value}`);
    }
    check(m.fsconfig(fsfd, FSCONFIG_CMD_CREATE, null, null, 0), 'fsconfig create');
    const mfd = check(m.fsmount(fsfd, FSMOUNT_CLOEXEC, readonly ? MOUNT_ATTR_RDONLY : 0), 'fsmount');
    try {
      check(m.move_mount(mfd, '', AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH), 'move_mount');
    } finally {
      closeSync(mfd);
    }
  } finally {
    closeSync(fsfd);
  }
}
