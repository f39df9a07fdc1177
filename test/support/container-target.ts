/**
 * The engine an end-to-end container test runs against: by default our `moby daemon` (via
 * startEngine); with `MOBY_TEST_TARGET=dockerd`, Debian's dockerd 20.10 (the reference, via
 * startReferenceDockerd), so the same test can be proved right against the real thing.
 *
 * Either way the target is loaded with two images made by `docker import` of the busybox
 * rootfs: `busybox:latest` (CMD ["sh"]) and `nocmd:latest` (no CMD, no entrypoint).
 *
 * cleanup() removes everything, pass or fail: it force-removes every container it can still
 * see (remembering their pids), stops the engine, kills any container process still alive,
 * unmounts what is left under the engine's directories and deletes them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startReferenceDockerd, type ReferenceDockerd } from '../../bench/lib/reference-dockerd.js';
import { busyboxRootfsTar } from './busybox-rootfs.js';
import { docker, type CliResult } from './docker-cli.js';
import { engineRequest, type HttpResult } from './engine-http.js';
import { mobyBin, startEngine, type TestEngine } from './engine.js';
import { waitUntil } from './wait.js';
import { listComponents } from '../../tools/component-ls.js';
import { State } from '../../api/moby/component_registry/v1/component_registry.js';

const run = promisify(execFile);

export type TargetKind = 'moby' | 'dockerd';

export interface ContainerTarget {
  kind: TargetKind;
  /** Environment for the docker CLI (DOCKER_HOST, an own DOCKER_CONFIG). Changes on restart. */
  readonly dockerEnv: NodeJS.ProcessEnv;
  /** The Engine API socket path. Changes on restart. */
  readonly socket: string;
  /** A scratch directory for the test's own files; removed by cleanup. */
  scratch: string;
  /** Ours only: the engine currently running. */
  readonly engine?: TestEngine;
  /**
   * Stops the engine with SIGTERM and starts it again on the same data root. Undefined when the
   * target cannot do that (see restartUnsupported).
   */
  restart?(): Promise<void>;
  /** Why restart is undefined. */
  restartUnsupported?: string;
  cleanup(): Promise<void>;
}

/** Which engine `MOBY_TEST_TARGET` asks for. */
export function targetKind(): TargetKind {
  const v = process.env.MOBY_TEST_TARGET ?? 'moby';
  if (v === 'dockerd' || v === 'moby') return v;
  throw new Error(`MOBY_TEST_TARGET must be "moby" (default) or "dockerd", not ${JSON.stringify(v)}`);
}

/** Extra entries in the test rootfs: applets the container tests call beyond the shared list. */
const extraApplets = ['tty', 'head', 'tail', 'grep', 'kill', 'find', 'ip', 'nslookup', 'stat', 'cut'];

