import { readFile } from 'node:fs/promises';
import koffi from 'koffi';

/**
 * What the monitor needs from the kernel to learn how a container ended: the
 * container's init is a child of `runc create`, which exits, so the monitor
 * makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER) to become
 * init's parent, then waits for that one pid. waitpid blocks, so it runs on
 * koffi's worker thread; it names the pid, so it never reaps the children
 * libuv spawns (libuv also waits by pid).
 */
export interface Reaper {
  /** Makes this process the subreaper of its orphaned descendants. */
  becomeSubreaper(): void;
  /** Resolves with the wait status word of `pid`, a child of this process. */
  waitStatus(pid: number): Promise<number>;
}

const PR_SET_CHILD_SUBREAPER = 36;

export function reaper(): Reaper {
  const lib = koffi.load('libc.so.6');
  const prctl = lib.func('int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)');
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
  return {
    becomeSubreaper() {
      if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) throw new Error(`prctl(PR_SET_CHILD_SUBREAPER): errno ${koffi.errno()}`);
    },
    async waitStatus(pid) {
      for (;;) {
        const status = [0];
        const result = await new Promise<number>((resolve, reject) =>
          waitpid.async(pid, status, 0, (err: unknown, res: number) => (err ? reject(err) : resolve(res))),
        );
        if (result === pid) return status[0]!;
        // errno is the worker thread's and unreadable here: retry (EINTR) while the pid is still our child.
        if (result !== -1 || !(await isChild(pid))) throw new Error(`waitpid(${pid}): not a child of the monitor`);
      }
    },
  };
}

async function isChild(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return ppid === process.pid;
}
