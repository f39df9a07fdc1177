import assert from 'node:assert/strict';
import { hello, helloDigest, listDigests, missing, rejectsWithKind, type CaseRegistrar } from './conformance-support.js';
import { digestOf } from './digest.js';

/** Writing and committing: what a commit verifies, and that a failed verification leaves nothing. */
export function writeCases(it: CaseRegistrar): void {
  it('writer streams chunks and commit returns the digest of the whole content', async (store) => {
    const writer = await store.writer('ref-1');
    await writer.write(hello.subarray(0, 5));
    await writer.write(hello.subarray(5));
    assert.equal(await writer.commit(hello.length, helloDigest), helloDigest);
    const info = await store.info(helloDigest);
    assert.equal(info.digest, helloDigest);
    assert.equal(info.size, hello.length);
    assert.ok(info.createdAt instanceof Date);
    assert.deepEqual(await store.readAll(helloDigest), hello);
    await rejectsWithKind(store.status('ref-1'), 'not-found');
  });

  it('writer applies un-awaited writes in call order', async (store) => {
    const writer = await store.writer('ordered');
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.from(`part ${i};`));
    await Promise.all(parts.map((part) => writer.write(part)));
    const digest = await writer.commit();
    assert.deepEqual(await store.readAll(digest), Buffer.concat(parts));
  });

  it('commit of an empty ingest stores the empty blob', async (store) => {
    const writer = await store.writer('empty');
    assert.equal(await writer.commit(0), digestOf(''));
    assert.equal((await store.info(digestOf(''))).size, 0);
  });

  it('commit rejects a digest mismatch naming both digests and leaves nothing', async (store) => {
    const writer = await store.writer('bad-digest');
    await writer.write(hello);
    await rejectsWithKind(writer.commit(hello.length, missing), 'failed-precondition', helloDigest, missing);
    await rejectsWithKind(store.info(helloDigest), 'not-found');
    await rejectsWithKind(store.status('bad-digest'), 'not-found');
    assert.deepEqual(await store.listIngests(), []);
    assert.deepEqual(await listDigests(store), []);
  });

  it('commit rejects a digest declared at writer open that the content does not match', async (store) => {
    const writer = await store.writer('declared', { expected: missing });
    await writer.write(hello);
    await rejectsWithKind(writer.commit(), 'failed-precondition', helloDigest, missing);
    assert.deepEqual(await listDigests(store), []);
    assert.deepEqual(await store.listIngests(), []);
  });

  it('commit rejects a size mismatch and leaves nothing', async (store) => {
    const writer = await store.writer('bad-size');
    await writer.write(hello);
    await rejectsWithKind(writer.commit(hello.length + 1), 'failed-precondition', String(hello.length + 1));
    assert.deepEqual(await listDigests(store), []);
    assert.deepEqual(await store.listIngests(), []);
  });

  it('write past the declared size fails early and leaves nothing', async (store) => {
    const writer = await store.writer('too-long', { size: 4 });
    await writer.write(hello.subarray(0, 4));
    await rejectsWithKind(writer.write(hello.subarray(4, 5)), 'failed-precondition', '4');
    await rejectsWithKind(writer.write(hello), 'failed-precondition');
    assert.deepEqual(await store.listIngests(), []);
  });
}
