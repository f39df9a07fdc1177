// The reference engine for benchmarks: Debian's dockerd 20.10 with its own containerd,
// started fully isolated under a fresh temporary directory.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, readFile, readlink, rm, rmdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { processTree } from './pss.js';

const execFileAsync = promisify(execFile);

const POLL_MS = 25;
const UNIX_PATH_MAX = 107; // sun_path is 108 bytes with the terminating NUL
/** The longest socket path dockerd and containerd create under the exec root. */
const LONGEST_EXEC_SOCKET = 'containerd/containerd.sock.ttrpc';
/** dockerd sees only these binaries: Debian's docker.io, containerd and runc. */
const DOCKERD_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * Run inside a fresh private mount namespace (by `unshare --mount`) before exec'ing dockerd:
 * $1 is bound over /run, $2 over /opt, then the rest of the arguments is exec'ed.
 */
const NAMESPACE_SCRIPT = 'mount --bind "$1" /run && mount --bind "$2" /opt && shift 2 && exec "$@"';

export interface ReferenceDockerdOptions {
  /** The dockerd binary; default Debian's `/usr/sbin/dockerd`. */
  dockerd?: string;
  /** Where the temporary directory is created; default `os.tmpdir()`. */
  parentDir?: string;
  /** Extra dockerd arguments, appended after ours. */
  extraArgs?: readonly string[];
  /** How long to wait for the first 200 from `GET /_ping`; default 60 s. */
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL; default 20 s. */
  stopTimeoutMs?: number;
}

export interface ReferenceDockerd {
  /** The Engine API socket path, `<dir>/docker.sock`. */
  socket: string;
  /** `unix://<socket>`, for `docker -H` or `DOCKER_HOST`. */
  host: string;
  /** dockerd's pid. */
  pid: number;
  /** The temporary directory holding everything: data and exec roots, log, sockets. */
  dir: string;
  /** dockerd's (and its containerd's) stdout and stderr. */
  logPath: string;
  /** dockerd's containerd socket, `<exec-root>/containerd/containerd.sock`. */
  containerdSocket: string;
  /** Milliseconds from spawn to the first 200 from `GET /_ping`. */
  startupMs: number;
  /** dockerd, its descendants (containerd, runc) and the daemonised shims. */
  pids(): Promise<number[]>;
  /** SIGTERM, wait (SIGKILL after the timeout), unmount leftovers, remove the directory. */
  stop(): Promise<void>;
}

interface Layout {
  dir: string;
  dataRoot: string;
  execRoot: string;
  runDir: string;
  optDir: string;
  configFile: string;
  keyFile: string;
  pidFile: string;
  socket: string;
  logPath: string;
}

/**
 * Starts Debian's dockerd isolated under a fresh temporary directory `<parent>/moby-refd-XXXXXX`
 * and resolves once `GET /_ping` answers 200.
 *
 * Processes it starts:
 * - `unshare --mount --propagation private` → `/bin/sh` → exec `dockerd` (one pid throughout):
 *   dockerd runs in its own mount namespace, where `<dir>/run` is bound over `/run` and
 *   `<dir>/opt` over `/opt`. Without that, dockerd 20.10 creates `/run/docker/plugins` whatever
 *   `--exec-root` says, containerd 1.6's `opt` plugin creates `/opt/containerd/{bin,lib}`, and
 *   shims would put their sockets in `/run/containerd/s/`. dockerd also bind-mounts its data
 *   root on itself (to make it shared); inside the namespace, so it vanishes with it.
 * - dockerd's child `containerd --config <exec-root>/containerd/containerd.toml`: socket
 *   `<exec-root>/containerd/containerd.sock` (+ `.ttrpc`, `containerd-debug.sock`), state
 *   `<exec-root>/containerd/daemon`, root `<data-root>/containerd/daemon`, CRI disabled.
 * - per running container, a `containerd-shim-runc-v2` (daemonised: re-parented away from
 *   containerd; `pids()` finds it by the mount namespace) and short-lived `runc` calls.
 *
 * - container processes are not the engine's: they have their own mount namespace and are
 *   left out of `pids()`.
 *
 * Flags: `--data-root <dir>/data --exec-root <dir>/exec --pidfile <dir>/docker.pid
 * -H unix://<dir>/docker.sock --config-file <dir>/daemon.json --bridge=none --iptables=false
 * --ip-masq=false --ip-forward=false --cgroup-parent=/<basename of dir>` (ip6tables is off by
 * default in 20.10). daemon.json sets `deprecated-key-path` to `<dir>/key.json`: otherwise
 * dockerd 20.10 writes `/etc/docker/key.json` (this build rejects the `--deprecated-key-path`
 * flag). The cgroup parent replaces the host-wide `/docker` cgroup containers would otherwise
 * get in every hierarchy; `stop()` removes it.
 * Nothing is written to /var/lib/docker, /run/docker*, /etc/docker, /opt, the host's cgroups
 * (beyond that parent, while running) or its network state (no bridge, no iptables, no sysctl).
 */
