import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { isKind } from '../../lib/errdefs/index.js';
import { digestHex, digestOf } from '../content/index.js';
import { randomLayer } from '../distribution/test-image.js';
import { startRegistry } from '../distribution/test-registry.js';
import type { EventDraft } from '../events/event-message.js';
import { mediaTypes } from '../image/oci.js';
import { LocalLayerStore } from '../layers/local-layer-store.js';
import type { JsonMessage, ProgressEvent } from './image-store.js';
import { LocalImageStore } from './local-image-store.js';
import { gzipLabel } from './push-manifest.js';
import { blobDigests, busyboxRootfs, drain, field, importTar, snapshotKeys } from './test-support.js';

const run = promisify(execFile);

interface Store {
  store: LocalImageStore;
  layers: LocalLayerStore;
  events: EventDraft[];
}

/** A store that records the events it publishes, removed when the test ends. */
async function eventStore(t: TestContext): Promise<Store> {
  const root = await mkdtemp(join(tmpdir(), 'moby-images-dist-'));
  const events: EventDraft[] = [];
  let layers: LocalLayerStore | undefined;
  let store: LocalImageStore | undefined;
  t.after(async () => {
    await store?.close();
    await layers?.close();
    await rm(root, { recursive: true, force: true });
  });
  layers = await LocalLayerStore.open(join(root, 'layers'));
  store = await LocalImageStore.open({ root: join(root, 'images'), layers, publish: (e) => events.push(e) });
  return { store, layers, events };
}

/** The messages before a failure, and the failure. */
async function failure<T>(events: AsyncIterable<ProgressEvent<T>>): Promise<{ messages: JsonMessage[]; error: Error }> {
  const messages: JsonMessage[] = [];
  try {
    for await (const event of events) if ('message' in event) messages.push(event.message);
  } catch (error) {
    return { messages, error: error as Error };
  }
  throw new Error('the stream did not fail');
}

const actions = (events: EventDraft[]) => events.map((e) => `${e.action} ${e.actor.id} ${e.actor.attributes.name}`);

test('push of an imported image gzips its layer once, records the pushed digest, and pull brings the same image back', async (t) => {
  const registry = await startRegistry(t);
  const source = await eventStore(t);
  const id = await importTar(source.store, await busyboxRootfs(), 'bb:src', ['LABEL team=core']);
  await source.store.tag('bb:src', `${registry.host}/bb`, '1');
  source.events.length = 0;

  const { messages, result } = await drain(source.store.push(`${registry.host}/bb:1`));
  const [pushed] = result.pushed;
  assert.equal(pushed?.tag, '1');
  assert.deepEqual(messages[0], { status: `The push refers to repository [${registry.host}/bb]` });
  assert.equal(messages.filter((m) => m.status?.startsWith('The push refers')).length, 1);
  assert.deepEqual(messages.at(-1), { progressDetail: {}, aux: { Tag: '1', Digest: pushed!.digest, Size: pushed!.size } });
  const raw = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/bb:1`])).stdout);
  assert.equal(raw.mediaType, mediaTypes.dockerManifest);
  assert.equal(raw.config.digest, id);
  assert.deepEqual(raw.layers.map((l: { mediaType: string }) => l.mediaType), [mediaTypes.dockerLayerGzip]);
  const inspected = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/bb:1`])).stdout);
  assert.equal(inspected.Digest, pushed!.digest);
  assert.deepEqual(field(await source.store.inspect(`${registry.host}/bb:1`), 'RepoDigests'), [`${registry.host}/bb@${pushed!.digest}`]);
  assert.deepEqual(actions(source.events), [`push ${registry.host}/bb:1 ${registry.host}/bb`]);
  assert.equal(source.events[0]!.actor.attributes.team, 'core', 'the image labels travel with the event');

  const again = await drain(source.store.push(`${registry.host}/bb:1`));
  assert.equal(again.result.pushed[0]!.digest, pushed!.digest, 'the same bytes: the gzip was kept');
  assert.ok(again.messages.some((m) => m.status === 'Layer already exists'));
  const diffId = field<{ Layers: string[] }>(await source.store.inspect('bb:src'), 'RootFS').Layers[0]!;
  assert.equal((await source.layers.content.info(diffId)).labels[gzipLabel], raw.layers[0].digest, 'the gzip is kept with the layer');

  const target = await eventStore(t);
  const pull = await drain(target.store.pull(`${registry.host}/bb:1`));
  assert.deepEqual(pull.result.images, [{ id, reference: `${registry.host}/bb:1`, repoDigest: `${registry.host}/bb@${pushed!.digest}` }]);
  assert.deepEqual(pull.messages[0], { status: 'Pulling from bb', id: '1' });
  assert.deepEqual(pull.messages.at(-1), { status: `Status: Downloaded newer image for ${registry.host}/bb:1` });
  const inspect = await target.store.inspect(`${registry.host}/bb:1`);
  assert.equal(field(inspect, 'Id'), id);
  assert.deepEqual(field(inspect, 'RepoTags'), [`${registry.host}/bb:1`]);
  assert.deepEqual(field(inspect, 'RepoDigests'), [`${registry.host}/bb@${pushed!.digest}`]);
  assert.deepEqual(actions(target.events), [`pull ${registry.host}/bb:1 ${registry.host}/bb`]);

  const upToDate = await drain(target.store.pull(`${registry.host}/bb:1`));
  assert.deepEqual(upToDate.messages.at(-1), { status: `Status: Image is up to date for ${registry.host}/bb:1` });
  const byDigest = await drain(target.store.pull(`${registry.host}/bb@${pushed!.digest}`));
  assert.equal(byDigest.result.images[0]!.id, id);
  await target.store.tag(id, 'kept');
  await target.store.remove(`${registry.host}/bb:1`);
  const renamed = await drain(target.store.pull(`${registry.host}/bb:1`));
  assert.ok(renamed.messages.some((m) => m.status === 'Already exists'), 'nothing to download');
  assert.deepEqual(renamed.messages.at(-1), { status: `Status: Downloaded newer image for ${registry.host}/bb:1` }, 'the name is new here');
});

