/**
 * Runs a helper program (netavark, iptables, unshare…) and collects its output. Resolves on
 * the process's exit, not on its pipes closing: netavark starts aardvark-dns, which may keep
 * an inherited descriptor open long after netavark is gone.
 */
import { errorOf } from '../../lib/errdefs/index.js';
import { exitStatus, spawnFast, type SpawnedProcess } from '../sys/spawn.js';

export interface RunResult {
  stdout: string;
  stderr: string;
}

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/**
 * Started without fork (core/sys/spawn.ts: Node's spawn forks the engine on the event loop,
 * 10-30 ms a time, and a bridged container's start and exit run several helpers). Its exit is
 * watched with waitpid every few ms: the pipes may outlive it (aardvark-dns).
 */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  let child: SpawnedProcess;
  try {
    child = spawnFast(cmd, [cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
  } catch (e) {
    return Promise.reject(errorOf('internal', `${cmd}: ${(e as Error).message}`, e));
  }
  return new Promise((resolve, reject) => {
    const stdoutStream = child.pipes[1]!;
    const stderrStream = child.pipes[2]!;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdoutStream.on('data', (b: Buffer) => out.push(b));
    stderrStream.on('data', (b: Buffer) => err.push(b));
    stdoutStream.on('error', () => undefined);
    stderrStream.on('error', () => undefined);
    let exited: { code: number | null; signal: string | null } | undefined;
    let outEnded = false;
    let errEnded = false;
    let settled = false;
    const finish = () => {
      if (settled || !exited) return;
      settled = true;
      clearTimeout(grace);
      stdoutStream.destroy();
      stderrStream.destroy();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const { code, signal } = exited;
      if (code === 0) resolve({ stdout, stderr });
      else {
        const why = stderr.trim() || stdout.trim() || (signal ? `killed by ${signal}` : `exit status ${code}`);
        reject(errorOf('internal', `${cmd} ${args[0] ?? ''}: ${why}`));
      }
    };
    let grace: NodeJS.Timeout | undefined;
    stdoutStream.on('end', () => {
      outEnded = true;
      if (errEnded) finish();
    });
    stderrStream.on('end', () => {
      errEnded = true;
      if (outEnded) finish();
    });
    void exitStatus(child.pid, 5).then((status) => {
      exited = { code: status.code, signal: status.signal === null ? null : (SIGNAL_NAMES[status.signal] ?? `signal ${status.signal}`) };
      if (outEnded && errEnded) finish();
      // A daemonized grandchild (aardvark-dns) may hold the pipes: do not wait for it.
      else grace = setTimeout(finish, 50);
    });
    child.stdin?.on('error', () => {
      /* the child did not read its input; its exit status tells */
    });
    child.stdin?.end(opts.input ?? '');
  });
}
