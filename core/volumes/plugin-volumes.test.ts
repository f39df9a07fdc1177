import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { startVolumePlugin, type VolumePluginHandle } from '../../test/support/volume-plugin.js';
import { PluginStore } from '../plugins/plugin-store.js';
import { LocalVolumeService } from './local-volume-service.js';

interface Setup {
  service: LocalVolumeService;
  plugin: VolumePluginHandle;
  dataDir: string;
  root: string;
}

/** A service whose plugin store sees only `<tmp>/plugins`, where the test plugin `vp` listens. */
async function withPlugin(fn: (s: Setup) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'volumes-plugin-'));
  const plugins = new PluginStore({ dirs: { socketDirs: [join(dir, 'plugins')], specDirs: [] }, retryMs: 200, timeoutMs: 5000 });
  const root = join(dir, 'volumes');
  const dataDir = join(dir, 'plugin-data');
  let plugin: VolumePluginHandle | undefined;
  let service: LocalVolumeService | undefined;
  try {
    plugin = await startVolumePlugin({ dir: join(dir, 'plugins'), name: 'vp', dataDir });
    service = LocalVolumeService.open({ root, plugins, now: () => new Date('2026-01-02T03:04:05Z') });
    await fn({ service, plugin, dataDir, root });
  } finally {
    await service?.close();
    await plugins.close();
    await plugin?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('LocalVolumeService with a legacy volume plugin', () => {
  it('creates, mounts, lists, inspects and removes a volume through the plugin', () =>
    withPlugin(async ({ service: s, plugin, dataDir }) => {
      const v = await s.create({ Name: 'remote', Driver: 'vp', DriverOpts: { speed: 'fast' }, Labels: { l: '1' } });
      assert.deepEqual(v, {
        CreatedAt: '2026-01-02T03:04:05Z', Driver: 'vp', Labels: { l: '1' }, Mountpoint: '', Name: 'remote', Options: { speed: 'fast' }, Scope: 'local',
      });
      assert.ok(existsSync(join(dataDir, 'remote')));

      const path = await s.mount('remote', 'c1');
      assert.equal(path, join(dataDir, 'remote'));
      writeFileSync(join(path, 'f'), 'x');
      const inspected = await s.inspect('remote');
      assert.equal(inspected.Mountpoint, path);
      assert.deepEqual(inspected.Status, { mounts: 1 });

      const { Volumes, Warnings } = await s.list();
      assert.deepEqual(Warnings, []);
      assert.deepEqual(Volumes.map((x) => [x.Name, x.Driver, x.Mountpoint]), [['remote', 'vp', path]]);
      assert.deepEqual((await s.usage()).map((x) => x.UsageData), [{ Size: -1, RefCount: 1 }]);

      await assert.rejects(s.remove('remote'), (err) => isKind(err, 'conflict'));
      await s.unmount('remote', 'c1');
      await s.remove('remote');
      assert.equal(existsSync(join(dataDir, 'remote')), false);
      for (const m of ['Plugin.Activate', 'VolumeDriver.Create', 'VolumeDriver.Mount', 'VolumeDriver.Get', 'VolumeDriver.List', 'VolumeDriver.Capabilities', 'VolumeDriver.Unmount', 'VolumeDriver.Remove']) {
        assert.ok(plugin.requests.includes(m), `${m} called`);
      }
      assert.equal(plugin.requests.filter((m) => m === 'Plugin.Activate').length, 1, 'activated once');
      assert.equal(plugin.requests.filter((m) => m === 'VolumeDriver.Mount').length, 1);
    }));

  it('remembers mounts across a reopen: the holder\'s unmount still reaches the plugin', () =>
    withPlugin(async ({ service: s, plugin, root }) => {
      await s.create({ Name: 'kept', Driver: 'vp' });
      await s.mount('kept', 'c1');
      await s.close();
      const plugins = new PluginStore({ dirs: { socketDirs: [join(root, '..', 'plugins')], specDirs: [] }, retryMs: 200, timeoutMs: 5000 });
      const again = LocalVolumeService.open({ root, plugins });
      try {
        await assert.rejects(again.remove('kept'), (err) => isKind(err, 'conflict'), 'still in use after the reopen');
        const before = plugin.requests.filter((m) => m === 'VolumeDriver.Unmount').length;
        await again.unmount('kept', 'c1');
        assert.equal(plugin.requests.filter((m) => m === 'VolumeDriver.Unmount').length, before + 1);
        await again.remove('kept');
      } finally {
        await again.close();
        await plugins.close();
      }
    }));

  it('passes the plugin\'s error text on, with Docker\'s context', () =>
    withPlugin(async ({ service: s }) => {
      await assert.rejects(s.create({ Name: 'bad', Driver: 'vp', DriverOpts: { fail: 'disk on fire' } }), { message: 'create bad: disk on fire' });
      await assert.rejects(s.inspect('bad'), (err) => isKind(err, 'not-found'));
    }));

  it('refuses the name of a plugin volume for the local driver, and the other way round', () =>
    withPlugin(async ({ service: s }) => {
      await s.create({ Name: 'shared', Driver: 'vp' });
      await s.create({ Name: 'mine' });
      await assert.rejects(s.create({ Name: 'shared', Driver: 'local' }), {
        message: "create shared: driver 'vp' already has volume 'shared': volume name must be unique",
      });
      await assert.rejects(s.create({ Name: 'mine', Driver: 'vp' }), (err) =>
        isKind(err, 'conflict') && (err as Error).message === "create mine: driver 'local' already has volume 'mine': volume name must be unique");
      assert.equal((await s.create({ Name: 'shared' })).Driver, 'vp', 'no driver asked: the existing one');
    }));

  it('lists volumes the plugin has that we did not create, and forgets those it lost', () =>
    withPlugin(async ({ service: s, dataDir }) => {
      await s.create({ Name: 'known', Driver: 'vp' });
      await s.create({ Name: 'lost', Driver: 'vp' });
      rmSync(join(dataDir, 'lost'), { recursive: true });
      writeFileSync(join(dataDir, 'stranger'), '');
      const names = (await s.list()).Volumes.map((v) => v.Name);
      assert.deepEqual(names, ['known', 'stranger']);
      await assert.rejects(s.inspect('lost'), { message: 'get lost: no such volume' });
      await s.create({ Name: 'lost', Driver: 'vp' });
      assert.ok(existsSync(join(dataDir, 'lost')), 'created again');
    }));

  it('still lists recorded volumes with a warning when the plugin is down; remove needs force', () =>
    withPlugin(async ({ service: s, plugin }) => {
      await s.create({ Name: 'orphan', Driver: 'vp' });
      await s.create({ Name: 'here' });
      await plugin.close();
      const { Volumes, Warnings } = await s.list();
      assert.deepEqual(Volumes.map((v) => [v.Name, v.Driver]), [['here', 'local'], ['orphan', 'vp']]);
      assert.equal(Warnings.length, 1);
      assert.match(Warnings[0]!, /^list vp: /);
      await assert.rejects(s.remove('orphan'), (err) => /^remove orphan: /.test((err as Error).message) && !isKind(err, 'conflict'));
      await s.remove('orphan', { force: true });
      assert.deepEqual((await s.list()).Volumes.map((v) => v.Name), ['here']);
    }));

  it('leaves plugin volumes out of prune', () =>
    withPlugin(async ({ service: s }) => {
      await s.create({ Driver: 'vp' });
      assert.deepEqual((await s.prune({ all: ['true'] })).VolumesDeleted, []);
      assert.equal((await s.list()).Volumes.length, 1);
    }));
});
