import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import type { LayerStore } from '../layers/layer-store.js';
import { chainId } from '../snapshots/index.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { buildImage, busyboxTar, randomLayer, tempLayerStore, type BuiltImage } from './test-image.js';
import { TestProxy } from './test-proxy.js';
import { startRegistry, type TestRegistry } from './test-registry.js';

const MiB = 1024 * 1024;

/** A registry holding `bb:1` (a busybox layer and a large random one, uncompressed), and a proxy in front of it. */
async function setUp(t: TestContext, bigSize: number): Promise<{ registry: TestRegistry; proxy: TestProxy; image: BuiltImage; big: BuiltImage['layers'][number] }> {
  const registry = await startRegistry(t);
  const source = await tempLayerStore(t);
  const image = await buildImage(source, [await busyboxTar(), await randomLayer('big', bigSize)], { gzip: false });
  await push(`${registry.host}/bb:1`, { layers: source, manifest: image.manifest });
  const proxy = await TestProxy.start(t, registry.port);
  return { registry, proxy, image, big: image.layers[1]! };
}

async function has(store: LayerStore, digest: string): Promise<boolean> {
  return store.content.info(digest).then(() => true, (err) => (isKind(err, 'not-found') ? false : Promise.reject(err)));
}

test('pull of a blob served with wrong content is data-loss and stores nothing of it', async (t) => {
  const { proxy, image, big } = await setUp(t, 256 * 1024);
  proxy.corrupt(big.digest);
  const store = await tempLayerStore(t);
  await assert.rejects(pull(`${proxy.host}/bb:1`, { layers: store }), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'data-loss');
    assert.match(err.message, new RegExp(`failed to verify blob ${big.digest}`));
    return true;
  });
  assert.equal(await has(store, big.digest), false);
  // Only the corrupted blob's ingest must be gone; another layer still downloading when the pull
  // failed stays as an ingest, by design, so that the next pull resumes it.
  assert.deepEqual((await store.content.listIngests()).filter((i) => i.expected === big.digest), []);
  assert.equal(await has(store, image.manifestDigest), false, 'the manifest is stored only once everything it names is');
  // Layers unpack while later ones download: the layer below may be unpacked (under the pull's
  // lease, reused by the next pull), but nothing of the corrupted one or above it is.
  const below = chainId([image.layers[0]!.diffId]);
  assert.deepEqual((await store.snapshots.list()).map((s) => s.key).filter((key) => key !== below), []);
});

test('a pull cut off by a registry crash resumes after the restart and fetches only the missing bytes', async (t) => {
  const size = 24 * MiB;
  const { registry, proxy, image, big } = await setUp(t, size);
  const store = await tempLayerStore(t);
  const hold = proxy.holdAfter(big.digest, 5 * MiB);
  const first = pull(`${proxy.host}/bb:1`, { layers: store, retries: 0 });
  const failed = assert.rejects(first, { kind: 'unavailable' });
  await hold.reached;
  await registry.kill();
  hold.cut();
  await failed;

  // Another layer cut off mid-download keeps its ingest too: look at the big one's.
  const ingest = (await store.content.listIngests()).find((i) => i.expected === big.digest);
  assert.ok(ingest !== undefined, 'the interrupted download stays as an ingest');
  assert.ok(ingest.offset > 0 && ingest.offset <= 5 * MiB, `offset ${ingest.offset}`);
  await registry.start();
  const pulled = await pull(`${proxy.host}/bb:1`, { layers: store, retries: 0 });
  assert.equal(pulled.manifestDigest, image.manifestDigest);
  const gets = proxy.blobGets(big.digest);
  assert.equal(gets.length, 2);
  assert.equal(gets[1]!.range, `bytes=${ingest.offset}-`);
  assert.equal(gets[1]!.bytes, big.size - ingest.offset, 'only the missing bytes are served again');
  assert.equal((await store.content.info(big.digest)).size, big.size);
});

test('a transfer broken midway is retried within the same pull, from where it stopped', async (t) => {
  const { proxy, big } = await setUp(t, 4 * MiB);
  const store = await tempLayerStore(t);
  const hold = proxy.holdAfter(big.digest, MiB);
  void hold.reached.then(hold.cut);
  await pull(`${proxy.host}/bb:1`, { layers: store, retries: 1, retryDelayMs: 0 });
  const gets = proxy.blobGets(big.digest);
  assert.equal(gets.length, 2);
  assert.equal(gets[0]!.bytes, MiB);
  const start = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1]);
  assert.ok(start > 0 && start <= MiB, `resumed at ${start}`);
  assert.equal(gets[1]!.bytes, big.size - start);
  assert.equal((await store.content.info(big.digest)).size, big.size);
});
