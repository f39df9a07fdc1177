export { libc, type Libc } from './libc.js';
export { SyscallError, syscallError } from './syscall-error.js';
export * from './mount.js';
export { fsmount, type FsParam } from './fsmount.js';
export { lsetxattr, lgetxattr, llistxattr } from './xattr.js';
export { mknod, makedev, lchown, lutimes, S_IFIFO, S_IFCHR, S_IFBLK, type Timespec } from './file.js';
export { spawnFast, reap, exitStatus, type SpawnedProcess, type SpawnStdio, type ExitStatus } from './spawn.js';
