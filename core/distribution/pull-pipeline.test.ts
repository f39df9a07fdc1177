import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { digestOf } from '../content/index.js';
import { mediaTypes } from '../image/oci.js';
import type { LayerStore } from '../layers/layer-store.js';
import { chainId } from '../snapshots/index.js';
import type { JsonMessage } from './progress.js';
import { shortId } from './progress.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { buildImage, busyboxTar, randomLayer, tempLayerStore, type BuiltImage } from './test-image.js';
import { TestProxy } from './test-proxy.js';
import { startRegistry } from './test-registry.js';

const MiB = 1024 * 1024;

/** `bb:1` (a busybox layer, then a random one of `bigSize`) behind a proxy; `wrongDiffId` stores a config whose first diff ID is wrong. */
async function setUp(t: TestContext, bigSize: number, opts: { wrongDiffId?: boolean } = {}) {
  const registry = await startRegistry(t);
  const source = await tempLayerStore(t);
  const image = await buildImage(source, [await busyboxTar(), await randomLayer('big', bigSize)], { gzip: false });
  const manifest = opts.wrongDiffId ? await withWrongFirstDiffId(source, image) : image.manifest;
  await push(`${registry.host}/bb:1`, { layers: source, manifest });
  const proxy = await TestProxy.start(t, registry.port);
  return { proxy, image, big: image.layers[1]! };
}

async function withWrongFirstDiffId(store: LayerStore, image: BuiltImage): Promise<Buffer> {
  const config = JSON.parse(image.config.toString());
  config.rootfs.diff_ids[0] = digestOf('not this layer');
  const bytes = Buffer.from(JSON.stringify(config));
  await store.content.put(bytes, { expected: digestOf(bytes) });
  const manifest = JSON.parse(image.manifest.toString());
  manifest.config = { mediaType: mediaTypes.dockerConfig, size: bytes.length, digest: digestOf(bytes) };
  const out = Buffer.from(JSON.stringify(manifest));
  await store.content.put(out, { expected: digestOf(out) });
  return out;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await check()); await delay(10)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

test('a layer is unpacked as soon as it is stored, while a later layer still downloads', async (t) => {
  const { proxy, image, big } = await setUp(t, 4 * MiB);
  const store = await tempLayerStore(t);
  const hold = proxy.holdAfter(big.digest, MiB);
  const messages: JsonMessage[] = [];
  const pulling = pull(`${proxy.host}/bb:1`, { layers: store, retries: 1, retryDelayMs: 0, onProgress: (m) => messages.push(m) });
  await hold.reached;
  const bottom = image.layers[0]!;
  await until('the bottom layer to be unpacked', () => messages.some((m) => m.status === 'Pull complete' && m.id === shortId(bottom.digest)));
  assert.equal((await store.snapshots.stat(chainId([bottom.diffId]))).kind, 'committed');
  assert.ok(!messages.some((m) => m.status === 'Download complete' && m.id === shortId(big.digest)), 'the big layer is still downloading');
  hold.cut(); // the retry resumes it
  const pulled = await pulling;
  assert.deepEqual(pulled.diffIds, image.layers.map((l) => l.diffId));
  const steps = (id: string) => messages.filter((m) => m.id === id).map((m) => m.status).filter((s, i, all) => s !== all[i - 1]);
  for (const layer of image.layers) {
    assert.deepEqual(steps(shortId(layer.digest)), ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);
  }
});

test('an unpack that fails stops the downloads still running and is what the pull throws', async (t) => {
  const { proxy, big } = await setUp(t, 4 * MiB, { wrongDiffId: true });
  const store = await tempLayerStore(t);
  proxy.holdAfter(big.digest, MiB); // never released: only the cancellation ends this download
  await assert.rejects(pull(`${proxy.host}/bb:1`, { layers: store }), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'data-loss');
    assert.match(err.message, /does not match the expected/);
    return true;
  });
  assert.deepEqual(await store.snapshots.list(), []);
  const ingests = (await store.content.listIngests()).filter((i) => i.expected === big.digest);
  assert.equal(ingests.length, 1, 'the cancelled download stays as an ingest, to be resumed');
  assert.ok(ingests[0]!.offset <= MiB);
});
