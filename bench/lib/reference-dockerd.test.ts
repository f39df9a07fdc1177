import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMiB, pssOfPids } from './pss.js';
import { startReferenceDockerd } from './reference-dockerd.js';

const execFileAsync = promisify(execFile);

const DOCKERD = '/usr/sbin/dockerd';
/** Host paths the reference dockerd must never create. */
const HOST_PATHS = ['/var/lib/docker', '/var/lib/containerd', '/run/docker', '/run/docker.sock', '/run/docker.pid', '/run/containerd', '/etc/docker/key.json', '/opt/containerd'];

const CGROUP_HIERARCHIES = ['cpu', 'memory', 'pids', 'devices', 'unified'].map((h) => join('/sys/fs/cgroup', h));

const skip = !existsSync(DOCKERD) ? `${DOCKERD} is not installed` : process.getuid?.() !== 0 ? 'needs root' : false;

async function commOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
}

/** Whether `pid` runs: it has a /proc entry and is not a zombie waiting for init to reap it. */
async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** The real docker CLI against `host`, with its own config folder. */
function dockerCli(host: string, configDir: string) {
  const env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', DOCKER_CONFIG: configDir };
  return { env, run: (args: string[]) => execFileAsync('docker', ['--host', host, ...args], { env }) };
}

async function mountPointsUnder(dir: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
}

test('reference dockerd: starts isolated, answers the docker CLI, stops leaving nothing', { skip }, async (t) => {
  const before = HOST_PATHS.filter((p) => existsSync(p));
  const d = await startReferenceDockerd();
  let pids: number[] = [];
  try {
    t.diagnostic(`spawn to first 200 on /_ping: ${d.startupMs.toFixed(0)} ms`);
    assert.ok(existsSync(d.socket));
    assert.ok(existsSync(d.containerdSocket));
    assert.equal(await commOf(d.pid), 'dockerd');

    pids = await d.pids();
    assert.equal(pids[0], d.pid);
    const comms = await Promise.all(pids.map(commOf));
    assert.ok(comms.includes('containerd'), `engine processes: ${comms.join(', ')}`);

    const { stdout } = await dockerCli(d.host, join(d.dir, 'cli')).run(['version', '--format', '{{json .}}']);
    const version = JSON.parse(stdout) as { Client: { Version: string }; Server: { Version: string; ApiVersion: string } };
    assert.match(version.Server.Version, /^20\.10\./);
    t.diagnostic(`docker CLI ${version.Client.Version} ↔ dockerd ${version.Server.Version} (API ${version.Server.ApiVersion})`);

    const pss = await pssOfPids(pids);
    assert.ok(pss > 1024 * 1024, `pss ${pss}`);
    t.diagnostic(`dockerd + containerd PSS right after start: ${formatMiB(pss)} (${comms.join(' + ')})`);
  } finally {
    await d.stop();
  }

  for (const pid of pids) assert.ok(!(await isAlive(pid)), `process ${pid} is still there`);
  assert.deepEqual(await mountPointsUnder(d.dir), []);
  assert.ok(!existsSync(d.dir), `${d.dir} is still there`);
  assert.deepEqual(HOST_PATHS.filter((p) => existsSync(p)), before);
  await d.stop(); // idempotent
});

test('reference dockerd: a running container\'s shim is an engine process; stop removes its cgroups', { skip }, async (t) => {
  const d = await startReferenceDockerd();
  const cgroupDirs = CGROUP_HIERARCHIES.map((h) => join(h, basename(d.dir)));
  let pids: number[] = [];
  try {
    const docker = dockerCli(d.host, join(d.dir, 'cli'));
    const rootfs = join(d.dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    await execFileAsync('/bin/sh', ['-c', 'tar -C "$1" -c . | docker --host "$2" import - busybox:ref', 'sh', rootfs, d.host], { env: docker.env });
    const { stdout: id } = await docker.run(['run', '--detach', '--init', '--network', 'none', 'busybox:ref', '/bin/busybox', 'sleep', '1000']);
    t.diagnostic(`container ${id.trim().slice(0, 12)}`);

    pids = await d.pids();
    const comms = await Promise.all(pids.map(commOf));
    assert.ok(comms.includes('containerd-shim'), `engine processes: ${comms.join(', ')}`);
    assert.ok(!comms.includes('sleep'), `engine processes: ${comms.join(', ')}`);
    assert.ok(cgroupDirs.some((dir) => existsSync(dir)), 'the containers\' cgroup parent exists');
  } finally {
    await d.stop();
  }
  for (const pid of pids) assert.ok(!(await isAlive(pid)), `process ${pid} is still there`);
  assert.deepEqual(cgroupDirs.filter((dir) => existsSync(dir)), []);
  assert.ok(!existsSync(d.dir));
});

test('reference dockerd: stop kills the engine when SIGTERM is not answered in time', { skip }, async () => {
  const d = await startReferenceDockerd({ stopTimeoutMs: 0 });
  let pids: number[] = [];
  try {
    pids = await d.pids();
    assert.ok(pids.length >= 2, `engine pids: ${pids.join(', ')}`);
  } finally {
    await d.stop();
  }
  for (const pid of pids) assert.ok(!(await isAlive(pid)), `process ${pid} is still there`);
  assert.deepEqual(await mountPointsUnder(d.dir), []);
  assert.ok(!existsSync(d.dir));
});

test('reference dockerd: a dockerd that cannot start is reported with its log and cleaned up', { skip }, async () => {
  const parentDir = await mkdtemp(join(tmpdir(), 'moby-refd-test-'));
  try {
    await assert.rejects(startReferenceDockerd({ parentDir, extraArgs: ['--no-such-flag'] }), (err: Error) => {
      assert.match(err.message, /dockerd exited before answering \/_ping/);
      assert.match(err.message, /unknown flag: --no-such-flag/);
      return true;
    });
    assert.deepEqual(await readdir(parentDir), []);
  } finally {
    await rm(parentDir, { recursive: true, force: true });
  }
});
