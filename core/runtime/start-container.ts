import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import { ATTACH_SOCKET, EXIT_FILE, writeMonitorConfig, type MonitorConfig } from './monitor-record.js';
import { monitorArgs, resolveBinary, spawnMonitor } from './monitor-process.js';
import type { OciRuntimeOptions } from './oci-runtime.js';

export interface StartContainerOptions {
  id: string;
  /** The bundle directory (config.json + rootfs), as `writeBundle` made it. */
  bundle: string;
  /** The engine's runtime state directory; the container's monitor files go in `<stateDir>/<id>`. */
  stateDir: string;
  /** The container's json-file log; no log when absent. */
  logPath?: string;
  /** json-file `max-size` in bytes (rotation when reached); unlimited when absent. */
  logMaxSize?: number;
  /** json-file `max-file`: files kept in all (log, log.1, …); 1 by default. */
  logMaxFiles?: number;
  /** The bundle's `process.terminal`: the monitor receives the pty master from the runtime. */
  tty?: boolean;
  /** Keep the process's stdin open, fed by attach clients. */
  stdin?: boolean;
  /** Close stdin when the first attach client detaches (Docker's StdinOnce). */
  stdinOnce?: boolean;
  runtime?: OciRuntimeOptions;
}

export interface StartedContainer {
  /** The container's init process on the host (created, not started). */
  pid: number;
  /** The monitor process: its own session, it outlives the engine. */
  monitorPid: number;
  /** The monitor's attach socket (Docker's multiplexed stream, see `attach`). */
  attachSocket: string;
  /** The container's own state directory, `<stateDir>/<id>`. */
  stateDir: string;
  /** Where the monitor writes the `ExitRecord` (`waitExit(exitFile)`). */
  exitFile: string;
}

/**
 * Creates a container under a new `moby-monitor`: the monitor runs the
 * runtime's `create` holding the container's stdio (or its pty), and this
 * resolves once the container is created — not started. Attach clients may
 * connect now; the engine then runs `new OciRuntime(runtime).start(id)`.
 * Throws the runtime's error (`OCI runtime create failed: …`) when the
 * container cannot be created; the monitor has exited and the state
 * directory is removed then.
 */
export async function startContainer(options: StartContainerOptions): Promise<StartedContainer> {
  if (!options.id || options.id.includes('/')) throw errorOf('invalid-argument', `invalid container id ${JSON.stringify(options.id)}`);
  const dir = join(resolve(options.stateDir), stateDirName(options.id));
  await mkdir(dir, { recursive: true });
  const config: MonitorConfig = {
    kind: 'container',
    id: options.id,
    bundle: absolute(options.bundle),
    ...(options.logPath ? { logPath: absolute(options.logPath) } : {}),
    ...(options.logMaxSize !== undefined ? { logMaxSize: options.logMaxSize } : {}),
    ...(options.logMaxFiles !== undefined ? { logMaxFiles: options.logMaxFiles } : {}),
    tty: options.tty ?? false,
    stdin: options.stdin ?? false,
    stdinOnce: options.stdinOnce ?? false,
    dir,
    runtime: { ...options.runtime, binary: resolveBinary(options.runtime?.binary ?? 'runc') },
  };
  try {
    await writeMonitorConfig(config);
    const { monitorPid, report } = await spawnMonitor(config, 'create', monitorArgs(config));
    if (report.status !== 'ready') throw errorOf('internal', `container ${options.id}: unexpected monitor report ${report.status}`);
    return { pid: report.pid, monitorPid, attachSocket: join(dir, ATTACH_SOCKET), stateDir: dir, exitFile: join(dir, EXIT_FILE) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

/**
 * A monitor's directory name: the id's first 16 characters (64 random bits). Unix socket paths
 * must fit 108 bytes, and the runtime dials `<dir>/console.sock` by its absolute path; full
 * 64-character ids (and an exec's beneath its container's) would not fit under deep roots.
 */
export function stateDirName(id: string): string {
  return id.length > 16 ? id.slice(0, 16) : id;
}
