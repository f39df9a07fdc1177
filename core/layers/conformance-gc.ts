import assert from 'node:assert/strict';
import { rejectsWithKind } from '../content/conformance-support.js';
import { gcLabels } from '../metadata/index.js';
import type { LayerStore } from './layer-store.js';
import {
  assertNothingOnDisk, blobDigests, bottomEntries, putBlob, putLayers, snapshotKeys, topEntries, type CaseRegistrar,
} from './conformance-support.js';

const image = { kind: 'image', id: 'example.com/app:1' };

/**
 * Pulls an image as a client would, under one lease: layers, unpack, a config
 * naming the top snapshot, a manifest naming config and layers.
 */
async function pullImage(store: LayerStore) {
  const lease = await store.createLease();
  const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries], lease);
  const { chainIds } = await store.unpack(layers, { expectedDiffIds: diffIds, lease });
  const config = await putBlob(store, Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: diffIds } })), lease, {
    [`${gcLabels.snapshotRef}overlayfs`]: chainIds.at(-1)!,
  });
  const manifestLabels: Record<string, string> = { [`${gcLabels.contentRef}.config`]: config };
  for (const [i, layer] of layers.entries()) manifestLabels[`${gcLabels.contentRef}.l.${i}`] = layer.digest;
  const manifest = await putBlob(store, Buffer.from(JSON.stringify({ config, layers })), lease, manifestLabels);
  const blobs = [manifest, config, ...layers.map((l) => l.digest)].sort();
  return { lease, manifest, blobs, snapshots: [...chainIds].sort() };
}

const nothingRemoved = { content: [], snapshots: [], leases: [], failures: [] };

export function gcCases(it: CaseRegistrar): void {
  it('a holder keeps its manifest, config, layers and snapshots alive through gc labels; deleteHolder lets collectGarbage remove them all', async ({ store, root }) => {
    const pulled = await pullImage(store);
    assert.deepEqual(await store.collectGarbage(), nothingRemoved, 'the lease holds everything');
    await store.setHolder(image, [{ kind: 'content', id: pulled.manifest }]);
    await store.deleteLease(pulled.lease);
    assert.deepEqual(await store.collectGarbage(), nothingRemoved, 'the holder holds everything');
    assert.deepEqual([await blobDigests(store), await snapshotKeys(store)], [pulled.blobs, pulled.snapshots]);

    await store.deleteHolder(image);
    await store.deleteHolder(image);
    const summary = await store.collectGarbage();
    assert.deepEqual([[...summary.content].sort(), [...summary.snapshots].sort(), summary.failures], [pulled.blobs, pulled.snapshots, []]);
    assert.deepEqual([await blobDigests(store), await snapshotKeys(store)], [[], []]);
    assertNothingOnDisk(root);
  });

  it('setHolder replaces what a holder refers to, and listHolders reports it by kind', async ({ store }) => {
    const lease = await store.createLease();
    const first = await putBlob(store, Buffer.from('first'), lease);
    const second = await putBlob(store, Buffer.from('second'), lease);
    const container = { kind: 'container', id: 'c1' };
    await store.setHolder(image, [{ kind: 'content', id: first }]);
    await store.setHolder(image, [{ kind: 'content', id: second }]);
    await store.setHolder(container, []);
    await store.deleteLease(lease);
    assert.deepEqual(await store.listHolders('image'), [{ holder: image, refs: [{ kind: 'content', id: second }] }]);
    assert.deepEqual((await store.listHolders()).map((h) => h.holder.kind).sort(), ['container', 'image']);
    assert.deepEqual((await store.collectGarbage()).content, [first]);
    assert.deepEqual(await blobDigests(store), [second]);
  });

  it('a lease protects the blobs recorded in it until it is deleted', async ({ store }) => {
    const lease = await store.createLease({ expiresInMs: 60 * 60 * 1000 });
    const held = await putBlob(store, Buffer.from('held by the lease'), lease);
    const stray = await putBlob(store, Buffer.from('held by nothing'));
    assert.deepEqual((await store.collectGarbage()).content, [stray]);
    assert.deepEqual(await blobDigests(store), [held]);
    await store.deleteLease(lease);
    assert.deepEqual((await store.collectGarbage()).content, [held]);
    assert.deepEqual(await blobDigests(store), []);
  });

  it('a lease given to unpack keeps the snapshots until it is deleted', async ({ store, root }) => {
    const lease = await store.createLease();
    const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries], lease);
    const { chainIds } = await store.unpack(layers, { lease });
    assert.deepEqual(await store.unpack(layers, { lease, expectedDiffIds: diffIds }), { diffIds, chainIds, applied: 0 });
    assert.deepEqual((await store.collectGarbage()).snapshots, []);
    await store.deleteLease(lease);
    const summary = await store.collectGarbage();
    assert.deepEqual([summary.snapshots, [...summary.content].sort()], [[...chainIds].reverse(), layers.map((l) => l.digest).sort()]);
    assertNothingOnDisk(root);
  });

  it('holders and leases refuse malformed arguments', async ({ store }) => {
    await rejectsWithKind(store.setHolder({ kind: 'snapshot', id: 'x' }, []), 'invalid-argument', 'holder');
    await rejectsWithKind(store.setHolder(image, [{ kind: 'content', id: 'not-a-digest' }]), 'invalid-argument', 'not-a-digest');
    await rejectsWithKind(store.addToLease('no-such-lease', { kind: 'snapshot', id: 'x' }), 'not-found', 'no-such-lease');
    await rejectsWithKind(store.createLease({ expiresInMs: -1 }), 'invalid-argument');
    assert.deepEqual(await store.listHolders(), []);
  });
}
