import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { distributionSourcePrefix } from './image-labels.js';
import type { JsonMessage } from './progress.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { buildImage, busyboxTar, randomLayer, tempLayerStore } from './test-image.js';
import { startRegistry } from './test-registry.js';

const run = promisify(execFile);

test('push then pull a busybox image through a real registry; skopeo sees the same digests', async (t) => {
  const registry = await startRegistry(t);
  const source = await tempLayerStore(t);
  const image = await buildImage(source, [await busyboxTar(), await randomLayer('data/blob', 3 * 1024 * 1024)]);
  const pushed: JsonMessage[] = [];
  const result = await push(`${registry.host}/bb:1`, {
    layers: source, manifest: image.manifest, config: image.config, onProgress: (m) => pushed.push(m), chunkSize: 1024 * 1024, monolithicLimit: 1024 * 1024,
  });
  assert.deepEqual(result, { tag: '1', digest: image.manifestDigest, size: image.manifest.length });
  assert.deepEqual(pushed[0], { status: `The push refers to repository [${registry.host}/bb]` });
  assert.deepEqual(pushed.at(-2), { status: `1: digest: ${image.manifestDigest} size: ${image.manifest.length}` });
  assert.deepEqual(pushed.at(-1), { progressDetail: {}, aux: { Tag: '1', Digest: image.manifestDigest, Size: image.manifest.length } });
  const layerId = image.layers[0]!.diffId.slice(7, 19);
  const steps = pushed.filter((m) => m.id === layerId).map((m) => m.status);
  assert.deepEqual([steps[0], steps.at(-1)], ['Preparing', 'Pushed']);
  assert.ok(steps.includes('Pushing'));

  const inspect = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/bb:1`])).stdout) as { Digest: string; Layers: string[] };
  assert.equal(inspect.Digest, image.manifestDigest);
  assert.deepEqual(inspect.Layers, image.layers.map((l) => l.digest));
  const raw = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/bb:1`]);
  assert.equal(raw.stdout, image.manifest.toString());

  const target = await tempLayerStore(t);
  const messages: JsonMessage[] = [];
  const pulled = await pull(`${registry.host}/bb:1`, { layers: target, onProgress: (m) => messages.push(m) });
  assert.equal(pulled.manifestDigest, image.manifestDigest);
  assert.equal(pulled.configDigest, image.configDigest);
  assert.equal(pulled.repoDigest, `${registry.host}/bb@${image.manifestDigest}`);
  assert.deepEqual(pulled.config, image.config);
  assert.deepEqual(pulled.diffIds, image.layers.map((l) => l.diffId));
  const [mount] = await target.snapshots.view('check', pulled.chainIds[0]!);
  assert.equal(mount?.type, 'bind');
  assert.deepEqual(readFileSync(join(mount!.source, 'bin/busybox')), readFileSync('/bin/busybox'));
  assert.deepEqual(messages[0], { status: 'Pulling from bb', id: '1' });
  assert.deepEqual(messages.at(-2), { status: `Digest: ${image.manifestDigest}` });
  assert.deepEqual(messages.at(-1), { status: `Status: Downloaded newer image for ${registry.host}/bb:1` });
  const id = image.layers[1]!.digest.slice(7, 19);
  const layerSteps = [...new Set(messages.filter((m) => m.id === id).map((m) => m.status))];
  assert.deepEqual(layerSteps, ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);
  const labels = (await target.content.info(image.layers[0]!.digest)).labels;
  assert.equal(labels[`${distributionSourcePrefix}${registry.host}`], 'bb');

  const again: JsonMessage[] = [];
  await pull(`${registry.host}/bb:1`, { layers: target, onProgress: (m) => again.push(m) });
  assert.deepEqual(again.filter((m) => m.id === id).map((m) => m.status), ['Already exists']);
  assert.deepEqual(again.at(-1), { status: `Status: Image is up to date for ${registry.host}/bb:1` });
  const retagged: JsonMessage[] = [];
  await pull(`${registry.host}/bb:1`, { layers: target, localImageId: 'sha256:0000', onProgress: (m) => retagged.push(m) });
  assert.deepEqual(retagged.at(-1), { status: `Status: Downloaded newer image for ${registry.host}/bb:1` }, 'the tag named another image');
});

test('push mounts a layer from another repository of the same registry, and skips what exists', async (t) => {
  const registry = await startRegistry(t);
  const store = await tempLayerStore(t);
  const image = await buildImage(store, [await randomLayer('a', 4096)]);
  await push(`${registry.host}/first:1`, { layers: store, manifest: image.manifest });
  const messages: JsonMessage[] = [];
  await push(`${registry.host}/second:1`, { layers: store, manifest: image.manifest, onProgress: (m) => messages.push(m) });
  const id = image.layers[0]!.diffId.slice(7, 19);
  assert.deepEqual(messages.filter((m) => m.id === id).map((m) => m.status), ['Preparing', 'Mounted from first']);
  const labels = (await store.content.info(image.layers[0]!.digest)).labels;
  assert.equal(labels[`${distributionSourcePrefix}${registry.host}`], 'first,second');
  messages.length = 0;
  await push(`${registry.host}/second:2`, { layers: store, manifest: image.manifest, onProgress: (m) => messages.push(m) });
  assert.deepEqual(messages.filter((m) => m.id === id).map((m) => m.status), ['Preparing', 'Layer already exists']);
});

test('pull of a missing tag is not-found with Docker\'s wording', async (t) => {
  const registry = await startRegistry(t);
  const store = await tempLayerStore(t);
  await assert.rejects(pull(`${registry.host}/bb:nope`, { layers: store }), {
    kind: 'not-found', message: `manifest for ${registry.host}/bb:nope not found: manifest unknown: manifest unknown`,
  });
});
