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
const blob = { kind: 'content', id: digestOf('blob') };
const snap = { kind: 'snapshot', id: 'key-1' };

test('LeaseTable.create records id, expiry and labels; get and list read them back', () => {
  const expiresAt = new Date('2024-01-02T00:00:00Z');
  store.update((tx) => {
    tx.leases.create({ id: 'pull-1', expiresAt, labels: { by: 'pull' } });
    tx.leases.create({ id: 'forever' });
  });
  assert.deepEqual(store.view((tx) => tx.leases.get('pull-1')), { id: 'pull-1', expiresAt, labels: { by: 'pull' }, createdAt: now });
  assert.equal(store.view((tx) => tx.leases.get('forever')).expiresAt, undefined);
  assert.deepEqual(store.view((tx) => tx.leases.list().map((l) => l.id)), ['forever', 'pull-1']);
  assert.throws(() => store.update((tx) => tx.leases.create({ id: 'forever' })), kind('already-exists', 'forever'));
  assert.throws(() => store.update((tx) => tx.leases.create({ id: 'bad', expiresAt: new Date('x') })), kind('invalid-argument'));
});

test('LeaseTable.expired lists leases whose expiry is at or before the given time', () => {
  store.update((tx) => {
    tx.leases.create({ id: 'early', expiresAt: new Date('2024-01-01T01:00:00Z') });
    tx.leases.create({ id: 'late', expiresAt: new Date('2024-01-03T00:00:00Z') });
    tx.leases.create({ id: 'forever' });
  });
  assert.deepEqual(store.view((tx) => tx.leases.expired(new Date('2024-01-01T01:00:00Z'))), ['early']);
  assert.deepEqual(store.view((tx) => tx.leases.expired(new Date('2025-01-01T00:00:00Z'))), ['early', 'late']);
});

test('LeaseTable resources are added idempotently, listed, removed, and dropped with the lease', () => {
  store.update((tx) => {
    tx.leases.create({ id: 'pull' });
    tx.leases.addResource('pull', blob);
    tx.leases.addResource('pull', blob);
    tx.leases.addResource('pull', snap);
  });
  assert.deepEqual(store.view((tx) => tx.leases.resources('pull')), [blob, snap]);
  assert.equal(store.update((tx) => tx.leases.removeResource('pull', snap)), true);
  assert.equal(store.update((tx) => tx.leases.removeResource('pull', snap)), false);
  store.update((tx) => tx.leases.delete('pull'));
  store.update((tx) => tx.leases.create({ id: 'pull' }));
  assert.deepEqual(store.view((tx) => tx.leases.resources('pull')), []);
});

test('LeaseTable operations on a missing lease are not-found and bad resources invalid-argument', () => {
  assert.throws(() => store.view((tx) => tx.leases.get('nope')), kind('not-found', 'lease nope'));
  assert.throws(() => store.update((tx) => tx.leases.delete('nope')), kind('not-found', 'nope'));
  assert.throws(() => store.update((tx) => tx.leases.addResource('nope', blob)), kind('not-found', 'nope'));
  store.update((tx) => tx.leases.create({ id: 'l' }));
  assert.throws(() => store.update((tx) => tx.leases.addResource('l', { kind: 'content', id: 'sha256:x' })), kind('invalid-argument'));
  assert.throws(() => store.update((tx) => tx.leases.addResource('l', { kind: 'Bad Kind', id: 'x' })), kind('invalid-argument'));
});