export async function startContainerTarget(): Promise<ContainerTarget> {
  const kind = targetKind();
  const scratch = await mkdtemp('/tmp/mct-');
  const dockerConfig = join(scratch, 'docker-config');
  try {
    const target = kind === 'dockerd' ? await startDockerd(scratch, dockerConfig) : await startOurs(scratch, dockerConfig);
    try {
      await loadImages(target);
    } catch (err) {
      await target.cleanup();
      throw err;
    }
    return target;
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

async function loadImages(target: ContainerTarget): Promise<void> {
  const rootfs = join(target.scratch, 'busybox-rootfs.tar');
  await writeFile(
    rootfs,
    await busyboxRootfsTar(extraApplets.map((a) => ({ name: `bin/${a}`, type: 'symlink' as const, linkname: 'busybox', mode: 0o777 }))),
  );
  for (const args of [
    ['import', '--change', 'CMD ["sh"]', rootfs, 'busybox:latest'],
    ['import', rootfs, 'nocmd:latest'],
  ]) {
    const r = await docker(target.dockerEnv, args);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  }
}

async function startDockerd(scratch: string, dockerConfig: string): Promise<ContainerTarget> {
  const ref: ReferenceDockerd = await startReferenceDockerd();
  const dockerEnv = { ...process.env, DOCKER_HOST: ref.host, DOCKER_CONFIG: dockerConfig };
  const tracker = new ContainerTracker();
  return {
    kind: 'dockerd',
    dockerEnv,
    socket: ref.socket,
    scratch,
    restartUnsupported:
      'bench/lib/reference-dockerd.ts cannot restart a dockerd on the same data root (it always starts in a fresh directory); ' +
      'keeping containers across a dockerd restart also needs --live-restore',
    cleanup: memoise(async () => {
      const errors: unknown[] = [];
      await tracker.removeAll(ref.socket).catch(() => undefined); // best effort: the engine may be gone
      await ref.stop().catch((e: unknown) => errors.push(e));
      await tracker.killLeftovers();
      await rm(scratch, { recursive: true, force: true }).catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw new AggregateError(errors, 'cleaning up the reference dockerd failed');
    }),
  };
}

async function startOurs(scratch: string, dockerConfig: string): Promise<ContainerTarget> {
  const dataRoot = join(scratch, 'data');
  const engineCleanups: (() => Promise<void>)[] = [];
  const hooks = { after: (fn: () => Promise<void>) => void engineCleanups.push(fn) };
  const engineDirs: string[] = [];
  const tracker = new ContainerTracker();
  let engine = await startEngine(hooks, { dataRoot }).catch(async (err: unknown) => {
    for (const fn of engineCleanups) await fn().catch(() => undefined);
    await unmountUnder(dataRoot).catch(() => undefined);
    throw err;
  });
  engineDirs.push(engine.dir);
  const envOf = (e: TestEngine) => ({ ...e.dockerEnv, DOCKER_CONFIG: dockerConfig });
  const target: ContainerTarget = {
    kind: 'moby',
    get dockerEnv() {
      return envOf(engine);
    },
    get socket() {
      return engine.dockerSocket;
    },
    get engine() {
      return engine;
    },
    scratch,
    restart: async () => {
      await tracker.remember(engine.dockerSocket).catch(() => undefined);
      const code = await stopWithin(engine, 30_000);
      if (code === 'timeout') throw new Error(`moby daemon did not exit within 30 s of SIGTERM; output:\n${engine.output()}`);
      // The same data root *and* exec root, as a real restart has (the exec root holds the
      // containers' monitors and runtime state); startEngine always makes a fresh exec root.
      engine = await respawnEngine(hooks, engine);
    },
    cleanup: memoise(async () => {
      const errors: unknown[] = [];
      await tracker.removeAll(engine.dockerSocket).catch(() => undefined); // best effort: the engine may be gone
      if (engine.daemon.exitCode === null && engine.daemon.signalCode === null) await stopWithin(engine, 20_000);
      // Container monitors outlive the engine by design: kill whatever still runs from our
      // directories (by pid, found by the unique temporary paths in its command line), then the
      // container processes seen, then unmount, and only then remove directories.
      const dirs = [scratch, ...engineDirs];
      await killProcessesMentioning(dirs).catch((e: unknown) => errors.push(e));
      await tracker.killLeftovers();
      await killContainerCgroups([...(await containerIdsUnder(dataRoot)), ...tracker.ids]).catch((e: unknown) => errors.push(e));
      for (const dir of dirs) await unmountUnder(dir).catch((e: unknown) => errors.push(e));
      // the latest first: a respawned engine lives in the first one's directory
      for (const fn of [...engineCleanups].reverse()) await fn().catch((e: unknown) => errors.push(e));
      await rm(scratch, { recursive: true, force: true }).catch((e: unknown) => errors.push(e));
      if (errors.length > 0) throw new AggregateError(errors, 'cleaning up the moby engine failed');
    }),
  };
  return target;
}

/**
 * Starts `moby daemon` again on a stopped engine's data root and exec root (in its directory,
 * which the first engine's cleanup removes). The same readiness rule as startEngine.
 */
async function respawnEngine(hooks: { after(fn: () => Promise<void>): void }, previous: TestEngine): Promise<TestEngine> {
  const { dir, dataRoot, execRoot } = previous;
  const daemon = spawn(mobyBin, ['daemon', '--data-root', dataRoot, '--exec-root', execRoot], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let out = '';
  daemon.stdout!.on('data', (d) => (out += d));
  daemon.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
  const seenPids = new Set<number>();
  const components = async () => {
    const list = await listComponents(execRoot);
    for (const c of list) if (c.pid && c.pid !== daemon.pid) seenPids.add(c.pid);
    return list;
  };
  const cleanup = memoise(async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    await exited;
    for (const pid of seenPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  hooks.after(cleanup);
  const engine: TestEngine = {
    dir,
    dataRoot,
    execRoot,
    dockerSocket: previous.dockerSocket,
    dockerEnv: previous.dockerEnv,
    daemon,
    output: () => out,
    components,
    stop: async () => {
      daemon.kill('SIGTERM');
      return exited;
    },
    cleanup,
  };
  await waitUntil(
    async () => {
      if (daemon.exitCode !== null) throw new Error(`moby daemon exited with ${daemon.exitCode}:\n${out}`);
      const info = await readFile(join(execRoot, 'moby-daemon.json'), 'utf8').then((t) => JSON.parse(t) as { pid?: number }, () => undefined);
      if (info?.pid !== daemon.pid) return false;
      return (await components()).every((c) => c.state === State.STATE_RUNNING);
    },
    { timeoutMs: 30_000, what: () => `the restarted engine in ${dir} to be ready; output:\n${out}` },
  );
  return engine;
}

/** SIGTERM and wait for the daemon, at most `ms`. */
async function stopWithin(engine: TestEngine, ms: number): Promise<number | null | 'timeout'> {
  // The timer is cancelled once the engine stopped: a pending one would keep the test process alive.
  const timer = new AbortController();
  try {
    return await Promise.race([engine.stop(), delay(ms, 'timeout' as const, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

/**
 * Remembers the container processes an engine reported (pid and command line), so cleanup can
 * kill those still alive after the engine is gone, and never a process that merely reused a pid.
 */
class ContainerTracker {
  private seen = new Map<number, string>();
  ids = new Set<string>();

  async remember(socket: string): Promise<string[]> {
    const list = await request(socket, 'GET', '/containers/json?all=1');
    if (list.status !== 200) return [];
    const ids = (JSON.parse(list.body) as { Id: string }[]).map((c) => c.Id);
    for (const id of ids) this.ids.add(id);
    for (const id of ids) {
      const r = await request(socket, 'GET', `/containers/${id}/json`).catch(() => undefined);
      const pid = r?.status === 200 ? (JSON.parse(r.body) as { State?: { Pid?: number } }).State?.Pid : undefined;
      if (pid && pid > 0) {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
        if (cmdline !== undefined) this.seen.set(pid, cmdline);
      }
    }
    return ids;
  }

  async removeAll(socket: string): Promise<void> {
    for (const id of await this.remember(socket)) await request(socket, 'DELETE', `/containers/${id}?force=1&v=1`).catch(() => undefined);
  }

  async killLeftovers(): Promise<void> {
    for (const [pid, cmdline] of this.seen) {
      const now = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
      if (now === cmdline) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  }
}

/** An API request that gives up after `ms` (cleanup must not hang on a wedged engine). */
async function request(socket: string, method: string, path: string, ms = 15_000): Promise<HttpResult> {
  if (!existsSync(socket)) throw new Error(`no socket ${socket}`);
  // The timer is cancelled with the answer: a pending one would keep the test process alive.
  const timer = new AbortController();
  try {
    return await Promise.race([
      engineRequest(socket, method, path),
      delay(ms, undefined, { signal: timer.signal }).then(() => Promise.reject(new Error(`${method} ${path}: no answer within ${ms} ms`))),
    ]);
  } finally {
    timer.abort();
  }
}

/** The container IDs an engine has state for under its data root (`<root>/containers/<id>`). */
async function containerIdsUnder(dataRoot: string): Promise<string[]> {
  const names = await readdir(join(dataRoot, 'containers')).catch(() => [] as string[]);
  return names.filter((n) => /^[0-9a-f]{64}$/.test(n));
}

/**
 * For a wedged or dead engine: SIGKILLs the processes in a cgroup named after one of `ids` (64
 * hex digits, so only ours), then removes those cgroups from every hierarchy.
 */
async function killContainerCgroups(ids: Iterable<string>): Promise<void> {
  const wanted = new Set(ids);
  if (wanted.size === 0) return;
  const paths = new Set<string>();
  for (let round = 0; round < 40; round++) {
    const victims: number[] = [];
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const cgroup = await readFile(`/proc/${name}/cgroup`, 'utf8').catch(() => '');
      for (const line of cgroup.split('\n')) {
        const path = line.split(':').slice(2).join(':');
        const last = path.split('/').pop() ?? '';
        if (wanted.has(last)) {
          victims.push(Number(name));
          paths.add(path);
        }
      }
    }
    if (victims.length === 0) break;
    for (const pid of victims) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await delay(50);
  }
  // cgroups left behind, found by path in each hierarchy
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const hierarchies = mountinfo
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l))
    .map((l) => l.split(' ')[4]!);
  for (const id of wanted) for (const parent of ['moby', 'docker']) paths.add(`/${parent}/${id}`);
  for (const h of hierarchies) {
    for (const p of paths) {
      for (let tries = 0; tries < 20; tries++) {
        try {
          await rmdir(join(h, p));
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EBUSY') break;
          await delay(50);
        }
      }
    }
  }
}

/** SIGKILLs the processes (not this one) whose command line names one of `dirs`, and waits for them. */
async function killProcessesMentioning(dirs: string[]): Promise<void> {
  const find = async () => {
    const pids: number[] = [];
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
      if (dirs.some((d) => cmdline.includes(`${d}/`) || cmdline.includes(`${d}\0`))) pids.push(Number(name));
    }
    return pids;
  };
  for (let round = 0; round < 40; round++) {
    const pids = await find();
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await delay(50);
  }
}

/** Unmounts (lazily, deepest first) whatever this mount namespace has mounted under `dir`. */
async function unmountUnder(dir: string): Promise<void> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
  for (const mp of points.sort((a, b) => b.length - a.length)) await run('umount', ['--lazy', mp]).catch(() => undefined);
}

/** Mount points under `dir` in this mount namespace (for tests asserting cleanup). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[4]!)
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
}

function memoise<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}

// ---- docker CLI helpers shared by the container tests ----

/** Runs the docker CLI and fails with its stderr unless it exits 0; resolves to stdout. */
export async function ok(env: NodeJS.ProcessEnv, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await dockerHard(env, args, { timeoutMs: 60_000, ...opts });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/**
 * The docker CLI killed with SIGKILL on timeout: an attached `docker run` or `docker exec`
 * proxies SIGTERM to the container instead of exiting, so the shared helper's SIGTERM would let
 * a hung stdin test run on until the test's own timeout.
 */
export function dockerHard(env: NodeJS.ProcessEnv, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile('docker', args, { env, timeout: opts.timeoutMs ?? 30_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; killed?: boolean }) | null;
      const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
      resolve({ code, stdout, stderr: e?.killed ? `${stderr}\n(killed after ${opts.timeoutMs ?? 30_000} ms)` : stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** The docker CLI with stdout as bytes (tar streams). */
export function dockerBytes(env: NodeJS.ProcessEnv, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile('docker', args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'buffer', maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr: stderr.toString() });
    });
  });
}

/** A docker CLI process whose output is watched while it runs (`logs -f`, `wait`). */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process exits (killed after the timeout given to spawnDocker). */
  done: Promise<CliResult>;
}

export function spawnDocker(env: NodeJS.ProcessEnv, args: string[], timeoutMs = 60_000): RunningCli {
  const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: err });
    });
  });
  return { child, stdout: () => out, stderr: () => err, done };
}

