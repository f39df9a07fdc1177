import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isKind } from '../../lib/errdefs/index.js';
import { readExitRecord, type ExitRecord } from './exit-record.js';
import { readMonitorRecord, type MonitorRecord } from './monitor-record.js';
import { OciRuntime, type RuntimeState } from './oci-runtime.js';

/** One monitor found again in the state directory. */
export interface ReattachedContainer {
  record: MonitorRecord;
  /** The monitor is still running (checked by pid and command line, not by pid alone). */
  monitorAlive: boolean;
  /** The runtime's view; undefined once the monitor has deleted the container. */
  state?: RuntimeState;
  /** Present once the process has exited and the monitor has finished. */
  exit?: ExitRecord;
  /** The container's execs (`<dir>/exec/<execId>`), each with its own monitor. */
  execs: Array<{ record: MonitorRecord; monitorAlive: boolean; exit?: ExitRecord }>;
}

/**
 * What a fresh engine process learns from the state directory alone: every
 * container a monitor was started for, whether that monitor lives, the
 * runtime's state and the exit record if there is one. Directories without a
 * monitor config are skipped; a directory whose monitor never reported (it
 * died, or the engine died before the report) shows `monitorAlive: false`
 * and no exit.
 */
export async function reattach(stateDir: string): Promise<ReattachedContainer[]> {
  const found: ReattachedContainer[] = [];
  for (const name of (await list(stateDir)).sort()) {
    const record = await readMonitorRecord(join(stateDir, name));
    if (!record || record.kind !== 'container') continue;
    const runtime = new OciRuntime(record.runtime);
    const state = await runtime.state(record.id).catch((err: unknown) => (isKind(err, 'not-found') ? undefined : Promise.reject(err)));
    const execs: ReattachedContainer['execs'] = [];
    for (const execId of (await list(join(record.dir, 'exec'))).sort()) {
      const exec = await readMonitorRecord(join(record.dir, 'exec', execId));
      if (!exec) continue;
      const exit = await readExitRecord(exec.exitFile);
      execs.push({ record: exec, monitorAlive: await isMonitor(exec.monitorPid, exec.id), ...(exit ? { exit } : {}) });
    }
    const exit = await readExitRecord(record.exitFile);
    const monitorAlive = await isMonitor(record.monitorPid, record.id);
    found.push({ record, monitorAlive, ...(state ? { state } : {}), ...(exit ? { exit } : {}), execs });
  }
  return found;
}

/** True when `pid` is a live `moby-monitor` of container `id` (guards against pid reuse). */
export async function isMonitor(pid: number, id: string): Promise<boolean> {
  if (!pid) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  const at = args.indexOf('--id');
  return basename(args[0] ?? '') === 'moby-monitor' && at > 0 && args[at + 1] === id;
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? [] : Promise.reject(err)));
}
