import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MobyError, errorKinds, type ErrorKind } from '../../lib/errdefs/index.js';
import type { MonitorReport } from './monitor.js';
import { MONITOR_LOG, type MonitorConfig } from './monitor-record.js';
import { OciRuntime, type OciRuntimeOptions } from './oci-runtime.js';

export interface StartContainerOptions {
  id: string;
  /** The bundle directory (config.json + rootfs), as `writeBundle` made it. */
  bundle: string;
  logPath: string;
  exitFile: string;
  /** The engine's runtime state directory; the container's monitor files go in `<stateDir>/<id>`. */
  stateDir: string;
  tty?: boolean;
  stdin?: boolean;
  runtime?: OciRuntimeOptions;
}

export interface StartedContainer {
  /** The container's init process on the host. */
  pid: number;
  /** The monitor process: its own session, it outlives the engine. */
  monitorPid: number;
}

/** The monitor's entry file, beside this one (`.ts` under tsx, `.js` from dist). */
const MONITOR_MAIN = fileURLToPath(new URL(`./monitor-main${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url));

/**
 * Starts a container under a new monitor: the monitor creates it (holding its
 * stdio), reports the init pid, and this function then runs the runtime's
 * `start`. Throws the runtime's error (`OCI runtime create failed: …`) when
 * the container cannot be created or started; nothing is left behind then.
 * Tty and an open stdin are not implemented yet (`not-implemented`).
 */
export async function startContainer(options: StartContainerOptions): Promise<StartedContainer> {
  if (options.tty || options.stdin) throw new MobyError('not-implemented', `container ${options.id}: tty and stdin are not supported yet`);
  const dir = join(options.stateDir, options.id);
  await mkdir(dir, { recursive: true });
  const config: MonitorConfig = { id: options.id, bundle: options.bundle, logPath: options.logPath, exitFile: options.exitFile, dir, runtime: options.runtime ?? {} };
  const { monitorPid, report } = await spawnMonitor(config);
  const runtime = new OciRuntime(config.runtime);
  try {
    if ('error' in report) throw new MobyError(toKind(report.kind), report.error);
    await runtime.start(options.id);
    return { pid: report.pid, monitorPid };
  } catch (err) {
    // The monitor sees init die, deletes the container and exits; a monitor that failed to create has exited already.
    if ('pid' in report) await runtime.kill(options.id, 'KILL').catch(() => undefined);
    else await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function spawnMonitor(config: MonitorConfig): Promise<{ monitorPid: number; report: MonitorReport }> {
  const logFd = openSync(join(config.dir, MONITOR_LOG), 'a');
  const child = spawn(process.execPath, [...process.execArgv, MONITOR_MAIN, JSON.stringify(config)], {
    detached: true,
    cwd: '/',
    stdio: ['ignore', logFd, logFd, 'pipe'],
  });
  closeSync(logFd);
  const monitorPid = child.pid;
  const line = await readLine(child.stdio[3] as Readable);
  child.unref();
  if (monitorPid === undefined || !line) {
    const log = await readFile(join(config.dir, MONITOR_LOG), 'utf8').catch(() => '');
    throw new MobyError('internal', `container ${config.id}: monitor exited before reporting: ${log.trim()}`);
  }
  return { monitorPid, report: JSON.parse(line) as MonitorReport };
}

function readLine(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      stream.destroy();
      resolve(text.split('\n')[0] ?? '');
    };
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) done();
    });
    stream.on('end', done);
    stream.on('error', done);
  });
}

function toKind(kind: string): ErrorKind {
  return (errorKinds as readonly string[]).includes(kind) ? (kind as ErrorKind) : 'internal';
}
