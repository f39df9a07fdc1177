import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { startVolumePlugin, type VolumePluginHandle } from '../../test/support/volume-plugin.js';
import { PluginStore } from './plugin-store.js';

interface Setup {
  store: PluginStore;
  plugin: VolumePluginHandle;
  base: string;
}

/** The test volume plugin `vp` in `<tmp>/run`, a store looking there and in `<tmp>/etc`. */
async function withStore(fn: (s: Setup) => Promise<void>): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'plugin-store-'));
  mkdirSync(join(base, 'etc'));
  const store = new PluginStore({ dirs: { socketDirs: [join(base, 'run')], specDirs: [join(base, 'etc')] }, retryMs: 200 });
  let plugin: VolumePluginHandle | undefined;
  try {
    plugin = await startVolumePlugin({ dir: join(base, 'run'), name: 'vp', dataDir: join(base, 'data') });
    await fn({ store, plugin, base });
  } finally {
    await store.close();
    await plugin?.close();
    rmSync(base, { recursive: true, force: true });
  }
}

describe('PluginStore', () => {
  it('activates a plugin once and calls it', () =>
    withStore(async ({ store, plugin }) => {
      const [a, b] = await Promise.all([store.get('vp', 'VolumeDriver'), store.get('vp', 'VolumeDriver')]);
      assert.equal(a, b);
      assert.deepEqual(a.implements, ['VolumeDriver']);
      assert.equal(a.addr, `unix://${plugin.socketPath}`);
      assert.deepEqual(await a.call('VolumeDriver.Capabilities', {}), { Capabilities: { Scope: 'local' } });
      await store.get('vp', 'VolumeDriver');
      assert.deepEqual(plugin.requests, ['Plugin.Activate', 'VolumeDriver.Capabilities']);
    }));

  it('answers not-found with Docker\'s text for a missing plugin or a missing capability', () =>
    withStore(async ({ store }) => {
      await assert.rejects(store.get('nosuch', 'VolumeDriver'), (err) =>
        isKind(err, 'not-found') && (err as Error).message === 'error looking up volume plugin nosuch: plugin "nosuch" not found');
      await assert.rejects(store.get('vp', 'NetworkDriver'), (err) =>
        isKind(err, 'not-found') && (err as Error).message === 'error looking up network plugin vp: plugin "vp" not found');
    }));

  it('does not cache a failed activation: a plugin that comes up later is found', () =>
    withStore(async ({ store, base }) => {
      await assert.rejects(store.get('late', 'VolumeDriver'), (err) => isKind(err, 'not-found'));
      const late = await startVolumePlugin({ dir: join(base, 'run'), name: 'late', dataDir: join(base, 'late-data') });
      try {
        assert.deepEqual((await store.get('late', 'VolumeDriver')).implements, ['VolumeDriver']);
      } finally {
        await late.close();
      }
    }));

  it('reports a discovered plugin that does not answer as unavailable', () =>
    withStore(async ({ store, base }) => {
      writeFileSync(join(base, 'etc', 'dead.spec'), `unix://${join(base, 'nobody-here.sock')}`);
      await assert.rejects(store.get('dead', 'VolumeDriver'), (err) => isKind(err, 'unavailable'));
    }));

  it('lists discoverable plugins, and with a capability only the activated ones that implement it', () =>
    withStore(async ({ store, plugin, base }) => {
      writeFileSync(join(base, 'etc', 'dead.spec'), `unix://${join(base, 'nobody-here.sock')}`);
      const all = await store.list();
      assert.deepEqual(all.map((p) => p.Name), ['vp', 'dead']);
      assert.equal(all[0]!.Implements, undefined, 'listing alone activates nothing');
      assert.deepEqual(plugin.requests, []);
      assert.deepEqual(await store.list('VolumeDriver'), [{ Name: 'vp', Addr: `unix://${plugin.socketPath}`, Implements: ['VolumeDriver'] }]);
      assert.deepEqual(await store.list('authz'), []);
    }));

  it('refuses to work once closed', () =>
    withStore(async ({ store }) => {
      await store.close();
      await assert.rejects(store.get('vp', 'VolumeDriver'), (err) => isKind(err, 'failed-precondition'));
    }));
});
