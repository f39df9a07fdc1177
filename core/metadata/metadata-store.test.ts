import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { isKind } from '../../lib/errdefs/index.js';
import { digestOf } from '../content/index.js';
import { MetadataStore } from './metadata-store.js';
import { migrations } from './migrations.js';

let root: string;
const opened: MetadataStore[] = [];
const open = (clock?: () => Date) => {
  const store = MetadataStore.open(root, { clock });
  opened.push(store);
  return store;
};
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'moby-metadata-'));
});
afterEach(async () => {
  for (const store of opened.splice(0)) store.close();
  await rm(root, { recursive: true, force: true });
});

const target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf('m'), size: 1 };

test('MetadataStore.open creates metadata.db at the current schema version and reopens it with its data', () => {
  const first = open();
  assert.equal(first.schemaVersion(), migrations.length);
  first.update((tx) => tx.kv.set('engine-id', 'abc'));
  first.close();
  opened.splice(0);
  const again = open();
  assert.equal(again.view((tx) => tx.kv.get('engine-id')), 'abc');
});

test('MetadataStore.open refuses a database written by a newer engine', () => {
  const db = new Database(join(root, 'metadata.db'));
  db.pragma(`user_version = ${migrations.length + 1}`);
  db.close();
  assert.throws(() => open(), (err: Error) => isKind(err, 'failed-precondition') && err.message.includes('newer'));
});

test('MetadataStore.update rolls everything back when the callback throws', () => {
  const store = open();
  assert.throws(() =>
    store.update((tx) => {
      tx.images.create({ name: 'a', target });
      tx.kv.set('k', 'v');
      throw new Error('boom');
    }),
  );
  assert.deepEqual(store.view((tx) => [tx.images.list(), tx.kv.list()]), [[], []]);
});

test('MetadataStore.update refuses an async callback and rolls back its synchronous part', () => {
  const store = open();
  assert.throws(
    () =>
      store.update(async (tx) => {
        tx.kv.set('k', 'v');
      }),
    (err: Error) => isKind(err, 'invalid-argument'),
  );
  assert.equal(store.view((tx) => tx.kv.get('k')), undefined);
});

test('MetadataStore.view refuses writes even through the full table objects', () => {
  const store = open();
  assert.throws(() => store.view((tx) => (tx as unknown as { kv: { set(k: string, v: string): void } }).kv.set('k', 'v')));
  store.update((tx) => tx.kv.set('k', 'v'));
  assert.equal(store.view((tx) => tx.kv.get('k')), 'v');
});

test('MetadataStore.update returns the callback result and stamps records with the injected clock', () => {
  const at = new Date('2024-05-01T12:00:00Z');
  const store = open(() => at);
  const image = store.update((tx) => tx.images.create({ name: 'busybox:latest', target }));
  assert.deepEqual([image.createdAt, image.updatedAt], [at, at]);
});

test('MetadataStore sees a write made through another handle on the same database', () => {
  const a = open();
  const b = open();
  a.update((tx) => tx.kv.set('shared', 'yes'));
  assert.equal(b.view((tx) => tx.kv.get('shared')), 'yes');
});