/** `docker inspect` of one container, parsed. */
export async function inspect(env: NodeJS.ProcessEnv, name: string): Promise<ContainerJSON> {
  const [c] = JSON.parse(await ok(env, ['container', 'inspect', name])) as ContainerJSON[];
  return c!;
}

export interface ContainerJSON {
  Id: string;
  Name: string;
  Path: string;
  Args: string[];
  State: { Status: string; Running: boolean; Paused: boolean; Pid: number; ExitCode: number; StartedAt: string; FinishedAt: string };
  Config: { Cmd: string[] | null; Tty: boolean; OpenStdin: boolean; Image: string; Entrypoint: string[] | null };
  HostConfig: { AutoRemove: boolean; Runtime?: string };
  RestartCount: number;
  [k: string]: unknown;
}

/** Files named `name…` under `dir`, not following symlinks, skipping proc and sys mounts. */
export async function filesNamed(dir: string, prefix: string, depth = 14): Promise<string[]> {
  if (depth < 0) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.name.startsWith(prefix)) found.push(p);
    if (e.isDirectory() && e.name !== 'proc' && e.name !== 'sys') found.push(...(await filesNamed(p, prefix, depth - 1)));
  }
  return found;
}

/**
 * Host files named `prefix…` that a hostile archive may have written outside `container`:
 * anything in the host's `/`, `/tmp` or the target's parent directory, and any file under the
 * engine's directories whose name the container itself does not see (found by `find` inside it).
 */
export async function leaksOutside(target: ContainerTarget, container: string, prefix: string): Promise<string[]> {
  const leaks: string[] = [];
  for (const dir of ['/', '/tmp', dirname(target.scratch)]) {
    for (const n of await readdir(dir)) if (n.startsWith(prefix)) leaks.push(join(dir, n));
  }
  const found = await ok(target.dockerEnv, ['exec', container, 'find', '/', '-xdev', '-name', `${prefix}*`]);
  const inside = new Set(found.split('\n').filter(Boolean).map((p) => p.split('/').pop()));
  const roots = target.kind === 'moby' ? [target.scratch, target.engine!.dir] : [dirname(target.socket)];
  for (const root of roots) {
    for (const f of await filesNamed(root, prefix)) if (!inside.has(f.split('/').pop())) leaks.push(f);
  }
  return [...new Set(leaks)];
}
