import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { isKind, type ErrorKind } from '../../lib/errdefs/index.js';
import { MetadataStore } from './metadata-store.js';

let root: string;
let store: MetadataStore;
const now = new Date('2024-01-01T00:00:00Z');
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'moby-metadata-'));
  store = MetadataStore.open(root, { clock: () => now });
});
afterEach(async () => {
  store.close();
  await rm(root, { recursive: true, force: true });
});

const kind = (k: ErrorKind, text?: string) => (err: Error) => isKind(err, k) && (!text || err.message.includes(text));

test('SnapshotTable.create records a chain on committed parents; get, list and children read it back', () => {
  store.update((tx) => {
    tx.snapshots.create({ key: 'l1', kind: 'committed' });
    tx.snapshots.create({ key: 'l2', parent: 'l1', kind: 'committed', labels: { a: 'b' } });
    tx.snapshots.create({ key: 'rootfs', parent: 'l2', kind: 'active' });
  });
  assert.deepEqual(store.view((tx) => tx.snapshots.get('l2')), {
    key: 'l2', parent: 'l1', kind: 'committed', labels: { a: 'b' }, createdAt: now, updatedAt: now,
  });
  assert.equal(store.view((tx) => tx.snapshots.get('l1')).parent, undefined);
  assert.deepEqual(store.view((tx) => tx.snapshots.list().map((s) => s.key)), ['l1', 'l2', 'rootfs']);
  assert.deepEqual(store.view((tx) => tx.snapshots.children('l2')), ['rootfs']);
});

test('SnapshotTable.create refuses a duplicate key, a missing parent and an uncommitted parent', () => {
  store.update((tx) => tx.snapshots.create({ key: 'work', kind: 'active' }));
  assert.throws(() => store.update((tx) => tx.snapshots.create({ key: 'work', kind: 'active' })), kind('already-exists', 'work'));
  assert.throws(() => store.update((tx) => tx.snapshots.create({ key: 'x', parent: 'gone', kind: 'active' })), kind('not-found', 'gone'));
  assert.throws(
    () => store.update((tx) => tx.snapshots.create({ key: 'x', parent: 'work', kind: 'active' })),
    kind('failed-precondition', 'not committed'),
  );
  assert.throws(() => store.update((tx) => tx.snapshots.create({ key: 'y', kind: 'frozen' as never })), kind('invalid-argument'));
});

test('SnapshotTable.update changes kind and labels but keeps a parent committed while it has children', () => {
  store.update((tx) => {
    tx.snapshots.create({ key: 'base', kind: 'active' });
    tx.snapshots.update('base', { kind: 'committed', labels: { x: 'y' } });
    tx.snapshots.create({ key: 'child', parent: 'base', kind: 'view' });
  });
  assert.deepEqual(store.view((tx) => tx.snapshots.get('base').labels), { x: 'y' });
  assert.throws(() => store.update((tx) => tx.snapshots.update('base', { kind: 'active' })), kind('failed-precondition', 'children'));
});

test('SnapshotTable.delete refuses a parent with children, then removes it and its edges once they are gone', () => {
  store.update((tx) => {
    tx.snapshots.create({ key: 'base', kind: 'committed' });
    tx.snapshots.create({ key: 'child', parent: 'base', kind: 'active' });
    tx.refs.add({ kind: 'snapshot', id: 'base' }, { kind: 'snapshot', id: 'other' });
  });
  assert.throws(() => store.update((tx) => tx.snapshots.delete('base')), kind('failed-precondition', 'child'));
  store.update((tx) => {
    tx.snapshots.delete('child');
    tx.snapshots.delete('base');
  });
  assert.deepEqual(store.view((tx) => [tx.snapshots.list(), tx.refs.children({ kind: 'snapshot', id: 'base' })]), [[], []]);
  assert.throws(() => store.update((tx) => tx.snapshots.delete('base')), kind('not-found', 'base'));
});

test('SnapshotTable keeps a snapshotter id, usage and given times, and refuses an id already in use', () => {
  const created = new Date('2020-01-01T00:00:00Z');
  const updated = new Date('2021-01-01T00:00:00Z');
  store.update((tx) => {
    tx.snapshots.create({ key: 'a', kind: 'active', snapshotterId: '7', createdAt: created });
    tx.snapshots.update('a', { kind: 'committed', usage: { size: 4096, inodes: 2 }, updatedAt: updated });
  });
  assert.deepEqual(store.view((tx) => tx.snapshots.get('a')), {
    key: 'a', kind: 'committed', labels: {}, createdAt: created, updatedAt: updated, snapshotterId: '7', usage: { size: 4096, inodes: 2 },
  });
  assert.throws(() => store.update((tx) => tx.snapshots.create({ key: 'b', kind: 'active', snapshotterId: '7' })), kind('already-exists', '7'));
  assert.throws(
    () => store.update((tx) => tx.snapshots.update('a', { usage: { size: -1, inodes: 0 } })),
    kind('invalid-argument', 'usage'),
  );
});
