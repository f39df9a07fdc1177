import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, rmdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildSpec, probeHost, writeBundle, type HostInfo } from '../bundle/index.js';
import { ensureMonitorBinary } from './monitor-binary.js';
import { readPid, MONITOR_PID_FILE } from './monitor-record.js';
import { OciRuntime } from './oci-runtime.js';
import { isMonitor } from './reattach.js';
import type { StartContainerOptions } from './start-container.js';

/**
 * For tests with real runc: builds `dist/moby-monitor` when missing or stale,
 * a busybox rootfs, a private runc root and state directory in a temp dir,
 * bundles built by `buildSpec`, and `cleanup()` that force-deletes every
 * container, kills every monitor found under the state directory (execs
 * included), and removes the cgroup parent and the temp dir.
 */
export class RuntimeFixture {
  readonly suffix = randomBytes(4).toString('hex');
  readonly cgroupParent = `/moby-runtime-test-${this.suffix}`;
  dir = '';
  runtime = new OciRuntime();
  private host?: HostInfo;

  get stateDir(): string {
    return join(this.dir, 'state');
  }

  async setUp(applets: string[]): Promise<void> {
    ensureMonitorBinary();
    this.dir = await mkdtemp(join(tmpdir(), 'moby-rt-'));
    this.runtime = new OciRuntime({ binary: '/usr/sbin/runc', root: join(this.dir, 'runc') });
    await mkdir(join(this.dir, 'rootfs/bin'), { recursive: true });
    await copyFile('/bin/busybox', join(this.dir, 'rootfs/bin/busybox'));
    for (const applet of applets) await symlink('busybox', join(this.dir, 'rootfs/bin', applet));
    this.host = await probeHost();
  }

  /** A bundle running `cmd`, and the options to create it under a monitor. */
  async container(name: string, cmd: string[], options: { tty?: boolean; stdin?: boolean } = {}): Promise<StartContainerOptions> {
    const id = `moby-rt-${name}-${this.suffix}`;
    const bundle = join(this.dir, 'bundles', name);
    const ctx = { id, rootfs: join(this.dir, 'rootfs'), host: this.host!, cgroupParent: this.cgroupParent };
    await writeBundle(bundle, buildSpec({ config: { Env: ['PATH=/bin'] } }, { Cmd: cmd, Tty: options.tty ?? false, OpenStdin: options.stdin ?? false }, ctx));
    return {
      id,
      bundle,
      logPath: join(this.dir, `${name}-json.log`),
      stateDir: this.stateDir,
      tty: options.tty ?? false,
      stdin: options.stdin ?? false,
      runtime: { binary: this.runtime.binary, root: this.runtime.root },
    };
  }

  /** The process spec of a bundle (to derive an exec's process from it). */
  async processOf(options: StartContainerOptions): Promise<{ args: string[]; env?: string[]; cwd: string; [key: string]: unknown }> {
    const spec = JSON.parse(await readFile(join(options.bundle, 'config.json'), 'utf8')) as { process: { args: string[]; cwd: string } };
    return spec.process;
  }

  async cleanup(): Promise<void> {
    if (!this.dir) return;
    for (const c of await this.runtime.list().catch(() => [])) await this.runtime.delete(c.id, { force: true }).catch(() => undefined);
    for (const { dir, id } of await monitorDirs(this.stateDir)) {
      const pid = await readPid(join(dir, MONITOR_PID_FILE));
      if (!(await isMonitor(pid, id))) continue;
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && (await isMonitor(pid, id)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [])).map((d) => join('/sys/fs/cgroup', d))];
    for (const root of roots) await rmdir(join(root, this.cgroupParent)).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** Every container and exec state directory under a state dir. */
async function monitorDirs(stateDir: string): Promise<Array<{ dir: string; id: string }>> {
  const found: Array<{ dir: string; id: string }> = [];
  for (const id of await readdir(stateDir).catch(() => [])) {
    found.push({ dir: join(stateDir, id), id });
    for (const execId of await readdir(join(stateDir, id, 'exec')).catch(() => [])) found.push({ dir: join(stateDir, id, 'exec', execId), id });
  }
  return found;
}

/** Polls `probe` until it returns a value other than undefined/false (bounded by the test's timeout). */
export async function until<T>(probe: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
