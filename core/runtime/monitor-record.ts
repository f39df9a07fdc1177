import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciRuntimeOptions } from './oci-runtime.js';

/**
 * What the monitor of one container is given, and what it records in
 * `<stateDir>/<id>/monitor.json` once the container is created: enough for a
 * fresh engine process to find the container, its monitor and its files again.
 */
export interface MonitorConfig {
  id: string;
  bundle: string;
  /** The container's stdout/stderr, in Docker's json-file format. */
  logPath: string;
  /** Where the monitor writes the `ExitRecord`. */
  exitFile: string;
  /** The container's own state directory, `<stateDir>/<id>`. */
  dir: string;
  runtime: OciRuntimeOptions;
}

export interface MonitorRecord extends MonitorConfig {
  monitorPid: number;
  /** The container's init process on the host. */
  pid: number;
  createdAt: string;
}

export const MONITOR_RECORD = 'monitor.json';
export const MONITOR_LOG = 'monitor.log';
export const INIT_PID_FILE = 'init.pid';

export async function writeMonitorRecord(record: MonitorRecord): Promise<void> {
  const path = join(record.dir, MONITOR_RECORD);
  await writeFile(`${path}.tmp`, JSON.stringify(record, null, 2) + '\n');
  await rename(`${path}.tmp`, path);
}

/** The record in a container's state directory; undefined when there is none (yet). */
export async function readMonitorRecord(dir: string): Promise<MonitorRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MONITOR_RECORD), 'utf8')) as MonitorRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
