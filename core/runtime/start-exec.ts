import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorOf } from '../../lib/errdefs/index.js';
import { ATTACH_SOCKET, EXIT_FILE, PROCESS_FILE, writeMonitorConfig, type MonitorConfig } from './monitor-record.js';
import { monitorArgs, resolveBinary, spawnMonitor } from './monitor-process.js';
import { stateDirName } from './start-container.js';
import type { OciRuntimeOptions } from './oci-runtime.js';

/** The OCI process spec of an exec (`runc exec --process`); `terminal` is set from `tty`. */
export interface ExecProcess {
  args: string[];
  env?: string[];
  cwd: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  [key: string]: unknown;
}

export interface StartExecOptions {
  /** The container the process runs in. */
  id: string;
  execId: string;
  process: ExecProcess;
  /** The engine's runtime state directory; the exec's files go in `<stateDir>/<id>/exec/<execId>`. */
  stateDir: string;
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  /** Do not start the process before the first attach client connects (docker exec: create, attach, start). */
  waitAttach?: boolean;
  runtime?: OciRuntimeOptions;
}

export interface StartedExec {
  /** The process on the host; undefined while a `waitAttach` exec waits for its client. */
  pid?: number;
  monitorPid: number;
  attachSocket: string;
  stateDir: string;
  /** The `ExitRecord`; its `error` is set when the runtime could not start a `waitAttach` exec. */
  exitFile: string;
}

/**
 * Runs a process in a running container under its own monitor
 * (`runc exec -d`). Without `waitAttach` it resolves once the process runs
 * and throws the runtime's error (`OCI runtime exec failed: …`) otherwise;
 * with `waitAttach` it resolves once the monitor listens, and the process
 * starts when the first client attaches (an error then lands in the exit record).
 */
export async function startExec(options: StartExecOptions): Promise<StartedExec> {
  if (!options.execId || options.execId.includes('/')) throw errorOf('invalid-argument', `invalid exec id ${JSON.stringify(options.execId)}`);
  const dir = join(resolve(options.stateDir), stateDirName(options.id), 'exec', stateDirName(options.execId));
  await mkdir(dir, { recursive: true });
  const config: MonitorConfig = {
    kind: 'exec',
    id: options.id,
    execId: options.execId,
    tty: options.tty ?? false,
    stdin: options.stdin ?? false,
    stdinOnce: options.stdinOnce ?? false,
    dir,
    runtime: { ...options.runtime, binary: resolveBinary(options.runtime?.binary ?? 'runc') },
  };
  try {
    const processFile = join(dir, PROCESS_FILE);
    await writeFile(processFile, JSON.stringify({ ...options.process, terminal: config.tty }));
    await writeMonitorConfig(config);
    const { monitorPid, report } = await spawnMonitor(config, 'exec', monitorArgs(config, { processFile, waitAttach: options.waitAttach ?? false }));
    return {
      ...(report.status === 'ready' ? { pid: report.pid } : {}),
      monitorPid,
      attachSocket: join(dir, ATTACH_SOCKET),
      stateDir: dir,
      exitFile: join(dir, EXIT_FILE),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
