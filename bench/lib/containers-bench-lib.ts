// Helpers for bench/containers.ts: the docker CLI and raw HTTP on an engine socket (both with
// deadlines, so a missing route fails instead of hanging), a bounded pool, statistics, the
// per-container processes of each engine, and a `runc run` floor.
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, readlink, rm, rmdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const MIB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The docker CLI

export interface DockerTarget {
  /** Shown in error messages: `ours` or `dockerd`. */
  name: string;
  /** The engine's Engine API socket. */
  socket: string;
  /** Environment for the docker CLI (DOCKER_HOST, DOCKER_CONFIG, PATH). */
  env: NodeJS.ProcessEnv;
}

export interface DockerRun {
  stdout: string;
  ms: number;
}

/**
 * Runs `docker args…` against `target` and resolves with its stdout and wall time; rejects
 * with the CLI's stderr when it exits non-zero, and kills it (SIGKILL) after `timeoutMs`.
 * `discardStdout` sends stdout to /dev/null (as `> /dev/null` would).
 */
export function docker(target: DockerTarget, args: string[], opts: { timeoutMs?: number; discardStdout?: boolean } = {}): Promise<DockerRun> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('docker', args, { env: target.env, stdio: ['ignore', opts.discardStdout ? 'ignore' : 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout.length < 1 << 20 ? (stdout += d) : undefined));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr.length < 1 << 16 ? (stderr += d) : undefined));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`docker ${args.join(' ')} (${target.name}): ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (timedOut) reject(new Error(`docker ${args.join(' ')} (${target.name}): no answer within ${timeoutMs / 1000} s${stderr ? `\n${stderr.trim()}` : ''}`));
      else if (code !== 0) reject(new Error(`docker ${args.join(' ')} (${target.name}): ${signal ?? `exit ${code}`}: ${stderr.trim()}`));
      else resolve({ stdout, ms });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP on the socket

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface OpenResponse {
  status: number;
  /** The whole body; rejects when the connection fails or the deadline passes first. */
  body: Promise<string>;
}

/**
 * Sends `method path` on `socketPath` and resolves once the response headers arrived (some
 * answers, such as `/containers/{id}/wait`, send their headers long before their body). The
 * request is destroyed if the body has not ended `timeoutMs` after it was sent.
 */
export function openRequest(socketPath: string, method: string, path: string, opts: { timeoutMs?: number; body?: unknown } = {}): Promise<OpenResponse> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string | number> = { 'Content-Length': payload?.length ?? 0 };
  if (payload) headers['Content-Type'] = 'application/json';
  return new Promise((resolveHeaders, rejectHeaders) => {
    const req = request({ socketPath, method, path, headers });
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${path}: no complete answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.once('error', (err) => {
      clearTimeout(timer);
      rejectHeaders(err);
    });
    req.once('response', (res) => {
      const body = new Promise<string>((resolveBody, rejectBody) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => {
          clearTimeout(timer);
          resolveBody(Buffer.concat(chunks).toString('utf8'));
        });
        res.once('error', rejectBody);
        req.once('error', rejectBody);
        res.once('close', () => {
          if (!res.complete) rejectBody(new Error(`${method} ${path}: connection closed before the answer was complete`));
        });
      });
      body.catch(() => undefined); // the caller may never look at it
      resolveHeaders({ status: res.statusCode ?? 0, body });
    });
    req.end(payload);
  });
}

/**
 * `GET path` on `socketPath` over a bare socket with `Connection: close`, counting what arrives
 * until the engine closes the connection: no HTTP parsing on our side (Node's parser costs
 * microseconds per chunk, and a log stream is a great many small chunks). Resolves with the
 * status and the bytes received (headers and chunk framing included).
 */
export function httpDrain(socketPath: string, path: string, timeoutMs: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => socket.destroy(new Error(`GET ${path}: no complete answer within ${timeoutMs / 1000} s`)), timeoutMs);
    let head = '';
    let bytes = 0;
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n`));
    socket.on('data', (c: Buffer) => {
      if (head.length < 64) head += c.subarray(0, 64).toString('latin1');
      bytes += c.length;
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!status) reject(new Error(`GET ${path}: no HTTP status line in ${JSON.stringify(head)}`));
      else resolve({ status: Number(status[1]), bytes });
    });
  });
}

