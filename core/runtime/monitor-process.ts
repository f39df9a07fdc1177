import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Readable } from 'node:stream';
import { errorOf } from '../../lib/errdefs/index.js';
import { monitorBinary } from './monitor-binary.js';
import { MONITOR_LOG, type MonitorConfig } from './monitor-record.js';
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
  const args = ['--id', config.id, '--runtime', config.runtime.binary ?? 'runc', '--state-dir', config.dir, '--sync-fd', '3'];
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
 */
export async function spawnMonitor(config: MonitorConfig, op: 'create' | 'exec', args: string[]): Promise<SpawnedMonitor> {
  const binary = monitorBinary();
  const logFd = openSync(join(config.dir, MONITOR_LOG), 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, cwd: '/', stdio: ['ignore', logFd, logFd, 'pipe'] });
  } finally {
    closeSync(logFd);
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  // A failed spawn (no such binary) has no pid; its error event follows.
  const text = child.pid === undefined ? await spawnError : await readAll(child.stdio[3] as Readable);
  if (text instanceof Error) {
    const code = (text as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw errorOf('failed-precondition', `container ${config.id}: the monitor binary ${binary} is missing: build it with core/runtime/monitor/build.sh ${binary}`);
    throw errorOf('internal', `container ${config.id}: cannot start the monitor ${binary}: ${text.message}`);
  }
  const newline = text.indexOf('\n');
  const head = newline < 0 ? text : text.slice(0, newline);
  const rest = newline < 0 ? '' : text.slice(newline + 1);
  const monitorPid = child.pid ?? 0;
  if (head.startsWith('ready ')) {
    child.unref();
    return { monitorPid, report: { status: 'ready', pid: Number(head.slice(6)) } };
  }
  if (head === 'waiting') {
    child.unref();
    return { monitorPid, report: { status: 'waiting' } };
  }
  // The monitor failed and exits: wait for it so that nothing is left behind.
  await exited(child, 5000);
  if (head === 'error runtime') throw runtimeError(op, rest);
  if (head === 'error monitor') throw errorOf('internal', `container ${config.id}: ${rest.trim()}`);
  const log = await readFile(join(config.dir, MONITOR_LOG), 'utf8').catch(() => '');
  throw errorOf('internal', `container ${config.id}: the monitor exited without a report: ${log.trim() || `exit ${child.exitCode ?? child.signalCode}`}`);
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

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
