import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { SnapshotMetaStore, SnapshotRecord } from './meta-store.js';

/**
 * Opens stores over one fresh backing storage for a test: each `open()` must
 * see what earlier stores saved, as a restarted process would.
 */
export type MetaStoreFactory = (t: TestContext) => Promise<{ open(): SnapshotMetaStore }>;

function record(key: string, id: string, parent?: string): SnapshotRecord {
  const now = new Date(0).toISOString();
  return { id, key, parent, kind: 'committed', labels: { a: 'b' }, created: now, updated: now, usage: { size: 4096, inodes: 1 } };
}

/** The behaviour every `SnapshotMetaStore` must show. */
export function metaStoreConformance(name: string, make: MetaStoreFactory): void {
  describe(`${name} (SnapshotMetaStore conformance)`, () => {
    test('update saves records that a store opened later reads back whole', async (t) => {
      const backing = await make(t);
      const store = backing.open();
      await store.update((tx) => tx.put(record('base', tx.nextId())));
      await store.update((tx) => tx.put(record('top', tx.nextId(), 'base')));
      await store.close();
      const again = backing.open();
      t.after(() => again.close());
      assert.deepEqual(await again.read((tx) => tx.get('top')), record('top', '2', 'base'));
      assert.deepEqual((await again.read((tx) => tx.list().map((r) => r.key))).sort(), ['base', 'top']);
      assert.equal(await again.read((tx) => tx.hasChildren('base')), true);
      assert.equal(await again.read((tx) => tx.hasChildren('top')), false);
    });

    test('nextId never hands out an id twice, across removals and reopening', async (t) => {
      const backing = await make(t);
      const store = backing.open();
      const first = await store.update((tx) => tx.nextId());
      await store.update((tx) => tx.put(record('x', tx.nextId())));
      await store.update((tx) => tx.delete('x'));
      await store.close();
      const again = backing.open();
      t.after(() => again.close());
      const later = await again.update((tx) => tx.nextId());
      assert.equal(new Set([first, '2', later]).size, 3);
    });

    test('update discards every change when its function throws', async (t) => {
      const store = (await make(t)).open();
      t.after(() => store.close());
      await store.update((tx) => tx.put(record('kept', tx.nextId())));
      await assert.rejects(store.update((tx) => {
        tx.delete('kept');
        tx.put(record('lost', tx.nextId()));
        throw new Error('boom');
      }), /boom/);
      assert.deepEqual(await store.read((tx) => tx.list().map((r) => r.key)), ['kept']);
    });

    test('keys that look like object properties are ordinary keys', async (t) => {
      const store = (await make(t)).open();
      t.after(() => store.close());
      await store.update((tx) => tx.put(record('__proto__', tx.nextId())));
      assert.equal(await store.read((tx) => tx.get('__proto__')?.key), '__proto__');
      assert.equal(await store.read((tx) => tx.get('constructor')), undefined);
    });
  });
}
