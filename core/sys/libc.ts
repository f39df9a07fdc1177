import koffi from 'koffi';

/**
 * The libc functions Moby Core calls directly, as bound by koffi. Each returns
 * the raw C result; callers read `errno()` right after a negative result,
 * before any other FFI call can overwrite it.
 */
export interface Libc {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: Buffer | null): number;
  umount2(target: string, flags: number): number;
  lsetxattr(path: string, name: string, value: Buffer, size: number, flags: number): number;
  lgetxattr(path: string, name: string, value: Buffer | null, size: number): number;
  llistxattr(path: string, list: Buffer | null, size: number): number;
  mknod(path: string, mode: number, dev: bigint): number;
  lchown(path: string, uid: number, gid: number): number;
  utimensat(dirfd: number, path: string, times: Buffer, flags: number): number;
  errno(): number;
}

let cached: Libc | undefined;

/**
 * Binds libc on first use. The handle and function bindings are immutable and
 * process-wide by nature (dlopen is refcounted per process), so they are bound
 * once and shared; nothing happens at import time.
 */
export function libc(): Libc {
  cached ??= bindLibc();
  return cached;
}

function bindLibc(): Libc {
  const lib = koffi.load('libc.so.6');
  const fn = (decl: string) => lib.func(decl);
  return {
    mount: fn('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)'),
    umount2: fn('int umount2(const char *target, int flags)'),
    lsetxattr: fn('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
    lgetxattr: fn('long lgetxattr(const char *path, const char *name, void *value, size_t size)'),
    llistxattr: fn('long llistxattr(const char *path, void *list, size_t size)'),
    mknod: fn('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
    lchown: fn('int lchown(const char *path, uint32_t uid, uint32_t gid)'),
    utimensat: fn('int utimensat(int dirfd, const char *path, const void *times, int flags)'),
    errno: () => koffi.errno(),
  };
}
