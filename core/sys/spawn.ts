import koffi from 'koffi';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { syscallError } from './syscall-error.js';

/**
 * Starting a process without `fork(2)`: glibc's `posix_spawn` (clone with CLONE_VM |
 * CLONE_VFORK). Node's `child_process.spawn` forks, copying the engine's page tables, and does
 * so synchronously on the event loop: 10–30 ms per process on small VMs, on every container
 * start (the monitor, `runc start`) and exec (its monitor). This costs about 1 ms whatever the
 * engine's size.
 *
 * The child is not known to libuv: the caller reaps it (`reap`, `exitStatus`). Its stdio are
 * fds the caller gives (`stdio`: the child's fd i is `stdio[i]`; `'pipe'` makes a pipe whose
 * parent end is returned as a stream, `'null'` is /dev/null); every other fd of the engine is
 * close-on-exec. The signal mask is cleared and every signal's disposition reset, as libuv does.
 * A `path` without a slash is looked up on PATH (`posix_spawnp`).
 */
export type SpawnStdio = number | 'pipe' | 'null';

export interface SpawnedProcess {
  pid: number;
  /** The parent ends of the `'pipe'` entries, by child fd (read side: the child writes). */
  pipes: (Readable | undefined)[];
  /** The parent end of a `'pipe'` stdin (fd 0): what is written there, the child reads. */
  stdin?: Writable;
}

interface SpawnLib {
  posix_spawn(pid: number[], path: string, fileActions: Buffer, attr: Buffer, argv: (string | null)[], envp: (string | null)[]): number;
  posix_spawnp(pid: number[], file: string, fileActions: Buffer, attr: Buffer, argv: (string | null)[], envp: (string | null)[]): number;
  fa_init(fa: Buffer): number;
  fa_destroy(fa: Buffer): number;
  fa_adddup2(fa: Buffer, fd: number, newfd: number): number;
  fa_addopen(fa: Buffer, fd: number, path: string, flags: number, mode: number): number;
  attr_init(attr: Buffer): number;
  attr_destroy(attr: Buffer): number;
  attr_setflags(attr: Buffer, flags: number): number;
  attr_setsigmask(attr: Buffer, set: Buffer): number;
  attr_setsigdefault(attr: Buffer, set: Buffer): number;
  sigemptyset(set: Buffer): number;
  sigfillset(set: Buffer): number;
  pipe2(fds: Buffer, flags: number): number;
  waitpid(pid: number, status: number[], options: number): number;
  errno(): number;
}

let cached: SpawnLib | undefined;
function lib(): SpawnLib {
  if (cached) return cached;
  const c = koffi.load('libc.so.6');
  const fn = (decl: string) => c.func(decl);
  cached = {
    posix_spawn: fn('int posix_spawn(_Out_ int *pid, const char *path, void *fa, void *attr, const char **argv, const char **envp)'),
    posix_spawnp: fn('int posix_spawnp(_Out_ int *pid, const char *file, void *fa, void *attr, const char **argv, const char **envp)'),
    fa_init: fn('int posix_spawn_file_actions_init(void *fa)'),
    fa_destroy: fn('int posix_spawn_file_actions_destroy(void *fa)'),
    fa_adddup2: fn('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)'),
    fa_addopen: fn('int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int flags, uint32_t mode)'),
    attr_init: fn('int posix_spawnattr_init(void *attr)'),
    attr_destroy: fn('int posix_spawnattr_destroy(void *attr)'),
    attr_setflags: fn('int posix_spawnattr_setflags(void *attr, short flags)'),
    attr_setsigmask: fn('int posix_spawnattr_setsigmask(void *attr, const void *set)'),
    attr_setsigdefault: fn('int posix_spawnattr_setsigdefault(void *attr, const void *set)'),
    sigemptyset: fn('int sigemptyset(void *set)'),
    sigfillset: fn('int sigfillset(void *set)'),
    pipe2: fn('int pipe2(void *fds, int flags)'),
    waitpid: fn('int waitpid(int pid, _Out_ int *status, int options)'),
    errno: () => koffi.errno(),
  };
  return cached;
}

