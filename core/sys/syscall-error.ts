import { constants } from 'node:os';
import { MobyError, type ErrorKind } from '../../lib/errdefs/index.js';

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, num]) => [num, name]),
);

const kindByCode: Record<string, ErrorKind> = {
  ENOENT: 'not-found',
  EEXIST: 'already-exists',
  EPERM: 'permission-denied',
  EACCES: 'permission-denied',
  EINVAL: 'invalid-argument',
  ENOTSUP: 'not-implemented',
  EOPNOTSUPP: 'not-implemented',
  EBUSY: 'failed-precondition',
  ENOTEMPTY: 'failed-precondition',
};

/**
 * A failed system call. `code` is the errno name (`EPERM`), as Node's own fs
 * errors carry it, so callers can branch on it; the kind follows from it for
 * callers that only care about the category.
 */
export class SyscallError extends MobyError {
  constructor(
    readonly syscall: string,
    readonly code: string,
    readonly errno: number,
    readonly path: string,
  ) {
    super(kindByCode[code] ?? 'internal', `${syscall} ${path}: ${code}`);
  }
}

export function syscallError(syscall: string, errno: number, path: string): SyscallError {
  return new SyscallError(syscall, errnoNames.get(errno) ?? `errno ${errno}`, errno, path);
}