export async function startReferenceDockerd(opts: ReferenceDockerdOptions = {}): Promise<ReferenceDockerd> {
  const layout = await createLayout(opts.parentDir ?? tmpdir());
  const started = performance.now();
  const child = await spawnDockerd(layout, opts).catch(async (err: unknown) => {
    await rm(layout.dir, { recursive: true, force: true });
    throw err;
  });
  const exited = exitOf(child);
  let namespace: string | undefined;
  const stop = memoise(() => stopDockerd(layout, child, exited, namespace, opts.stopTimeoutMs ?? 20_000));
  try {
    await waitForPing(layout, exited, opts.readyTimeoutMs ?? 60_000);
    const startupMs = performance.now() - started;
    const pid = child.pid!;
    namespace = await ownMountNamespace(pid);
    return {
      socket: layout.socket,
      host: `unix://${layout.socket}`,
      pid,
      dir: layout.dir,
      logPath: layout.logPath,
      containerdSocket: join(layout.execRoot, 'containerd', 'containerd.sock'),
      startupMs,
      pids: () => enginePids(pid, namespace!),
      stop,
    };
  } catch (err) {
    const log = await logTail(layout.logPath);
    const stopped = await stop().then(() => '', (e: unknown) => `\n(and stopping failed: ${String(e)})`);
    throw new Error(`reference dockerd did not start: ${(err as Error).message}${stopped}\n--- dockerd log (tail) ---\n${log}`, { cause: err });
  }
}

/** dockerd's mount namespace, checked to be another than this process's. */
async function ownMountNamespace(pid: number): Promise<string> {
  const namespace = await mountNamespaceOf(pid);
  if (namespace === undefined || namespace === (await mountNamespaceOf(process.pid))) {
    throw new Error(`dockerd ${pid} is not in a mount namespace of its own`);
  }
  return namespace;
}

async function createLayout(parentDir: string): Promise<Layout> {
  const dir = await mkdtemp(join(parentDir, 'moby-refd-'));
  const layout: Layout = {
    dir,
    dataRoot: join(dir, 'data'),
    execRoot: join(dir, 'exec'),
    runDir: join(dir, 'run'),
    optDir: join(dir, 'opt'),
    configFile: join(dir, 'daemon.json'),
    keyFile: join(dir, 'key.json'),
    pidFile: join(dir, 'docker.pid'),
    socket: join(dir, 'docker.sock'),
    logPath: join(dir, 'dockerd.log'),
  };
  try {
    const longest = join(layout.execRoot, LONGEST_EXEC_SOCKET);
    if (Buffer.byteLength(longest) > UNIX_PATH_MAX) {
      throw new Error(`socket path too long for a unix socket (${Buffer.byteLength(longest)} bytes): ${longest}`);
    }
    await Promise.all([layout.dataRoot, layout.execRoot, layout.runDir, layout.optDir].map((d) => mkdir(d, { mode: 0o711 })));
    await writeFile(layout.configFile, `${JSON.stringify({ 'deprecated-key-path': layout.keyFile }, null, 2)}\n`);
    return layout;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function dockerdArgs(layout: Layout, extraArgs: readonly string[]): string[] {
  return [
    `--config-file=${layout.configFile}`,
    `--data-root=${layout.dataRoot}`,
    `--exec-root=${layout.execRoot}`,
    `--pidfile=${layout.pidFile}`,
    `--host=unix://${layout.socket}`,
    '--bridge=none',
    '--iptables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    `--cgroup-parent=/${basename(layout.dir)}`,
    ...extraArgs,
  ];
}

async function spawnDockerd(layout: Layout, opts: ReferenceDockerdOptions): Promise<ChildProcess> {
  const args = ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', NAMESPACE_SCRIPT, 'sh', layout.runDir, layout.optDir];
  args.push(opts.dockerd ?? '/usr/sbin/dockerd', ...dockerdArgs(layout, opts.extraArgs ?? []));
  const log = await open(layout.logPath, 'a');
  try {
    return spawn('/usr/bin/unshare', args, { cwd: layout.dir, env: { PATH: DOCKERD_PATH }, stdio: ['ignore', log.fd, log.fd] });
  } finally {
    await log.close();
  }
}

/** Resolves when the child has exited (or failed to spawn); never rejects. */
function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(signal === null ? `exit code ${code}` : `signal ${signal}`));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
}

async function waitForPing(layout: Layout, exited: Promise<string>, timeoutMs: number): Promise<void> {
  let exit: string | undefined;
  void exited.then((how) => (exit = how));
  const deadline = performance.now() + timeoutMs;
  while ((await pingStatus(layout.socket)) !== 200) {
    if (exit !== undefined) throw new Error(`dockerd exited before answering /_ping (${exit})`);
    if (performance.now() > deadline) throw new Error(`no 200 from /_ping on ${layout.socket} within ${timeoutMs} ms`);
    await delay(POLL_MS);
  }
}

