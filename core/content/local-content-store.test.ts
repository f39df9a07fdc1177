import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { contentStoreConformance } from './conformance.js';
import { digestOf } from './digest.js';
import type { LabelStore } from './label-store.js';
import { LocalContentStore } from './local-content-store.js';
import { pruneIngests } from './prune-ingests.js';

contentStoreConformance('LocalContentStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'moby-content-'));
  return {
    store: await LocalContentStore.open(root),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('LocalContentStore on disk', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'moby-content-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const data = Buffer.from('on-disk layout');
  const digest = digestOf(data);
  const hex = digest.slice('sha256:'.length);
  const ingestPath = (ref: string) => join(root, 'ingest', createHash('sha256').update(ref).digest('hex'));

  test('LocalContentStore.put keeps a read-only blob at blobs/sha256/<hex> and empties the ingest area', async () => {
    const store = await LocalContentStore.open(root);
    await store.put(data);
    const blob = await stat(join(root, 'blobs', 'sha256', hex));
    assert.equal(blob.size, data.length);
    assert.equal(blob.mode & 0o777, 0o444);
    assert.deepEqual(await readdir(join(root, 'ingest')), []);
  });

  test('LocalContentStore writer keeps an interrupted ingest in ingest/<sha256(ref)>/data', async () => {
    const store = await LocalContentStore.open(root);
    const writer = await store.writer('layer-sha256:abc/with/slashes');
    await writer.write(data.subarray(0, 3));
    await writer.close();
    assert.deepEqual(await readFile(join(ingestPath('layer-sha256:abc/with/slashes'), 'data')), data.subarray(0, 3));
  });

  test('LocalContentStore writer resumes an ingest left by an earlier store instance', async () => {
    const before = await LocalContentStore.open(root);
    const first = await before.writer('pull', { expected: digest });
    await first.write(data.subarray(0, 6));
    await first.close();
    const after = await LocalContentStore.open(root);
    const second = await after.writer('pull');
    assert.equal((await second.status()).offset, 6);
    await second.write(data.subarray(6));
    assert.equal(await second.commit(), digest);
  });

  test('LocalContentStore.open removes ingest directories that never finished opening', async () => {
    await mkdir(join(root, 'ingest', 'half-made'), { recursive: true });
    await writeFile(join(root, 'ingest', 'half-made', 'data'), 'junk');
    const store = await LocalContentStore.open(root);
    assert.deepEqual(await readdir(join(root, 'ingest')), []);
    assert.deepEqual(await store.listIngests(), []);
  });

  test('LocalContentStore keeps labels across instances and drops them with the blob', async () => {
    const first = await LocalContentStore.open(root);
    await first.put(data, { labels: { a: '1' } });
    const second = await LocalContentStore.open(root);
    assert.deepEqual((await second.info(digest)).labels, { a: '1' });
    await second.delete(digest);
    assert.deepEqual(await readdir(join(root, 'labels', 'sha256')), []);
  });

  test('LocalContentStore.updateLabels loses no edit when many run at once', async () => {
    const store = await LocalContentStore.open(root);
    await store.put(data);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.updateLabels(digest, { [`k${i}`]: String(i) })));
    assert.equal(Object.keys((await store.info(digest)).labels).length, 20);
  });

  test('LocalContentStore uses the LabelStore it is given', async () => {
    const seen: string[] = [];
    const labels: LabelStore = {
      get: async () => ({ labels: { from: 'fake' } }),
      update: async (d, changes) => (seen.push(`update ${d} ${Object.keys(changes).join()}`), { labels: {} }),
      delete: async (d) => void seen.push(`delete ${d}`),
    };
    const store = await LocalContentStore.open(root, { labels });
    await store.put(data, { labels: { x: 'y' } });
    assert.deepEqual((await store.info(digest)).labels, { from: 'fake' });
    await store.delete(digest);
    assert.deepEqual(seen, [`update ${digest} x`, `delete ${digest}`]);
  });
});

describe('pruneIngests', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'moby-content-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('pruneIngests removes ingests idle since before the cut-off and keeps fresh or held ones', async () => {
    const store = await LocalContentStore.open(root);
    const old = new Date('2020-01-01T00:00:00Z');
    for (const ref of ['stale', 'fresh', 'held']) {
      const writer = await store.writer(ref);
      await writer.write(Buffer.from(ref));
      await writer.close();
    }
    for (const ref of ['stale', 'held']) {
      const data = join(root, 'ingest', createHash('sha256').update(ref).digest('hex'), 'data');
      await utimes(data, old, old);
    }
    const held = await store.writer('held');
    try {
      assert.deepEqual(await pruneIngests(store, new Date('2021-01-01T00:00:00Z')), ['stale']);
      assert.deepEqual((await store.listIngests()).map((s) => s.ref).sort(), ['fresh', 'held']);
    } finally {
      await held.close();
    }
  });
});
