import { libc } from './libc.js';
import { syscallError } from './syscall-error.js';

/** Sets an extended attribute on the path itself, never on a symlink's target. */
export function lsetxattr(path: string, name: string, value: Buffer | string): void {
  const buf = typeof value === 'string' ? Buffer.from(value) : value;
  const c = libc();
  if (c.lsetxattr(path, name, buf, buf.length, 0) < 0) throw syscallError('lsetxattr', c.errno(), `${path} ${name}`);
}

/** Reads an extended attribute; `undefined` when the path has no such attribute. */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const c = libc();
  // The size can change between the probe and the read; retry on ERANGE.
  for (;;) {
    const size = c.lgetxattr(path, name, null, 0);
    if (size < 0) return missingOrThrow('lgetxattr', c.errno(), `${path} ${name}`);
    const buf = Buffer.alloc(size);
    const got = size === 0 ? 0 : c.lgetxattr(path, name, buf, size);
    if (got >= 0) return buf.subarray(0, got);
    if (c.errno() !== ERANGE) return missingOrThrow('lgetxattr', c.errno(), `${path} ${name}`);
  }
}

/** Lists the extended attribute names of the path itself. */
export function llistxattr(path: string): string[] {
  const c = libc();
  for (;;) {
    const size = c.llistxattr(path, null, 0);
    if (size < 0) throw syscallError('llistxattr', c.errno(), path);
    if (size === 0) return [];
    const buf = Buffer.alloc(size);
    const got = c.llistxattr(path, buf, size);
    if (got >= 0) return buf.subarray(0, got).toString('utf8').split('\0').filter((n) => n !== '');
    if (c.errno() !== ERANGE) throw syscallError('llistxattr', c.errno(), path);
  }
}

const ERANGE = 34;
const ENODATA = 61;

function missingOrThrow(syscall: string, errno: number, path: string): undefined {
  if (errno === ENODATA) return undefined;
  throw syscallError(syscall, errno, path);
}
