import assert from 'node:assert/strict';
import { collect, hello, helloDigest, listDigests, missing, rejectsWithKind, type CaseRegistrar } from './conformance-support.js';
import { digestOf } from './digest.js';

/** Reading, labels, listing, deleting, and the error kinds of bad requests. */
export function readCases(it: CaseRegistrar): void {
  it('reader serves ranges and cuts a range that runs past the end', async (store) => {
    await store.put(hello);
    const read = async (offset?: number, length?: number) => (await collect(await store.reader(helloDigest, { offset, length }))).toString();
    assert.equal(await read(), hello.toString());
    assert.equal(await read(7), hello.subarray(7).toString());
    assert.equal(await read(7, 7), hello.subarray(7, 14).toString());
    assert.equal(await read(7, 1000), hello.subarray(7).toString());
    assert.equal(await read(hello.length), '');
    assert.equal(await read(0, 0), '');
    await rejectsWithKind(store.reader(helloDigest, { offset: hello.length + 1 }), 'invalid-argument');
    await rejectsWithKind(store.reader(helloDigest, { offset: -1 }), 'invalid-argument');
    await rejectsWithKind(store.reader(helloDigest, { length: -1 }), 'invalid-argument');
  });

  it('labels are set at commit, edited with updateLabels and used by list filters', async (store) => {
    await store.put(hello, { labels: { 'containerd.io/gc.root': 'yes', kind: 'greeting' } });
    await store.put(Buffer.from('plain'));
    const updated = await store.updateLabels(helloDigest, { kind: null, extra: 'x' });
    assert.deepEqual(updated.labels, { 'containerd.io/gc.root': 'yes', extra: 'x' });
    assert.deepEqual((await store.info(helloDigest)).labels, updated.labels);
    assert.deepEqual(await listDigests(store, { labels: { extra: 'x' } }), [helloDigest]);
    assert.deepEqual(await listDigests(store, { labels: { 'containerd.io/gc.root': true } }), [helloDigest]);
    assert.deepEqual(await listDigests(store, { labels: { extra: 'y' } }), []);
    assert.deepEqual(await listDigests(store), [helloDigest, digestOf('plain')].sort());
    assert.deepEqual((await store.info(digestOf('plain'))).labels, {});
    await rejectsWithKind(store.updateLabels(helloDigest, { '': 'x' }), 'invalid-argument');
    await rejectsWithKind(store.updateLabels(helloDigest, { big: 'x'.repeat(5000) }), 'invalid-argument');
  });

  it('list shows committed blobs only, never ingests', async (store) => {
    await store.put(hello);
    const writer = await store.writer('pending');
    await writer.write(Buffer.from('pending'));
    await writer.close();
    assert.deepEqual(await listDigests(store), [helloDigest]);
  });

  it('delete removes the blob and its labels; everything then reports not-found', async (store) => {
    await store.put(hello, { labels: { keep: 'no' } });
    await store.delete(helloDigest);
    await rejectsWithKind(store.info(helloDigest), 'not-found', helloDigest);
    await rejectsWithKind(store.readAll(helloDigest), 'not-found', helloDigest);
    await rejectsWithKind(store.reader(helloDigest), 'not-found', helloDigest);
    await rejectsWithKind(store.delete(helloDigest), 'not-found', helloDigest);
    assert.deepEqual(await listDigests(store), []);
    assert.deepEqual((await store.put(hello)).labels, {});
  });

  it('operations on a missing blob or ingest are not-found naming it', async (store) => {
    await rejectsWithKind(store.info(missing), 'not-found', missing);
    await rejectsWithKind(store.readAll(missing), 'not-found', missing);
    await rejectsWithKind(store.reader(missing, { offset: 1 }), 'not-found', missing);
    await rejectsWithKind(store.updateLabels(missing, { a: 'b' }), 'not-found', missing);
    await rejectsWithKind(store.delete(missing), 'not-found', missing);
    await rejectsWithKind(store.status('nobody'), 'not-found', 'nobody');
    await rejectsWithKind(store.abort('nobody'), 'not-found', 'nobody');
  });

  it('malformed digests and refs are invalid-argument everywhere', async (store) => {
    const bad = ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'0'.repeat(32)}`, `sha512:${'0'.repeat(128)}`, helloDigest.slice(7)];
    for (const digest of bad) {
      await rejectsWithKind(store.info(digest), 'invalid-argument');
      await rejectsWithKind(store.readAll(digest), 'invalid-argument');
      await rejectsWithKind(store.reader(digest), 'invalid-argument');
      await rejectsWithKind(store.delete(digest), 'invalid-argument');
      await rejectsWithKind(store.updateLabels(digest, {}), 'invalid-argument');
      await rejectsWithKind(store.writer('r', { expected: digest }), 'invalid-argument');
      await rejectsWithKind(store.put(hello, { expected: digest }), 'invalid-argument');
    }
    await rejectsWithKind(store.writer(''), 'invalid-argument');
    await rejectsWithKind(store.writer('r', { size: -1 }), 'invalid-argument');
    const writer = await store.writer('r');
    await rejectsWithKind(writer.commit(undefined, 'sha256:nope'), 'invalid-argument');
    await writer.close();
  });
}
