import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rejectsWithKind } from '../content/conformance-support.js';
import { digestOf } from '../content/index.js';
import { chainIds } from '../snapshots/index.js';
import {
  bottomEntries, mergedTree, putLayers, snapshotKeys, topEntries, tree, viewTree, type CaseRegistrar,
} from './conformance-support.js';

export function unpackCases(it: CaseRegistrar): void {
  it('unpack of two layers commits snapshots keyed by chain ID, and a view of the top shows the merged layers', async ({ store }, t) => {
    const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries]);
    const result = await store.unpack(layers, { expectedDiffIds: diffIds });
    assert.deepEqual(result, { diffIds, chainIds: chainIds(diffIds), applied: 2 });
    const [bottom, top] = result.chainIds as [string, string];
    const info = await store.snapshots.stat(top);
    assert.deepEqual([info.kind, info.parent], ['committed', bottom]);
    assert.deepEqual(await snapshotKeys(store), [bottom, top].sort());
    assert.deepEqual(await viewTree(t, store, top), mergedTree);
  });

  it('unpack computes diff IDs when none are expected, and applies nothing a second time', async ({ store }) => {
    const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries]);
    const first = await store.unpack(layers);
    assert.deepEqual(first, { diffIds, chainIds: chainIds(diffIds), applied: 2 });
    assert.deepEqual(await store.unpack(layers, { expectedDiffIds: diffIds }), { ...first, applied: 0 });
    assert.deepEqual(await store.unpack(layers), { ...first, applied: 0 });
    assert.deepEqual(await snapshotKeys(store), [...first.chainIds].sort());
  });

  it('unpack applies only the layers not unpacked yet', async ({ store }) => {
    const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries]);
    await store.unpack(layers.slice(0, 1));
    assert.deepEqual(await store.unpack(layers), { diffIds, chainIds: chainIds(diffIds), applied: 1 });
  });

  it('unpack of a layer whose diff ID differs from the expected one is data-loss and leaves no snapshot for it', async ({ store }) => {
    const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries]);
    const wrong = digestOf('not the top layer');
    await rejectsWithKind(store.unpack(layers, { expectedDiffIds: [diffIds[0]!, wrong] }), 'data-loss', layers[1]!.digest, wrong, diffIds[1]!);
    const [bottom] = chainIds(diffIds);
    assert.deepEqual(await snapshotKeys(store), [bottom]);
    await rejectsWithKind(store.snapshots.stat(chainIds([diffIds[0]!, wrong])[1]!), 'not-found');
  });

  it('unpack refuses a hostile layer with invalid-argument and leaves nothing of it, inside or outside', async ({ store, root }) => {
    const hostile = [{ name: 'partial.txt', content: 'applied before the bad entry' }, { name: '../escape', content: 'pwned' }];
    const { layers, diffIds } = await putLayers(store, [bottomEntries, hostile]);
    await rejectsWithKind(store.unpack(layers), 'invalid-argument', '../escape');
    assert.deepEqual(await snapshotKeys(store), chainIds(diffIds.slice(0, 1)));
    if (root !== undefined) {
      const names = Object.keys(tree(root)).map((p) => p.split('/').at(-1));
      assert.ok(!names.includes('escape') && !names.includes('partial.txt'), `left behind: ${names.join(', ')}`);
      assert.equal(existsSync(join(dirname(root), 'escape')), false);
    }
  });

  it('unpack of a missing blob is not-found and leaves no snapshot', async ({ store }) => {
    const { layers } = await putLayers(store, [bottomEntries]);
    const missing = { ...layers[0]!, digest: digestOf('never written') };
    await rejectsWithKind(store.unpack([missing]), 'not-found', missing.digest);
    await rejectsWithKind(store.unpack([missing], { expectedDiffIds: [digestOf('x')] }), 'not-found', missing.digest);
    assert.deepEqual(await snapshotKeys(store), []);
  });

  it('unpack refuses expected diff IDs that do not match the layers one for one', async ({ store }) => {
    const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries]);
    await rejectsWithKind(store.unpack(layers, { expectedDiffIds: diffIds.slice(0, 1) }), 'invalid-argument');
    assert.deepEqual(await snapshotKeys(store), []);
  });

  it('two unpacks of the same layers at once commit each snapshot once and both return the chain', async ({ store }) => {
    const { layers, diffIds } = await putLayers(store, [bottomEntries, topEntries]);
    const [a, b] = await Promise.all([store.unpack(layers), store.unpack(layers, { expectedDiffIds: diffIds })]);
    assert.deepEqual([a!.chainIds, b!.chainIds], [chainIds(diffIds), chainIds(diffIds)]);
    assert.equal(a!.applied + b!.applied, 2);
    assert.deepEqual(await snapshotKeys(store), chainIds(diffIds).sort());
  });
}