/** `method path` on `socketPath`, resolving with the status and whole body. */
export async function http(socketPath: string, method: string, path: string, opts: { timeoutMs?: number; body?: unknown } = {}): Promise<HttpAnswer> {
  const res = await openRequest(socketPath, method, path, opts);
  return { status: res.status, body: await res.body };
}

/** The `message` of a Docker API error body, or the body itself. */
export function apiMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}

/** Ids of every container of the engine (`GET /containers/json?all=1`); [] if it cannot list. */
export async function allContainerIds(socketPath: string): Promise<string[]> {
  const res = await http(socketPath, 'GET', '/containers/json?all=1', { timeoutMs: 30_000 }).catch(() => undefined);
  if (res?.status !== 200) return [];
  return (JSON.parse(res.body) as { Id: string }[]).map((c) => c.Id);
}

/** Force-removes every container of the engine, `concurrency` at a time; best effort. */
export async function removeAllContainers(socketPath: string, concurrency = 8): Promise<number> {
  const ids = await allContainerIds(socketPath);
  await pool(ids, concurrency, (id) => http(socketPath, 'DELETE', `/containers/${id}?force=1&v=1`, { timeoutMs: 30_000 }).catch(() => undefined));
  return ids.length;
}

// ---------------------------------------------------------------------------------------------
// Concurrency and statistics

/** Calls `fn` on every item with at most `concurrency` calls in flight; results in item order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true; // stop handing out work; calls in flight finish
        throw err;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `fn` once for warm-up per `warmup`, then `n` times; the wall times of the measured calls in ms. */
