import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { kindOf } from '../../lib/errdefs/index.js';
import { exitFromWaitStatus, writeExitRecord } from './exit-record.js';
import { JsonFileLog, type LogStream } from './json-file-log.js';
import { INIT_PID_FILE, writeMonitorRecord, type MonitorConfig } from './monitor-record.js';
import { OciRuntime } from './oci-runtime.js';
import { reaper } from './reaper.js';

/** The monitor's one message to the process that started it (on fd 3), then it goes quiet. */
export type MonitorReport = { pid: number } | { error: string; kind: string };

/**
 * The life of one container's monitor: create the container holding its stdio
 * as pipes, report the init pid (or the runtime's error) through `report`,
 * copy output to the json-file log until the container exits, delete the
 * container from the runtime, and finally write the exit record — so an exit
 * record means the log is complete and the runtime has forgotten the container.
 * The engine runs `start` itself; the monitor only waits.
 */
export async function runMonitor(config: MonitorConfig, report: (message: MonitorReport) => void): Promise<void> {
  const reap = reaper();
  reap.becomeSubreaper();
  const runtime = new OciRuntime(config.runtime);
  const pidFile = join(config.dir, INIT_PID_FILE);
  const proc = runtime.spawnCreate(config.id, config.bundle, { pidFile }, ['ignore', 'pipe', 'pipe']);
  try {
    await proc.created;
  } catch (err) {
    report({ error: (err as Error).message, kind: kindOf(err) });
    return;
  }
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  const log = new JsonFileLog(config.logPath);
  const copied = Promise.all([copy(proc.stdout!, 'stdout', log), copy(proc.stderr!, 'stderr', log)]);
  const exited = reap.waitStatus(pid);
  await writeMonitorRecord({ ...config, monitorPid: process.pid, pid, createdAt: new Date().toISOString() });
  report({ pid });
  const status = await exited;
  const record = exitFromWaitStatus(status, new Date());
  // Init's death kills the pid namespace, so the pipes end; with the host's pid namespace a leftover holder would delay this.
  await copied;
  await log.close();
  await runtime.delete(config.id, { force: true }).catch((err: Error) => console.error(`monitor: delete ${config.id}: ${err.message}`));
  await writeExitRecord(config.exitFile, record);
}

function copy(stream: Readable, name: LogStream, log: JsonFileLog): Promise<void> {
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => log.write(name, chunk));
    stream.on('end', () => {
      log.flush(name);
      resolve();
    });
    stream.on('error', () => resolve());
  });
}