const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const O_CLOEXEC = 0o2000000;
const O_RDWR = 2;
const WNOHANG = 1;
const ECHILD = 10;

/** Starts `path` (absolute: no PATH search) with `args` (argv[0] included). Throws on failure to start. */
export function spawnFast(path: string, args: string[], options: { stdio: SpawnStdio[]; setsid?: boolean; env?: NodeJS.ProcessEnv }): SpawnedProcess {
  const c = lib();
  // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128 (x86_64, arm64): room to spare.
  const fa = Buffer.alloc(256);
  const attr = Buffer.alloc(1024);
  const sigs = Buffer.alloc(256);
  const parentEnds: number[] = [];
  const childEnds: number[] = [];
  const pipes: (Readable | undefined)[] = [];
  c.fa_init(fa);
  c.attr_init(attr);
  try {
    options.stdio.forEach((io, fd) => {
      if (io === 'null') c.fa_addopen(fa, fd, '/dev/null', O_RDWR, 0);
      else if (io === 'pipe') {
        const fds = Buffer.alloc(8);
        if (c.pipe2(fds, O_CLOEXEC) < 0) throw syscallError('pipe2', c.errno(), path);
        const [r, w] = [fds.readInt32LE(0), fds.readInt32LE(4)];
        // fd 0 is the child's input: it reads, the parent writes; any other fd the other way.
        parentEnds.push(fd === 0 ? w : r);
        childEnds.push(fd === 0 ? r : w);
        c.fa_adddup2(fa, fd === 0 ? r : w, fd);
      } else c.fa_adddup2(fa, io, fd);
    });
    c.sigemptyset(sigs);
    c.attr_setsigmask(attr, sigs);
    c.sigfillset(sigs);
    c.attr_setsigdefault(attr, sigs);
    c.attr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (options.setsid ? POSIX_SPAWN_SETSID : 0));
    const env = Object.entries(options.env ?? process.env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const pid = [0];
    const rc = (path.includes('/') ? c.posix_spawn : c.posix_spawnp)(pid, path, fa, attr, [...args, null], [...env, null]);
    if (rc !== 0) throw syscallError('posix_spawn', rc, path);
    let p = 0;
    let stdin: Writable | undefined;
    options.stdio.forEach((io, fd) => {
      if (io !== 'pipe') return;
      const end = parentEnds[p++]!;
      if (fd === 0) stdin = new Socket({ fd: end, readable: false, writable: true });
      else pipes[fd] = new Socket({ fd: end, readable: true, writable: false });
    });
    parentEnds.length = 0;
    return { pid: pid[0]!, pipes, ...(stdin ? { stdin } : {}) };
  } finally {
    for (const fd of childEnds) closeSync(fd);
    for (const fd of parentEnds) closeSync(fd);
    c.fa_destroy(fa);
    c.attr_destroy(attr);
  }
}

/** How a reaped child ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: number | null;
}

/** Reaps `pid` if it has exited (`waitpid` WNOHANG); undefined while it runs. A pid that is not our child counts as gone. */
export function reap(pid: number): ExitStatus | undefined {
  const c = lib();
  const status = [0];
  const rc = c.waitpid(pid, status, WNOHANG);
  if (rc === 0) return undefined;
  if (rc < 0) {
    const errno = c.errno();
    if (errno === ECHILD) return { code: null, signal: null };
    throw syscallError('waitpid', errno, String(pid));
  }
  const s = status[0]!;
  return (s & 0x7f) === 0 ? { code: (s >> 8) & 0xff, signal: null } : { code: null, signal: s & 0x7f };
}

/**
 * Resolves once `pid` (our child) has exited and is reaped. Checks at once, then with a short,
 * growing interval (1 ms up to `maxIntervalMs`): callers wait for children that are exiting
 * (their pipes have ended), so the first checks almost always find it, or pass a small bound
 * for a child whose exit is the only sign (one polling waitpid is about a microsecond).
 */
export async function exitStatus(pid: number, maxIntervalMs = 50): Promise<ExitStatus> {
  let wait = 1;
  for (;;) {
    const status = reap(pid);
    if (status) return status;
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, maxIntervalMs);
  }
}
