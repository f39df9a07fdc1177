import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, open, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { exitStatus, spawnFast } from '../sys/spawn.js';
import type { Readable, Writable } from 'node:stream';
import { runtimeError } from './runtime-error.js';

/** A container's state as the OCI runtime reports it (`runc state`). */
export interface RuntimeState {
  id: string;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  /** The container's init process on the host; 0 once stopped. */
  pid: number;
  bundle: string;
  created?: string;
  annotations?: Record<string, string>;
}

export interface CreateOptions {
  /** Where the runtime writes the init pid (required: the monitor reads it). */
  pidFile: string;
  /** A unix socket that receives the pty master, for a container with a terminal. */
  consoleSocket?: string;
  noPivot?: boolean;
}

/** The stdio a `create` hands to the container's init process. */
export type CreateStdio = ['ignore' | 'pipe', 'ignore' | 'pipe', 'ignore' | 'pipe'];

export interface CreatedProcess {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Resolves once the container is created; rejects with the runtime's message. */
  created: Promise<void>;
}

/** One process of a container, read from /proc (`top`). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The process state letter (R, S, D, Z, T…). */
  state: string;
  /** The command line, arguments joined by spaces (the name in brackets when empty). */
  command: string;
}

export interface OciRuntimeOptions {
  /** The runtime binary: `runc` (found on PATH) by default; `crun` takes the same commands. */
  binary?: string;
  /** The runtime's state root (`--root`); the runtime's default when absent. */
  root?: string;
}

/**
 * A thin driver of an OCI runtime binary. Each method runs one runtime command;
 * a failure throws `MobyError` with the runtime's message (`OCI runtime create
 * failed: …`), kind `not-found` for an unknown container, `failed-precondition`
 * when the container is in the wrong state, `already-exists`, `invalid-argument`
 * for a process the runtime cannot exec, `internal` otherwise.
 */
export class OciRuntime {
  readonly binary: string;
  readonly root: string | undefined;

  constructor(options: OciRuntimeOptions = {}) {
    this.binary = options.binary ?? 'runc';
    this.root = options.root;
  }

  /** The global arguments every command starts with. */
  globalArgs(): string[] {
    return [...(this.root ? ['--root', this.root] : []), '--log-format', 'json'];
  }

  /** Creates the container with stdio on /dev/null (see `spawnCreate` to hold its stdio). */
  async create(id: string, bundle: string, options: CreateOptions): Promise<void> {
    await this.spawnCreate(id, bundle, options, ['ignore', 'ignore', 'pipe']).created;
  }

  /**
   * Runs `create` with the container's stdio as pipes the caller keeps: the init
   * process inherits them and outlives the runtime command. `created` settles
   * when the command exits; until then stderr carries the runtime's messages,
   * afterwards only the container's (init is blocked until `start`).
   */
  spawnCreate(id: string, bundle: string, options: CreateOptions, stdio: CreateStdio): CreatedProcess {
    const args = ['create', '--bundle', bundle, '--pid-file', options.pidFile];
    if (options.consoleSocket) args.push('--console-socket', options.consoleSocket);
    if (options.noPivot) args.push('--no-pivot');
    const child = spawn(this.binary, [...this.globalArgs(), ...args, id], { stdio });
    let stderr = '';
    const collect = (chunk: Buffer) => (stderr += chunk.toString());
    child.stderr?.on('data', collect);
    const created = new Promise<void>((resolve, reject) => {
      child.on('error', (err) => reject(runtimeError('create', `${this.binary}: ${err.message}`)));
      child.on('exit', (code) => {
        if (code === 0) {
          child.stderr?.off('data', collect);
          return resolve();
        }
        // The message may still be in the pipe: wait for its end (no container holds it now).
        if (!child.stderr || child.stderr.readableEnded) return reject(runtimeError('create', stderr));
        child.stderr.once('end', () => reject(runtimeError('create', stderr)));
      });
    });
    return { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, created };
  }

  /**
   * Starts a created container. With runc (and a known root) the engine does what `runc start`
   * does, without its process (tens of ms, more when many start at once): a created
   * container's init waits to open `<root>/<id>/exec.fifo` for writing; reading its byte lets
   * it exec the process, and removing the fifo makes the container `running` in runc's state.
   * Otherwise, or when there is no fifo, `runtime start`.
   */
  async start(id: string): Promise<void> {
    if (this.root && basename(this.binary) === 'runc' && (await startThroughFifo(join(this.root, id, 'exec.fifo'), id))) return;
    await this.run('start', ['start', id]);
  }

  async state(id: string): Promise<RuntimeState> {
    return JSON.parse(await this.run('state', ['state', id])) as RuntimeState;
  }

