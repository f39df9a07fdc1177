import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonMetaStore } from './json-meta-store.js';
import type { SnapshotRecord } from './meta-store.js';

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'moby-meta-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'metadata.json');
}

function record(key: string, id: string, parent?: string): SnapshotRecord {
  const now = new Date(0).toISOString();
  return { id, key, parent, kind: 'committed', labels: {}, created: now, updated: now };
}

test('JsonMetaStore.update saves records that a new store on the same file reads', async (t) => {
  const file = tempFile(t);
  const store = new JsonMetaStore(file);
  await store.update((tx) => tx.put(record('base', tx.nextId())));
  await store.update((tx) => tx.put(record('top', tx.nextId(), 'base')));
  await store.close();
  const again = new JsonMetaStore(file);
  const keys = await again.read((tx) => tx.list().map((r) => `${r.id}:${r.key}`));
  assert.deepEqual(keys.sort(), ['1:base', '2:top']);
  assert.equal(await again.read((tx) => tx.hasChildren('base')), true);
  assert.equal(await again.update((tx) => tx.nextId()), '3');
});

test('JsonMetaStore.update discards every change when the function throws', async (t) => {
  const store = new JsonMetaStore(tempFile(t));
  await store.update((tx) => tx.put(record('kept', tx.nextId())));
  await assert.rejects(store.update((tx) => {
    tx.delete('kept');
    tx.put(record('lost', tx.nextId()));
    throw new Error('boom');
  }), /boom/);
  assert.deepEqual(await store.read((tx) => tx.list().map((r) => r.key)), ['kept']);
  assert.equal(await store.update((tx) => tx.nextId()), '2');
});

test('JsonMetaStore keeps keys that collide with object properties apart', async (t) => {
  const store = new JsonMetaStore(tempFile(t));
  await store.update((tx) => tx.put(record('__proto__', tx.nextId())));
  assert.equal(await store.read((tx) => tx.get('__proto__')?.id), '1');
  assert.equal(await store.read((tx) => tx.get('constructor')), undefined);
});

test('JsonMetaStore.read refuses writes', async (t) => {
  const store = new JsonMetaStore(tempFile(t));
  await assert.rejects(store.read((tx) => tx.nextId()), /write in a read transaction/);
});

test('JsonMetaStore refuses calls after close', async (t) => {
  const store = new JsonMetaStore(tempFile(t));
  await store.close();
  await assert.rejects(store.read((tx) => tx.list()), /closed/);
});
