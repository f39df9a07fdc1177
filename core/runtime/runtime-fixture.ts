import { copyFile, mkdir, mkdtemp, readdir, rm, rmdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildSpec, probeHost, writeBundle, type HostInfo } from '../bundle/index.js';
import { OciRuntime } from './oci-runtime.js';
import { isMonitor, reattach } from './reattach.js';
import type { StartContainerOptions } from './start-container.js';

/**
 * For tests with real runc: a busybox rootfs, a private runc root and state
 * directory in a temp dir, bundles built by `buildSpec`, and `cleanup()` that
 * force-deletes every container, kills every monitor, and removes the cgroup
 * parent and the temp dir.
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
    this.dir = await mkdtemp(join(tmpdir(), 'moby-runtime-'));
    this.runtime = new OciRuntime({ root: join(this.dir, 'runc') });
    await mkdir(join(this.dir, 'rootfs/bin'), { recursive: true });
    await copyFile('/bin/busybox', join(this.dir, 'rootfs/bin/busybox'));
    for (const applet of applets) await symlink('busybox', join(this.dir, 'rootfs/bin', applet));
    this.host = await probeHost();
  }

  /** A bundle running `cmd`, and the options to start it under a monitor. */
  async container(name: string, cmd: string[]): Promise<StartContainerOptions> {
    const id = `moby-rt-${name}-${this.suffix}`;
    const bundle = join(this.dir, 'bundles', name);
    const ctx = { id, rootfs: join(this.dir, 'rootfs'), host: this.host!, cgroupParent: this.cgroupParent };
    await writeBundle(bundle, buildSpec({ config: { Env: ['PATH=/bin'] } }, { Cmd: cmd }, ctx));
    const logPath = join(this.dir, `${name}-json.log`);
    return { id, bundle, logPath, exitFile: join(this.dir, `${name}.exit`), stateDir: this.stateDir, runtime: { root: this.runtime.root } };
  }

  async cleanup(): Promise<void> {
    if (!this.dir) return;
    for (const c of await this.runtime.list().catch(() => [])) await this.runtime.delete(c.id, { force: true }).catch(() => undefined);
    for (const c of await reattach(this.stateDir).catch(() => [])) {
      if (await isMonitor(c.record.monitorPid, c.record.id)) process.kill(c.record.monitorPid, 'SIGKILL');
    }
    const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [])).map((d) => join('/sys/fs/cgroup', d))];
    for (const root of roots) await rmdir(join(root, this.cgroupParent)).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls `probe` until it returns a value other than undefined/false (bounded by the test's timeout). */
export async function until<T>(probe: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
