/**
 * Runs a helper program (netavark, iptables, unshare…) and collects its output. Resolves on
 * the process's exit, not on its pipes closing: netavark starts aardvark-dns, which may keep
 * an inherited descriptor open long after netavark is gone.
 */
import { spawn } from 'node:child_process';
import { errorOf } from '../../lib/errdefs/index.js';

export interface RunResult {
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(errorOf('internal', `${cmd}: ${e.message}`, e)));
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let outEnded = false;
    let errEnded = false;
    let settled = false;
    const finish = () => {
      if (settled || !exited) return;
      settled = true;
      clearTimeout(grace);
      child.stdout.destroy();
      child.stderr.destroy();
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
    child.stdout.on('end', () => {
      outEnded = true;
      if (errEnded) finish();
    });
    child.stderr.on('end', () => {
      errEnded = true;
      if (outEnded) finish();
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      if (outEnded && errEnded) finish();
      // A daemonized grandchild (aardvark-dns) may hold the pipes: do not wait for it.
      else grace = setTimeout(finish, 50);
    });
    child.stdin.on('error', () => {
      /* the child did not read its input; its exit status tells */
    });
    child.stdin.end(opts.input ?? '');
  });
}
