import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { digestOf } from '../content/index.js';
import { MetadataStore } from './metadata-store.js';

let root: string;
let store: MetadataStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'moby-metadata-'));
  store = MetadataStore.open(root);
});
afterEach(async () => {
  store.close();
  await rm(root, { recursive: true, force: true });
});

const manifest = { kind: 'content', id: digestOf('manifest') };
const config = { kind: 'content', id: digestOf('config') };
const layer = { kind: 'content', id: digestOf('layer') };

test('RefTable.add records edges once; children and parents read them from either end', () => {
  store.update((tx) => {
    tx.refs.add(manifest, config);
    tx.refs.add(manifest, layer);
    tx.refs.add(manifest, layer);
    tx.refs.add({ kind: 'container', id: 'c1' }, layer);
  });
  assert.deepEqual(store.view((tx) => tx.refs.children(manifest)), [config, layer].sort((a, b) => (a.id < b.id ? -1 : 1)));
  assert.deepEqual(store.view((tx) => tx.refs.parents(layer)), [{ kind: 'container', id: 'c1' }, manifest]);
});

test('RefTable.remove drops one edge and removeFrom drops all of a parent’s', () => {
  store.update((tx) => {
    tx.refs.add(manifest, config);
    tx.refs.add(manifest, layer);
  });
  assert.equal(store.update((tx) => tx.refs.remove(manifest, config)), true);
  assert.equal(store.update((tx) => tx.refs.remove(manifest, config)), false);
  assert.equal(store.update((tx) => tx.refs.removeFrom(manifest)), 1);
  assert.deepEqual(store.view((tx) => tx.refs.children(manifest)), []);
});

test('RefTable.add refuses a content edge whose id is not a digest', () => {
  assert.throws(
    () => store.update((tx) => tx.refs.add(manifest, { kind: 'content', id: 'latest' })),
    (err: Error) => isKind(err, 'invalid-argument'),
  );
});

test('RootTable flags and unflags roots idempotently', () => {
  const container = { kind: 'container', id: 'c1' };
  store.update((tx) => {
    tx.roots.add(container);
    tx.roots.add(container);
  });
  assert.equal(store.view((tx) => tx.roots.has(container)), true);
  assert.deepEqual(store.view((tx) => tx.roots.list()), [container]);
  assert.equal(store.update((tx) => tx.roots.remove(container)), true);
  assert.equal(store.update((tx) => tx.roots.remove(container)), false);
  assert.equal(store.view((tx) => tx.roots.has(container)), false);
});

test('KvTable sets, overwrites, lists by prefix and deletes engine facts', () => {
  store.update((tx) => {
    tx.kv.set('engine/id', 'a');
    tx.kv.set('engine/id', 'b');
    tx.kv.set('engine/version', '1');
    tx.kv.set('engineering', 'x');
    tx.kv.set('other', 'y');
  });
  assert.equal(store.view((tx) => tx.kv.get('engine/id')), 'b');
  assert.deepEqual(store.view((tx) => tx.kv.list('engine/')), [['engine/id', 'b'], ['engine/version', '1']]);
  assert.equal(store.view((tx) => tx.kv.list()).length, 4);
  assert.equal(store.update((tx) => tx.kv.delete('other')), true);
  assert.equal(store.update((tx) => tx.kv.delete('other')), false);
  assert.equal(store.view((tx) => tx.kv.get('other')), undefined);
  assert.throws(() => store.update((tx) => tx.kv.set('', 'v')), (err: Error) => isKind(err, 'invalid-argument'));
});