export async function timed(n: number, warmup: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Every live process as pid → { comm, cmdline }. */
export async function processes(): Promise<Map<number, { comm: string; cmdline: string }>> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const entries = await Promise.all(
    pids.map(async (pid) => {
      try {
        const [comm, cmdline] = await Promise.all([readFile(`/proc/${pid}/comm`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8')]);
        return [pid, { comm: comm.trim(), cmdline: cmdline.replaceAll('\0', ' ').trim() }] as const;
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(entries.filter((e) => e !== undefined));
}

/** Pids whose command line contains `needle`. */
export async function pidsWithCmdline(needle: string): Promise<number[]> {
  const all = await processes();
  return [...all].filter(([, p]) => p.cmdline.includes(needle)).map(([pid]) => pid);
}

/** Sends `sig` to `pid`, ignoring a process that has already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Lazily unmounts (deepest first) whatever this mount namespace has mounted under `dir`. */
export async function unmountUnder(dir: string): Promise<void> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const mountPoints = text
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
  for (const mp of mountPoints.sort((a, b) => b.length - a.length)) {
    await execFileAsync('umount', ['--lazy', mp]).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The runc floor

export interface RuncFloor {
  /** Runs `runc run --bundle <bundle> <id>` once (the container runs `true`); resolves with ms. */
  runOnce(): Promise<number>;
  /** Deletes leftover containers, the bundle, the state and the cgroup parent. */
  cleanup(): Promise<void>;
}

/**
 * An OCI bundle under `dir` (which the caller made and removes): the busybox rootfs extracted
 * from `rootfsTar`, and `runc spec`'s config with args `true`, no terminal, and a cgroup path
 * `/<basename dir>/runc` so that nothing lands in the host's cgroup root. runc's state goes
 * to `<dir>/state` (`runc --root`), not /run/runc.
 */
export async function prepareRuncFloor(dir: string, rootfsTar: string): Promise<RuncFloor> {
  const bundle = join(dir, 'bundle');
  const state = join(dir, 'state');
  const rootfs = join(bundle, 'rootfs');
  const cgroupParent = basename(dir);
  await mkdir(rootfs, { recursive: true });
  await mkdir(state, { recursive: true });
  await execFileAsync('tar', ['-C', rootfs, '-xf', rootfsTar]);
  await execFileAsync('runc', ['spec'], { cwd: bundle });
  const configPath = join(bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as {
    process: { args: string[]; terminal: boolean };
    linux: { cgroupsPath?: string };
  };
  config.process.args = ['true'];
  config.process.terminal = false;
  config.linux.cgroupsPath = `/${cgroupParent}/runc`;
  await writeFile(configPath, JSON.stringify(config, null, 2));
  let seq = 0;
  const started = new Set<string>();
  const runc = (args: string[], timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('runc', ['--root', state, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code, sig) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`runc ${args.join(' ')}: ${sig ?? `exit ${code}`}: ${stderr.trim()}`));
      });
    });
  return {
    async runOnce() {
      const id = `moby-bench-${process.pid}-${seq++}`;
      started.add(id);
      const t0 = performance.now();
      await runc(['run', '--bundle', bundle, id]);
      return performance.now() - t0;
    },
    async cleanup() {
      for (const id of started) await runc(['delete', '--force', id], 10_000).catch(() => undefined);
      await unmountUnder(dir);
      const hierarchies = await readdir('/sys/fs/cgroup').catch(() => [] as string[]);
      const dirs = [join('/sys/fs/cgroup', cgroupParent), ...hierarchies.map((h) => join('/sys/fs/cgroup', h, cgroupParent))];
      for (const d of dirs) {
        for (const sub of [join(d, 'runc'), d]) await rmdir(sub).catch(() => undefined);
      }
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await unmountUnder(dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Ends container processes an engine under `dir` left behind (after it crashed or was
 * killed): processes in another mount namespace than ours whose mounts name `dir` (their
 * rootfs is an overlay over the engine's snapshots). SIGKILL, wait until they are gone, then
 * remove the cgroups they were in (leaf directories only, in every hierarchy). Returns the
 * number of processes ended.
 */
export async function killContainersOf(dir: string, timeoutMs = 10_000): Promise<number> {
  const ownNs = await readlinkOrUndefined('/proc/self/ns/mnt');
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: { pid: number; cgroups: string[] }[] = [];
  for (const pid of pids) {
    const ns = await readlinkOrUndefined(`/proc/${pid}/ns/mnt`);
    if (ns === undefined || ns === ownNs) continue;
    const mountinfo = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
    if (!mountinfo.includes(`${dir}/`)) continue;
    const cgroupText = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
    const cgroups = cgroupText
      .split('\n')
      .map((line) => line.split(':'))
      .filter((f) => f.length >= 3 && f[2] !== '/' && f[2] !== '')
      .map(([, controllers, path]) => ({ controllers: controllers!.replace(/^name=/, ''), path: path! }))
      .map(({ controllers, path }) => join('/sys/fs/cgroup', controllers === '' ? 'unified' : controllers, path));
    found.push({ pid, cgroups });
  }
  for (const { pid } of found) signal(pid, 'SIGKILL');
  const deadline = performance.now() + timeoutMs;
  const alive = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  };
  while (performance.now() < deadline && (await Promise.all(found.map((f) => alive(f.pid)))).some(Boolean)) {
    await new Promise((r) => setTimeout(r, 25));
  }
  for (const dirPath of new Set(found.flatMap((f) => f.cgroups))) {
    while (true) {
      try {
        await rmdir(dirPath);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EBUSY' && performance.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        else break; // gone already, or not ours to force
      }
    }
  }
  return found.length;
}

async function readlinkOrUndefined(path: string): Promise<string | undefined> {
  return readlink(path).catch(() => undefined);
}
