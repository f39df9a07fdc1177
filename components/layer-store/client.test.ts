import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentStoreConformance, rejectsWithKind } from '../../core/content/conformance.js';
import { digestOf } from '../../core/content/digest.js';
import { layerStoreConformance } from '../../core/layers/conformance.js';
import { snapshotterConformance } from '../../core/snapshots/snapshotter-conformance.js';
import { MobyError } from '../../lib/errdefs/index.js';
import { serveLayerStore } from './test-fixture.js';

contentStoreConformance('GrpcContentStore', async () => {
  const served = await serveLayerStore();
  return { store: served.client.content, cleanup: served.cleanup };
});

snapshotterConformance('GrpcSnapshotter', async (t) => {
  const served = await serveLayerStore();
  t.after(() => served.cleanup());
  return served.client.snapshots;
});

layerStoreConformance('GrpcLayerStore', async () => {
  const served = await serveLayerStore();
  return { store: served.client, root: served.root, cleanup: served.cleanup };
});

test('GrpcLayerStore returns errors as MobyErrors of the kind the server threw, message intact', async (t) => {
  const served = await serveLayerStore();
  t.after(() => served.cleanup());
  const { content, snapshots } = served.client;
  const data = Buffer.from('kinds survive the trip');
  const wrong = digestOf('something else');

  const notFound = await content.info(wrong).catch((err: unknown) => err);
  assert.ok(notFound instanceof MobyError, String(notFound));
  assert.equal(notFound.kind, 'not-found');
  assert.equal(notFound.message, `content ${wrong}: not found`);
  await rejectsWithKind(content.reader(wrong), 'not-found', wrong);
  await rejectsWithKind(snapshots.stat('no-such-snapshot'), 'not-found', 'no-such-snapshot');

  await rejectsWithKind(content.put(data, { expected: wrong }), 'failed-precondition', digestOf(data), wrong);
  const writer = await content.writer('mismatch');
  await writer.write(data);
  await rejectsWithKind(writer.commit(data.length, wrong), 'failed-precondition', digestOf(data), wrong);
  assert.deepEqual(await content.listIngests(), []);

  const holder = await content.writer('held');
  await rejectsWithKind(content.writer('held'), 'unavailable', 'held');
  await holder.close();
  await rejectsWithKind(content.info('sha256:short'), 'invalid-argument', 'sha256:short');
  await content.put(data);
  await rejectsWithKind(content.writer('again', { expected: digestOf(data) }), 'already-exists', digestOf(data));
});