  /** Sends a signal (`SIGTERM`, `KILL`, `9`) to init, or with `all` to every process of the container. */
  async kill(id: string, signal: string | number = 'SIGTERM', options: { all?: boolean } = {}): Promise<void> {
    await this.run('kill', ['kill', ...(options.all ? ['--all'] : []), id, String(signal)]);
  }

  async pause(id: string): Promise<void> {
    await this.run('pause', ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run('resume', ['resume', id]);
  }

  /** The host pids of the container's processes. */
  async ps(id: string): Promise<number[]> {
    return (JSON.parse(await this.run('ps', ['ps', '--format', 'json', id])) as number[] | null) ?? [];
  }

  /** The container's processes with their parent, state and command line (a process gone meanwhile is left out). */
  async top(id: string): Promise<ProcessInfo[]> {
    const found: ProcessInfo[] = [];
    for (const pid of await this.ps(id)) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      if (!stat) continue;
      const close = stat.lastIndexOf(')');
      const [state = '?', ppid = '0'] = stat.slice(close + 2).split(' ');
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).join(' ');
      found.push({ pid, ppid: Number(ppid), state, command: cmdline || `[${stat.slice(stat.indexOf('(') + 1, close)}]` });
    }
    return found;
  }

  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.run('delete', ['delete', ...(options.force ? ['--force'] : []), id]);
  }

  async list(): Promise<RuntimeState[]> {
    return (JSON.parse(await this.run('list', ['list', '--format', 'json'])) as RuntimeState[] | null) ?? [];
  }

  /** Applies OCI `linux.resources` (memory, cpu, pids…) to a live container. */
  async update(id: string, resources: object): Promise<void> {
    await this.run('update', ['update', '--resources', '-', id], JSON.stringify(resources));
  }

  /** Runs one command; resolves with stdout, rejects with the runtime's stderr message. */
  private run(op: string, args: string[], input?: string): Promise<string> {
    if (input === undefined && isAbsolute(this.binary)) return this.runFast(op, args);
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, [...this.globalArgs(), ...args], {
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', (err) => reject(runtimeError(op, `${this.binary}: ${err.message}`)));
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(runtimeError(op, stderr))));
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** `run` without fork (core/sys/spawn.ts): the engine's size does not slow every runtime command down. */
  private async runFast(op: string, args: string[]): Promise<string> {
    let child;
    try {
      child = spawnFast(this.binary, [this.binary, ...this.globalArgs(), ...args], { stdio: ['null', 'pipe', 'pipe'] });
    } catch (err) {
      throw runtimeError(op, `${this.binary}: ${(err as Error).message}`);
    }
    const collect = (stream: NodeJS.ReadableStream) =>
      new Promise<string>((resolve) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        stream.on('error', () => resolve(text));
        stream.on('close', () => resolve(text));
      });
    const [stdout, stderr] = await Promise.all([collect(child.pipes[1]!), collect(child.pipes[2]!)]);
    const status = await exitStatus(child.pid);
    if (status.code === 0) return stdout;
    throw runtimeError(op, stderr);
  }
}

/**
 * runc's start handshake (libcontainer's `exec`): open the fifo without blocking, read the one
 * byte the init writes once it has opened its end, remove the fifo. False when there is no
 * fifo (not created by runc, or started already): the caller runs `runc start`. A fifo that
 * goes away before its byte came means the init died (the monitor deleted the container).
 */
async function startThroughFifo(fifo: string, id: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw runtimeError('start', `open ${fifo}: ${(err as Error).message}`);
  }
  try {
    const byte = Buffer.alloc(1);
    for (let wait = 0; ; wait = Math.min(wait + 1, 20)) {
      try {
        // 0 bytes: the init has not opened its end yet; EAGAIN: it has, and not written yet.
        if ((await fh.read(byte, 0, 1, null)).bytesRead === 1) break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw runtimeError('start', `read ${fifo}: ${(err as Error).message}`);
      }
      if (wait > 0 && !(await initWaiting(fifo))) throw runtimeError('start', `container ${id}: container process is already dead`);
      await delay(wait);
    }
  } finally {
    await fh.close();
  }
  await unlink(fifo);
  return true;
}

/** Whether the created container's init can still open the fifo: the fifo is there and the init (state.json's pid) alive. */
async function initWaiting(fifo: string): Promise<boolean> {
  if (!(await access(fifo).then(() => true, () => false))) return false;
  const state = await readFile(join(dirname(fifo), 'state.json'), 'utf8').catch(() => '');
  const pid = Number(/"init_process_pid":(\d+)/.exec(state)?.[1] ?? 0);
  if (!pid) return false;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2);
  return stat !== '' && !fields.startsWith('Z') && !fields.startsWith('X');
}
