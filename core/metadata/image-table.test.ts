import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { isKind, type ErrorKind } from '../../lib/errdefs/index.js';
import { digestOf } from '../content/index.js';
import { MetadataStore } from './metadata-store.js';

let root: string;
let store: MetadataStore;
let now = new Date('2024-01-01T00:00:00Z');
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'moby-metadata-'));
  store = MetadataStore.open(root, { clock: () => now });
});
afterEach(async () => {
  store.close();
  await rm(root, { recursive: true, force: true });
});

const kind = (k: ErrorKind, text?: string) => (err: Error) => isKind(err, k) && (!text || err.message.includes(text));
const manifest = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestOf('manifest'), size: 8 };
const other = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digestOf('index'), size: 5 };

test('ImageTable.create stores the name, target and labels; get and list return them', () => {
  const created = store.update((tx) => tx.images.create({ name: 'alpine:3', target: manifest, labels: { a: 'b' } }));
  assert.deepEqual(created, { name: 'alpine:3', target: manifest, labels: { a: 'b' }, createdAt: now, updatedAt: now });
  assert.deepEqual(store.view((tx) => tx.images.get('alpine:3')), created);
  store.update((tx) => tx.images.create({ name: 'busybox:1', target: other }));
  assert.deepEqual(store.view((tx) => tx.images.list().map((i) => i.name)), ['alpine:3', 'busybox:1']);
  assert.deepEqual(store.view((tx) => tx.images.list({ labels: { a: true } }).map((i) => i.name)), ['alpine:3']);
});

test('ImageTable.create of an existing name is already-exists', () => {
  store.update((tx) => tx.images.create({ name: 'alpine:3', target: manifest }));
  assert.throws(() => store.update((tx) => tx.images.create({ name: 'alpine:3', target: other })), kind('already-exists', 'alpine:3'));
});

test('ImageTable.update replaces target or labels and moves updatedAt only', () => {
  store.update((tx) => tx.images.create({ name: 'alpine:3', target: manifest, labels: { a: 'b' } }));
  const created = now;
  now = new Date('2024-02-01T00:00:00Z');
  const moved = store.update((tx) => tx.images.update('alpine:3', { target: other }));
  assert.deepEqual([moved.target, moved.labels, moved.createdAt, moved.updatedAt], [other, { a: 'b' }, created, now]);
  const relabelled = store.update((tx) => tx.images.update('alpine:3', { labels: {} }));
  assert.deepEqual([relabelled.target, relabelled.labels], [other, {}]);
});

test('ImageTable get, update and delete of a missing name are not-found', () => {
  assert.throws(() => store.view((tx) => tx.images.get('nope')), kind('not-found', 'image nope'));
  assert.throws(() => store.update((tx) => tx.images.update('nope', {})), kind('not-found', 'nope'));
  assert.throws(() => store.update((tx) => tx.images.delete('nope')), kind('not-found', 'nope'));
});

test('ImageTable.delete removes the image and the reference edges it owned', () => {
  store.update((tx) => {
    tx.images.create({ name: 'alpine:3', target: manifest });
    tx.refs.add({ kind: 'image', id: 'alpine:3' }, { kind: 'content', id: other.digest });
  });
  store.update((tx) => tx.images.delete('alpine:3'));
  assert.deepEqual(store.view((tx) => [tx.images.list(), tx.refs.children({ kind: 'image', id: 'alpine:3' })]), [[], []]);
});

test('ImageTable refuses malformed names, targets and labels with invalid-argument', () => {
  const bad = [
    { name: '', target: manifest },
    { name: 'x', target: { ...manifest, digest: 'sha256:short' } },
    { name: 'x', target: { ...manifest, mediaType: '' } },
    { name: 'x', target: { ...manifest, size: -1 } },
    { name: 'x', target: { ...manifest, size: 1.5 } },
    { name: 'x', target: manifest, labels: { k: 1 } },
  ];
  for (const image of bad) {
    assert.throws(() => store.update((tx) => tx.images.create(image as never)), kind('invalid-argument'), JSON.stringify(image));
  }
  assert.deepEqual(store.view((tx) => tx.images.list()), []);
});
