import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test, type TestContext } from 'node:test';
import { digestOf } from '../content/index.js';
import { fetchBlob, type FetchBlobOptions } from './fetch-blob.js';
import { RegistryClient } from './registry-client.js';
import { json, startFakeServer } from './test-fake-registry.js';
import { tempLayerStore } from './test-image.js';

const blob = Buffer.from('0123456789abcdefghij');
const digest = digestOf(blob);

async function setUp(t: TestContext, serve: (res: ServerResponse) => void) {
  const server = await startFakeServer(t, (req, res) => (req.url === '/v2/' ? json(res, 200, {}) : serve(res)));
  const client = new RegistryClient({ registry: server.host });
  t.after(() => client.close());
  const store = await tempLayerStore(t);
  const opts: FetchBlobOptions = { client, repo: 'bb', content: store.content, digest, size: blob.length, ref: `layer-${digest}` };
  return { server, store, opts };
}

test('fetchBlob resumes from the ingest offset; a registry ignoring Range has the known prefix skipped', async (t) => {
  const { server, store, opts } = await setUp(t, (res) => res.writeHead(200).end(blob));
  const writer = await store.content.writer(opts.ref, { expected: digest, size: blob.length });
  await writer.write(blob.subarray(0, 7));
  await writer.close();
  let started = -1;
  assert.equal(await fetchBlob({ ...opts, onStart: (offset) => (started = offset) }), true);
  assert.equal(started, 7);
  assert.equal(server.requests.at(-1)!.headers.range, 'bytes=7-');
  assert.deepEqual(await store.content.readAll(digest), blob);
  assert.equal(await fetchBlob(opts), false, 'present: nothing fetched');
});

test('fetchBlob refuses more bytes than the descriptor says, keeping nothing', async (t) => {
  const { store, opts } = await setUp(t, (res) => res.writeHead(200).end(Buffer.concat([blob, blob])));
  await assert.rejects(fetchBlob(opts), { kind: 'data-loss' });
  assert.deepEqual(await store.content.listIngests(), []);
});

test('fetchBlob of a blob another fetch is writing waits for it instead of downloading twice', async (t) => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const { server, opts } = await setUp(t, (res) => void released.then(() => res.writeHead(200).end(blob)));
  const first = fetchBlob(opts);
  while (server.requests.length < 2) await new Promise((resolve) => setImmediate(resolve)); // polls for the first blob request
  const second = fetchBlob(opts);
  release();
  assert.deepEqual(await Promise.all([first, second]), [true, false]);
  assert.equal(server.requests.filter((r) => r.url.includes('/blobs/')).length, 1);
});
