import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, readdir, rm, rmdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSpec } from './build-spec.js';
import { capabilityMask } from './capabilities.js';
import type { BundleContext, ContainerOptions } from './container-options.js';
import { listHostDevices } from './host-devices.js';
import { probeHost, type HostInfo } from './host-info.js';
import { writeBundle } from './write-bundle.js';

/** End to end: a spec from buildSpec, run by the real runc on a busybox rootfs. */
const RUNC = '/usr/sbin/runc';
const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'echo', 'id', 'cat', 'hostname', 'grep'];
const runnable = process.getuid?.() === 0 && (await canAccess(RUNC)) && (await canAccess(BUSYBOX));
const skip = runnable ? false : 'needs root, runc and busybox';

describe('buildSpec run by runc', { skip, timeout: 120_000 }, () => {
  const suffix = randomBytes(4).toString('hex');
  const cgroupParent = `/moby-bundle-test-${suffix}`;
  const started: string[] = [];
  let dir: string;
  let rootfs: string;
  let host: HostInfo;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moby-runc-'));
    rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await copyFile(BUSYBOX, join(rootfs, 'bin/busybox'));
    for (const applet of APPLETS) await symlink('busybox', join(rootfs, 'bin', applet));
    host = await probeHost();
  });

  after(async () => {
    for (const id of started) await runc(['delete', '--force', id]).catch(() => undefined);
    await removeCgroupParent(cgroupParent);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = async (name: string, opts: ContainerOptions, extra: Partial<BundleContext> = {}): Promise<string> => {
    const id = `moby-bundle-${name}-${suffix}`;
    const bundle = join(dir, `bundle-${name}`);
    const spec = buildSpec({ config: { Env: ['PATH=/bin'] } }, opts, { id, rootfs, host, cgroupParent, ...extra });
    await writeBundle(bundle, spec);
    started.push(id);
    const result = await runc(['run', '--bundle', bundle, id]);
    assert.equal(result.code, 0, `runc run failed: ${result.stderr}`);
    return result.stdout;
  };

  it('runs the command with the hostname, as root, with exactly the 14 default capabilities', async () => {
    const out = await run('caps', {
      Cmd: ['sh', '-c', 'echo hi; id -u; hostname; cat /proc/self/status | grep CapEff'],
      Hostname: 'testhost',
    });
    assert.deepEqual(out.trim().split('\n'), ['hi', '0', 'testhost', 'CapEff:\t00000000a80425fb']);
  });

  it('filters syscalls through seccomp unless seccomp=unconfined', async () => {
    const cmd = ['sh', '-c', 'grep Seccomp: /proc/self/status'];
    assert.equal((await run('seccomp', { Cmd: cmd })).trim(), 'Seccomp:\t2');
    const unconfined = await run('unconfined', { Cmd: cmd, HostConfig: { SecurityOpt: ['seccomp=unconfined'] } });
    assert.equal(unconfined.trim(), 'Seccomp:\t0');
  });

  it("gives a privileged container every capability the engine holds and the host's devices", async () => {
    const hostDevices = await listHostDevices();
    const runcDefaults = ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'console', 'ptmx'].map((d) => `/dev/${d}`);
    const extraDevice = hostDevices.find((d) => d.type === 'c' && !runcDefaults.includes(d.path))?.path ?? '/dev/null';
    const script = `grep CapEff /proc/self/status; test -c ${extraDevice} && echo device-ok`;
    const out = await run('privileged', { Cmd: ['sh', '-c', script], HostConfig: { Privileged: true } }, { hostDevices });
    const mask = capabilityMask(host.capabilities).toString(16).padStart(16, '0');
    assert.deepEqual(out.trim().split('\n'), [`CapEff:\t${mask}`, 'device-ok']);
  });

  it('puts the container in cgroups limited to 64 MiB of memory and 50 pids', async () => {
    const script = [
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max',
      'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max',
    ].join('; ');
    const out = await run('limits', { Cmd: ['sh', '-c', script], HostConfig: { Memory: 64 * 1024 * 1024, PidsLimit: 50 } });
    assert.deepEqual(out.trim().split('\n'), ['67108864', '50']);
  });
});

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runc(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(RUNC, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** runc removes the container's own cgroups; the parent made for the test is ours to remove. */
async function removeCgroupParent(parent: string): Promise<void> {
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [])).map((d) => join('/sys/fs/cgroup', d))];
  for (const root of roots) await rmdir(join(root, parent)).catch(() => undefined);
}

async function canAccess(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
