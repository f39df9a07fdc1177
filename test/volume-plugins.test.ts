/**
 * End to end: a legacy volume plugin through the real docker CLI. The plugin
 * (test/support/volume-plugin.ts) listens in Docker's real plugin directory
 * `/run/docker/plugins/<name>.sock` under a name unique to the run; the engine finds it there by
 * name. Shows: `docker volume create -d <plugin>` reaches `VolumeDriver.Create`, `docker volume
 * ls` lists the volume with the plugin as driver, a container writes into the plugin's data
 * directory (Mount and Unmount called with the container's ID), `docker volume rm` reaches
 * `VolumeDriver.Remove`, an unknown driver is refused as Docker does, and a plugin's `Err`
 * answer reaches the user.
 * Runs against our engine, or with `MOBY_TEST_TARGET=dockerd` against Debian's dockerd.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dockerHard, ok, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';
import { startVolumePlugin, type VolumePluginHandle } from './support/volume-plugin.js';

const TEST_TIMEOUT = 90_000;

describe(`legacy volume plugins through the docker CLI (target: ${targetKind()})`, { timeout: 300_000 }, () => {
  let target: ContainerTarget | undefined;
  let env: NodeJS.ProcessEnv;
  let plugin: VolumePluginHandle | undefined;
  let dataDir: string;
  /**
   * Docker's plugin directory `/run/docker/plugins` as the engine sees it: the host's for ours;
   * for the reference dockerd, which runs with `<dir>/run` bound over `/run` in a mount namespace
   * of its own (bench/lib/reference-dockerd.ts), that directory seen from here.
   */
  let pluginDir = '/run/docker/plugins';
  const tag = randomBytes(4).toString('hex');
  const pluginName = `mobyt-vp-${tag}`;
  const d = (args: string[], opts?: { input?: string; timeoutMs?: number }) => dockerHard(env, args, { timeoutMs: 60_000, ...opts });
  const must = (args: string[], opts?: { input?: string; timeoutMs?: number }) => ok(env, args, opts);
  /** Methods called since `from` (an index into the plugin's request list). */
  const callsSince = (from: number) => plugin!.calls.slice(from);

  before(async () => {
    target = await startContainerTarget();
    env = target.dockerEnv;
    if (target.kind === 'dockerd') pluginDir = join(dirname(target.socket), 'run', 'docker', 'plugins');
    await mkdir(pluginDir, { recursive: true });
    dataDir = join(target.scratch, `plugin-data-${tag}`);
    plugin = await startVolumePlugin({ dir: pluginDir, name: pluginName, dataDir });
  });
  after(async () => {
    // The engine first (it may hold the plugin's volumes), then the plugin and its socket.
    const errors: unknown[] = [];
    if (target) {
      await dockerHard(target.dockerEnv, ['rm', '-f', `pw-${tag}`]).catch(() => undefined);
      for (const v of ['pv', `pv2-${tag}`, `fails-${tag}`]) await dockerHard(target.dockerEnv, ['volume', 'rm', '-f', v]).catch(() => undefined);
    }
    await plugin?.close().catch((e: unknown) => errors.push(e));
    await rm(join(pluginDir, `${pluginName}.sock`), { force: true }).catch((e: unknown) => errors.push(e));
    await target?.cleanup().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw new AggregateError(errors, 'cleaning up the volume plugin test failed');
  });

  it('create, ls, run (Mount/Unmount with the container ID), rm: each reaches the plugin', { timeout: TEST_TIMEOUT }, async () => {
    const c = `pw-${tag}`;
    try {
      let from = plugin!.calls.length;
      assert.equal((await must(['volume', 'create', '-d', pluginName, 'pv'])).trim(), 'pv');
      assert.ok(
        callsSince(from).some((x) => x.method === 'VolumeDriver.Create' && x.args.Name === 'pv'),
        `VolumeDriver.Create of pv among ${plugin!.requests.join(', ')}`,
      );
      assert.ok(existsSync(join(dataDir, 'pv')), 'the plugin made the volume');

      const ls = (await must(['volume', 'ls', '--format', '{{.Driver}} {{.Name}}'])).trim().split('\n');
      assert.ok(ls.includes(`${pluginName} pv`), `"${pluginName} pv" in:\n${ls.join('\n')}`);
      const [info] = JSON.parse(await must(['volume', 'inspect', 'pv'])) as { Name: string; Driver: string; Scope: string }[];
      assert.equal(info!.Driver, pluginName);
      assert.equal(info!.Scope, 'local');

      from = plugin!.calls.length;
      await must(['run', '--name', c, '-v', 'pv:/data', 'busybox', 'sh', '-c', 'echo x > /data/f']);
      assert.equal(await readFile(join(dataDir, 'pv', 'f'), 'utf8'), 'x\n', "the container wrote into the plugin's data directory");
      const id = (await must(['inspect', '-f', '{{.Id}}', c])).trim();
      const during = callsSince(from);
      const mounts = during.filter((x) => x.method === 'VolumeDriver.Mount');
      const unmounts = during.filter((x) => x.method === 'VolumeDriver.Unmount');
      // The caller's ID: ours is the container's; dockerd 20.10 makes a random one per mount
      // point (volume/mounts.MountPoint.Setup). Either way Unmount names the same as Mount.
      const callerId = target!.kind === 'moby' ? id : mounts[0]?.args.ID;
      assert.match(callerId ?? '', /^[0-9a-f]{64}$/, `Mount calls: ${JSON.stringify(during)}`);
      assert.deepEqual(mounts.map((x) => x.args), [{ Name: 'pv', ID: callerId }], `Mount calls: ${JSON.stringify(during)}`);
      assert.deepEqual(unmounts.map((x) => x.args), [{ Name: 'pv', ID: callerId }], `Unmount calls: ${JSON.stringify(during)}`);
      assert.ok(during.findIndex((x) => x.method === 'VolumeDriver.Mount') < during.findIndex((x) => x.method === 'VolumeDriver.Unmount'), 'Mount before Unmount');
      const [m] = JSON.parse(await must(['inspect', '-f', '{{json .Mounts}}', c])) as { Type: string; Name: string; Driver: string; Destination: string }[];
      assert.deepEqual({ Type: m!.Type, Name: m!.Name, Driver: m!.Driver, Destination: m!.Destination }, { Type: 'volume', Name: 'pv', Driver: pluginName, Destination: '/data' });

      await must(['rm', c]);
      from = plugin!.calls.length;
      assert.equal((await must(['volume', 'rm', 'pv'])).trim(), 'pv');
      assert.ok(
        callsSince(from).some((x) => x.method === 'VolumeDriver.Remove' && x.args.Name === 'pv'),
        `VolumeDriver.Remove of pv among ${callsSince(from).map((x) => x.method).join(', ')}`,
      );
      assert.ok(!existsSync(join(dataDir, 'pv')), 'the plugin removed the volume');
      assert.doesNotMatch(await must(['volume', 'ls', '--format', '{{.Name}}']), /^pv$/m);
    } finally {
      await d(['rm', '-f', c]);
      await d(['volume', 'rm', '-f', 'pv']);
    }
  });

  it('docker run -v with a plugin volume that does not exist yet creates it through the plugin', { timeout: TEST_TIMEOUT }, async () => {
    const vol = `pv2-${tag}`;
    try {
      const from = plugin!.calls.length;
      assert.equal(await must(['run', '--rm', '--mount', `type=volume,src=${vol},dst=/v,volume-driver=${pluginName}`, 'busybox', 'sh', '-c', 'echo made > /v/g && cat /v/g']), 'made\n');
      const methods = callsSince(from).map((x) => x.method);
      assert.ok(methods.includes('VolumeDriver.Create'), methods.join(', '));
      assert.equal(await readFile(join(dataDir, vol, 'g'), 'utf8'), 'made\n');
      await must(['volume', 'rm', vol]);
      assert.ok(!existsSync(join(dataDir, vol)));
    } finally {
      await d(['volume', 'rm', '-f', vol]);
    }
  });

  it('an unknown driver is refused: plugin "nosuch" not found', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['volume', 'create', '-d', 'nosuch', 'v']);
    try {
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /plugin "nosuch" not found/);
      assert.doesNotMatch(await must(['volume', 'ls', '--format', '{{.Name}}']), /^v$/m);
    } finally {
      if (r.code === 0) await d(['volume', 'rm', '-f', 'v']);
    }
  });

  it("a plugin's Err answer is what the user sees", { timeout: TEST_TIMEOUT }, async () => {
    const vol = `fails-${tag}`;
    const msg = `no room at the inn ${tag}`;
    try {
      const from = plugin!.calls.length;
      const r = await d(['volume', 'create', '-d', pluginName, '-o', `fail=${msg}`, vol]);
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, new RegExp(msg));
      const create = callsSince(from).find((x) => x.method === 'VolumeDriver.Create');
      assert.deepEqual(create?.args, { Name: vol, Opts: { fail: msg } });
      assert.doesNotMatch(await must(['volume', 'ls', '--format', '{{.Name}}']), new RegExp(`^${vol}$`, 'm'));
    } finally {
      await d(['volume', 'rm', '-f', vol]);
    }
  });
});
