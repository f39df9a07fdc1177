import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciRuntimeOptions } from './oci-runtime.js';

/**
 * The files of one monitor's state directory (`<stateDir>/<id>` for a
 * container, `<stateDir>/<id>/exec/<execId>` for an exec). The driver writes
 * `monitor.json` before it starts the monitor; the monitor writes the rest.
 */
export const MONITOR_RECORD = 'monitor.json';
/** The monitor's own stdout/stderr (its diagnostics). */
export const MONITOR_LOG = 'monitor.log';
export const MONITOR_PID_FILE = 'monitor.pid';
/** Written by the runtime: the container's init pid / the exec'd process's pid. */
export const INIT_PID_FILE = 'init.pid';
export const EXEC_PID_FILE = 'exec.pid';
export const ATTACH_SOCKET = 'attach.sock';
export const EXIT_FILE = 'exit.json';
export const PROCESS_FILE = 'process.json';

/** What the driver records about a monitor before starting it. */
export interface MonitorConfig {
  kind: 'container' | 'exec';
  /** The container's id (an exec's container). */
  id: string;
  execId?: string;
  bundle?: string;
  /** The container's json-file log (containers only). */
  logPath?: string;
  logMaxSize?: number;
  logMaxFiles?: number;
  tty: boolean;
  stdin: boolean;
  stdinOnce: boolean;
  /** This monitor's state directory. */
  dir: string;
  /** The runtime as the monitor runs it: an absolute binary path and its root. */
  runtime: OciRuntimeOptions;
}

/** A monitor found again: its config and what its files say now. */
export interface MonitorRecord extends MonitorConfig {
  monitorPid: number;
  /** The container's init (or the exec'd process) on the host; 0 when not known yet. */
  pid: number;
  attachSocket: string;
  exitFile: string;
}

export async function writeMonitorConfig(config: MonitorConfig): Promise<void> {
  const path = join(config.dir, MONITOR_RECORD);
  await writeFile(`${path}.tmp`, JSON.stringify(config, null, 2) + '\n');
  await rename(`${path}.tmp`, path);
}

/** The record of a state directory; undefined when it holds no monitor config. */
export async function readMonitorRecord(dir: string): Promise<MonitorRecord | undefined> {
  let config: MonitorConfig;
  try {
    config = JSON.parse(await readFile(join(dir, MONITOR_RECORD), 'utf8')) as MonitorConfig;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const monitorPid = await readPid(join(dir, MONITOR_PID_FILE));
  const pid = await readPid(join(dir, config.kind === 'exec' ? EXEC_PID_FILE : INIT_PID_FILE));
  return { ...config, dir, monitorPid, pid, attachSocket: join(dir, ATTACH_SOCKET), exitFile: join(dir, EXIT_FILE) };
}

/** A pid file's number; 0 when the file is missing or empty. */
export async function readPid(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}
