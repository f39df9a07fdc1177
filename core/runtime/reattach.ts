import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isKind } from '../../lib/errdefs/index.js';
import { readExitRecord, type ExitRecord } from './exit-record.js';
import { readMonitorRecord, type MonitorRecord } from './monitor-record.js';
import { OciRuntime, type RuntimeState } from './oci-runtime.js';

/** One container found again in the state directory. */
export interface ReattachedContainer {
  record: MonitorRecord;
  /** The monitor is still running (checked by pid and command line, not by pid alone). */
  monitorAlive: boolean;
  /** The runtime's view; undefined once the monitor has deleted the container. */
  state?: RuntimeState;
  /** Present once the container has exited and the monitor has finished. */
  exit?: ExitRecord;
}

/**
 * What a fresh engine process learns from the state directory alone: every
 * container a monitor created, whether that monitor lives, the runtime's state
 * (same init pid as before the restart) and the exit record if there is one.
 * Directories without a monitor record (a create in flight or failed) are skipped.
 */
export async function reattach(stateDir: string): Promise<ReattachedContainer[]> {
  const names = await readdir(stateDir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  const found: ReattachedContainer[] = [];
  for (const name of names.sort()) {
    const record = await readMonitorRecord(join(stateDir, name));
    if (!record) continue;
    const runtime = new OciRuntime(record.runtime);
    const state = await runtime.state(record.id).catch((err: unknown) => (isKind(err, 'not-found') ? undefined : Promise.reject(err)));
    const exit = await readExitRecord(record.exitFile);
    const monitorAlive = await isMonitor(record.monitorPid, record.id);
    found.push({ record, monitorAlive, ...(state ? { state } : {}), ...(exit ? { exit } : {}) });
  }
  return found;
}

/** True when `pid` is a live monitor of container `id` (guards against pid reuse). */
export async function isMonitor(pid: number, id: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  return args.some((a) => /monitor-main\.[jt]s$/.test(a)) && args.some((a) => a.includes(`"id":${JSON.stringify(id)}`));
}
