import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { isKind } from '../../lib/errdefs/index.js';
import type { JsonMessage } from './progress.js';
import { pull, pullAllTags } from './pull.js';
import { push } from './push.js';
import { buildImage, buildIndex, randomLayer, tempLayerStore } from './test-image.js';
import { startRegistry } from './test-registry.js';

const run = promisify(execFile);

test('a multi-platform index pulls linux/amd64 by default and honours the platform asked for', async (t) => {
  const registry = await startRegistry(t);
  const source = await tempLayerStore(t);
  const amd64 = await buildImage(source, [await randomLayer('amd64', 4096)]);
  const arm64 = await buildImage(source, [await randomLayer('arm64', 4096)], { platform: { os: 'linux', architecture: 'arm64' } });
  const index = await buildIndex(source, [
    { image: amd64, platform: { os: 'linux', architecture: 'amd64' } },
    { image: arm64, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  const pushed = await push(`${registry.host}/multi:1`, { layers: source, manifest: index.bytes });
  assert.equal(pushed.digest, index.digest);
  const raw = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/multi:1`])).stdout) as { manifests: unknown[] };
  assert.equal(raw.manifests.length, 2);

  const store = await tempLayerStore(t);
  const byDefault = await pull(`${registry.host}/multi:1`, { layers: store });
  assert.equal(byDefault.manifestDigest, amd64.manifestDigest);
  assert.equal(byDefault.indexDigest, index.digest);
  assert.equal(byDefault.repoDigest, `${registry.host}/multi@${index.digest}`);
  assert.equal((await store.content.info(arm64.layers[0]!.digest).catch((err) => err)).kind, 'not-found');

  const messages: JsonMessage[] = [];
  const arm = await pull(`${registry.host}/multi:1`, { layers: store, platform: 'linux/arm64', onProgress: (m) => messages.push(m) });
  assert.equal(arm.manifestDigest, arm64.manifestDigest);
  assert.equal(arm.configDigest, arm64.configDigest);
  assert.deepEqual(messages.at(-2), { status: `Digest: ${index.digest}` });
  const indexLabels = (await store.content.info(index.digest)).labels;
  assert.equal(indexLabels['containerd.io/gc.ref.content.m.1'], arm64.manifestDigest);

  await assert.rejects(pull(`${registry.host}/multi:1`, { layers: store, platform: 'linux/s390x' }), {
    kind: 'not-found', message: 'no matching manifest for linux/s390x in the manifest list entries',
  });
});

test('a single-platform image pulled for another platform is refused', async (t) => {
  const registry = await startRegistry(t);
  const source = await tempLayerStore(t);
  const image = await buildImage(source, [await randomLayer('x', 1024)]);
  await push(`${registry.host}/single:1`, { layers: source, manifest: image.manifest });
  const store = await tempLayerStore(t);
  await assert.rejects(pull(`${registry.host}/single:1`, { layers: store, platform: 'linux/arm64' }), {
    kind: 'not-found',
    message: `image with reference ${registry.host}/single:1 was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64`,
  });
  const byDigest = await pull(`${registry.host}/single@${image.manifestDigest}`, { layers: store, platform: 'linux/amd64' });
  assert.equal(byDigest.repoDigest, `${registry.host}/single@${image.manifestDigest}`);
});

test('pullAllTags pulls every tag the registry lists, with one status line for the name', async (t) => {
  const registry = await startRegistry(t);
  const source = await tempLayerStore(t);
  const one = await buildImage(source, [await randomLayer('one', 1024)]);
  const two = await buildImage(source, [await randomLayer('two', 1024)]);
  await push(`${registry.host}/bb:1`, { layers: source, manifest: one.manifest });
  await push(`${registry.host}/bb:2`, { layers: source, manifest: two.manifest });
  const store = await tempLayerStore(t);
  const messages: JsonMessage[] = [];
  const { images } = await pullAllTags(`${registry.host}/bb`, { layers: store, onProgress: (m) => messages.push(m) });
  assert.deepEqual(images.map((i) => [i.reference, i.configDigest]).sort(), [[`${registry.host}/bb:1`, one.configDigest], [`${registry.host}/bb:2`, two.configDigest]]);
  assert.deepEqual(messages.filter((m) => m.status?.startsWith('Status:')), [{ status: `Status: Downloaded newer image for ${registry.host}/bb` }]);
  assert.deepEqual(messages.filter((m) => m.status === 'Pulling from bb').map((m) => m.id).sort(), ['1', '2']);
  assert.ok(isKind(await pullAllTags(`${registry.host}/none`, { layers: store }).catch((e) => e), 'not-found'));
});