test('pull of a missing tag fails with Docker\'s message before any progress, and a failed pull leaves nothing', async (t) => {
  const registry = await startRegistry(t);
  const source = await eventStore(t);
  await importTar(source.store, await randomLayer('a', 64 * 1024), `${registry.host}/two:1`);
  await drain(source.store.push(`${registry.host}/two:1`));

  const target = await eventStore(t);
  const missing = await failure(target.store.pull(`${registry.host}/two:nope`));
  assert.deepEqual(missing.messages, []);
  assert.ok(isKind(missing.error, 'not-found'));
  assert.equal(missing.error.message, `manifest for ${registry.host}/two:nope not found: manifest unknown: manifest unknown`);

  // Corrupt the pushed layer in the registry's storage: the pull fails verifying it.
  const blobs = join(registry.dir, 'storage/docker/registry/v2/blobs/sha256');
  const layerDigest = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/two:1`])).stdout).layers[0].digest as string;
  const hex = digestHex(layerDigest as `sha256:${string}`);
  assert.ok((await readdir(join(blobs, hex.slice(0, 2)))).includes(hex));
  const gz = await source.layers.content.readAll(layerDigest);
  gz[gz.length - 9] ^= 0xff; // in the gzip trailer's CRC: same size, different digest
  assert.notEqual(digestOf(gz), layerDigest);
  await writeFile(join(blobs, hex.slice(0, 2), hex, 'data'), gz);
  const broken = await failure(target.store.pull(`${registry.host}/two:1`));
  assert.ok(isKind(broken.error, 'data-loss'), broken.error.message);
  assert.ok(broken.messages.length > 0, 'the failure came in the stream');
  assert.deepEqual(await target.store.list(), []);
  assert.deepEqual(await blobDigests(target.layers), [], 'nothing of the failed pull is kept');
  assert.deepEqual(await snapshotKeys(target.layers), []);
  assert.deepEqual(target.events, []);
});

test('push reports a tag that does not exist after the repository line, as Docker does', async (t) => {
  const registry = await startRegistry(t);
  const { store } = await eventStore(t);
  const none = await failure(store.push(`${registry.host}/nothing:1`));
  assert.deepEqual(none.messages, [{ status: `The push refers to repository [${registry.host}/nothing]` }]);
  assert.equal(none.error.message, `An image does not exist locally with the tag: ${registry.host}/nothing`);
  await importTar(store, await randomLayer('b', 1024), `${registry.host}/some:1`);
  const other = await failure(store.push(`${registry.host}/some:2`));
  assert.equal(other.error.message, `tag does not exist: ${registry.host}/some:2`);
});

test('events: tag, import, untag and delete carry the image ID as Docker logs them', async (t) => {
  const { store, events } = await eventStore(t);
  const id = await importTar(store, await randomLayer('c', 1024), 'ev:1');
  await store.tag('ev:1', 'ev', '2');
  await store.remove('ev:2');
  await store.remove('ev:1');
  assert.deepEqual(actions(events), [`tag ${id} ev:1`, `import ${id} ${id}`, `tag ${id} ev:2`, `untag ${id} ${id}`, `untag ${id} ${id}`, `delete ${id} ${id}`]);
});

test('login checks credentials against a registry with basic auth', async (t) => {
  const htpasswd = (await run('htpasswd', ['-Bbn', 'user', 'pass'])).stdout;
  const dir = await mkdtemp(join(tmpdir(), 'moby-login-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'htpasswd'), htpasswd);
  const registry = await startRegistry(t, { htpasswd: { path: join(dir, 'htpasswd') } });
  const { store } = await eventStore(t);
  assert.deepEqual(await store.login({ username: 'user', password: 'pass', serveraddress: registry.host }), { Status: 'Login Succeeded', IdentityToken: '' });
  await assert.rejects(store.login({ username: 'user', password: 'nope', serveraddress: registry.host }), (err: Error) => {
    assert.ok(isKind(err, 'unauthenticated'));
    assert.equal(err.message, `login attempt to http://${registry.host}/v2/ failed with status: 401 Unauthorized`);
    return true;
  });
});
