import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { errorOf } from '../../lib/errdefs/index.js';
import { exitStatus, spawnFast, type SpawnedProcess } from '../sys/spawn.js';
import { monitorBinary } from './monitor-binary.js';
import { MONITOR_LOG, MONITOR_PID_FILE, readPid, type MonitorConfig } from './monitor-record.js';
import { runtimeError } from './runtime-error.js';

/** The monitor's one report on its sync pipe (see moby-monitor.c). */
export type MonitorReport = { status: 'ready'; pid: number } | { status: 'waiting' };

export interface SpawnedMonitor {
  monitorPid: number;
  report: MonitorReport;
}

/**
 * The argv of `moby-monitor` for a config (everything is a flag; the monitor
 * parses no JSON). `processFile` makes it an exec monitor.
 */
export function monitorArgs(config: MonitorConfig, options: { processFile?: string; waitAttach?: boolean } = {}): string[] {
  const args = ['--id', config.id, '--runtime', config.runtime.binary ?? 'runc', '--state-dir', config.dir, '--sync-fd', '3', '--detach'];
  if (config.runtime.root) args.push('--runtime-root', config.runtime.root);
  if (config.bundle) args.push('--bundle', config.bundle);
  if (config.logPath) {
    args.push('--log-path', config.logPath);
    if (config.logMaxSize !== undefined && config.logMaxSize > 0) args.push('--log-max-size', String(config.logMaxSize));
    if (config.logMaxFiles !== undefined) args.push('--log-max-files', String(config.logMaxFiles));
  }
  if (config.tty) args.push('--tty');
  if (config.stdin) args.push('--stdin');
  if (config.stdinOnce) args.push('--stdin-once');
  if (options.processFile) args.push('--exec', options.processFile);
  if (options.waitAttach) args.push('--wait-attach');
  return args;
}

/**
 * Starts a monitor detached (own session, stdio to `monitor.log`, fd 3 the
 * sync pipe) and waits for its report. Throws the runtime's error as
 * `OCI runtime <op> failed: …` when the runtime failed (the monitor has exited
 * then), `internal` when the monitor failed, `failed-precondition` when the
 * monitor binary is missing.
 *
 * The monitor is started with `posix_spawn` (no fork of the engine: see core/sys/spawn.ts)
 * and `--detach`: the process spawned forks the monitor and exits at once (reaped here), so
 * the monitor is nobody's child here and needs no reaping when it ends.
 */
export async function spawnMonitor(config: MonitorConfig, op: 'create' | 'exec', args: string[]): Promise<SpawnedMonitor> {
  const binary = monitorBinary();
  const logFd = openSync(join(config.dir, MONITOR_LOG), 'a');
  let child: SpawnedProcess;
  try {
    child = spawnFast(binary, [binary, ...args], { stdio: ['null', logFd, logFd, 'pipe'], setsid: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw errorOf('failed-precondition', `container ${config.id}: the monitor binary ${binary} is missing: build it with core/runtime/monitor/build.sh ${binary}`);
    throw errorOf('internal', `container ${config.id}: cannot start the monitor ${binary}: ${(err as Error).message}`);
  } finally {
    closeSync(logFd);
  }
  const first = exitStatus(child.pid);
  const text = await readAll(child.pipes[3]!);
  const firstExit = await first;
  const newline = text.indexOf('\n');
  const head = newline < 0 ? text : text.slice(0, newline);
  const rest = newline < 0 ? '' : text.slice(newline + 1);
  const monitorPid = await readPid(join(config.dir, MONITOR_PID_FILE));
  if (head.startsWith('ready ')) return { monitorPid, report: { status: 'ready', pid: Number(head.slice(6)) } };
  if (head === 'waiting') return { monitorPid, report: { status: 'waiting' } };
  // The monitor failed and exits: wait for it so that nothing is left behind.
  if (monitorPid > 0) await gone(monitorPid, 5000);
  if (head === 'error runtime') throw runtimeError(op, rest);
  if (head === 'error monitor') throw errorOf('internal', `container ${config.id}: ${rest.trim()}`);
  const log = await readFile(join(config.dir, MONITOR_LOG), 'utf8').catch(() => '');
  throw errorOf('internal', `container ${config.id}: the monitor exited without a report: ${log.trim() || `exit ${firstExit.code ?? firstExit.signal}`}`);
}

/** An absolute path for the runtime binary (the monitor execs it without a PATH search). */
export function resolveBinary(binary: string): string {
  if (binary.includes('/')) return isAbsolute(binary) ? binary : join(process.cwd(), binary);
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return binary;
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const done = () => resolve(text);
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/** Resolves once `pid` has gone (or is a zombie), or after `timeoutMs` (then it is killed). */
async function gone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let wait = 1;
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // A recycled pid would not be a moby-monitor: only ours is waited for (`(moby-monitor) <state>`).
    if (!stat || !stat.includes('(moby-monitor)') || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    if (Date.now() >= deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 50);
  }
}