/** The status of `GET /_ping` on the socket, or undefined when it does not answer. */
function pingStatus(socketPath: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

async function stopDockerd(
  layout: Layout,
  child: ChildProcess,
  exited: Promise<string>,
  namespace: string | undefined,
  timeoutMs: number,
): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (step: () => Promise<void>) => step().catch((err: unknown) => void errors.push(err));
  const ns = namespace ?? (child.pid === undefined ? undefined : await mountNamespaceOf(child.pid));
  const separate = ns !== undefined && ns !== (await mountNamespaceOf(process.pid)); // false before unshare ran
  await attempt(() => terminateChild(child, exited, timeoutMs));
  if (separate) await attempt(() => terminateLeftovers(ns, layout.dir, timeoutMs));
  await attempt(() => unmountUnder(layout.dir));
  await attempt(() => removeCgroups(basename(layout.dir), timeoutMs));
  await attempt(() => rm(layout.dir, { recursive: true, force: true }));
  if (errors.length > 0) throw new AggregateError(errors, `stopping the reference dockerd in ${layout.dir} failed`);
}

/** SIGTERM to dockerd; SIGKILL to it and its descendants when it has not exited in time. */
async function terminateChild(child: ChildProcess, exited: Promise<string>, timeoutMs: number): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const tree = await processTree(child.pid).catch(() => [child.pid!]);
  child.kill('SIGTERM');
  if (await settlesWithin(exited, timeoutMs)) return;
  for (const pid of tree.reverse()) signal(pid, 'SIGKILL');
  await exited;
}

/**
 * Processes still in dockerd's mount namespace after it exited (containerd, shims) that name
 * the temporary directory in their command line: SIGTERM, then SIGKILL.
 */
async function terminateLeftovers(namespace: string, dir: string, timeoutMs: number): Promise<void> {
  const leftovers = async () => {
    const members = await namespaceMembers(namespace);
    const named = await Promise.all(members.map(async (pid) => ((await cmdlineOf(pid)) ?? '').includes(dir)));
    return members.filter((_, i) => named[i]);
  };
  let pids = await leftovers();
  if (pids.length === 0) return;
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = performance.now() + timeoutMs;
  while ((pids = await leftovers()).length > 0 && performance.now() < deadline) await delay(POLL_MS);
  for (const pid of pids) signal(pid, 'SIGKILL');
  while ((await leftovers()).length > 0) await delay(POLL_MS);
}

/** Unmounts (lazily, deepest first) whatever this mount namespace has mounted under `dir`. */
async function unmountUnder(dir: string): Promise<void> {
  const mountPoints = (await mountPointsOf(process.pid)).filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
  for (const mp of mountPoints.sort((a, b) => b.length - a.length)) {
    await execFileAsync('umount', ['--lazy', mp]);
  }
}

/**
 * Removes the cgroup `/<name>` (the containers' `--cgroup-parent`) from every cgroup hierarchy,
 * children first. cgroupfs directories go by rmdir only; a cgroup whose last task has just exited
 * can answer EBUSY for a moment, so that is retried until the timeout.
 */
async function removeCgroups(name: string, timeoutMs: number): Promise<void> {
  const hierarchies = (await mountsOf(process.pid)).filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2');
  const deadline = performance.now() + timeoutMs;
  for (const { mountPoint } of hierarchies) {
    for (const dir of (await directoriesUnder(join(mountPoint, name))).reverse()) {
      while (!(await tryRmdir(dir, performance.now() < deadline))) await delay(POLL_MS);
    }
  }
}

/** `dir` and the directories below it, parents before children; [] when `dir` does not exist. */
async function directoriesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (entries === undefined) return [];
  const below = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => directoriesUnder(join(dir, e.name))));
  return [dir, ...below.flat()];
}

/** rmdir; false on EBUSY while `retry` holds, so the caller tries again. */
async function tryRmdir(dir: string, retry: boolean): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY' && retry) return false;
    throw err;
  }
}

async function mountPointsOf(pid: number): Promise<string[]> {
  return (await mountsOf(pid)).map((m) => m.mountPoint);
}

/** The mounts of `/proc/<pid>/mountinfo`: mount point (octal escapes decoded) and filesystem type. */
async function mountsOf(pid: number): Promise<{ mountPoint: string; fsType: string }[]> {
  const text = await readFile(`/proc/${pid}/mountinfo`, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split(' ');
      const fsType = fields[fields.indexOf('-') + 1] ?? '';
      return { mountPoint: unescapeMountinfo(fields[4]!), fsType };
    });
}

function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

async function enginePids(pid: number, namespace: string): Promise<number[]> {
  const tree = await processTree(pid).catch(() => []);
  const members = await namespaceMembers(namespace);
  return [...new Set([...tree, ...members])];
}

/** Live (non-zombie) processes whose mount namespace is `namespace`. */
async function namespaceMembers(namespace: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const namespaces = await Promise.all(pids.map((pid) => mountNamespaceOf(pid)));
  return pids.filter((_, i) => namespaces[i] === namespace);
}

/** `mnt:[<inode>]` for a live process; undefined when it is gone or a zombie. */
async function mountNamespaceOf(pid: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

async function cmdlineOf(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const timedOut = delay(ms, false, { signal: timer.signal }).catch(() => false);
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    timer.abort();
  }
}

async function logTail(path: string, bytes = 4096): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.slice(-bytes);
}

/** Memoises an async function: every call after the first returns the first call's promise. */
function memoise<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}
