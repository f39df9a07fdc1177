import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isKind } from '../../lib/errdefs/index.js';
import { hello, helloDigest, listDigests, missing, rejectsWithKind, type CaseRegistrar } from './conformance-support.js';
import { digestOf } from './digest.js';

/** `put`, and content that already exists or is written twice at once. */
export function dedupeCases(it: CaseRegistrar): void {
  it('put stores a buffer, a stream or an async iterable, verifying the expected digest', async (store) => {
    const fromBuffer = await store.put(hello, { expected: helloDigest, size: hello.length });
    assert.equal(fromBuffer.digest, helloDigest);
    const other = Buffer.from('other blob');
    const fromStream = await store.put(Readable.from([other.subarray(0, 3), other.subarray(3)]));
    assert.equal(fromStream.digest, digestOf(other));
    async function* pieces() {
      yield Buffer.from('third');
      yield Buffer.from(' blob');
    }
    assert.equal((await store.put(pieces())).digest, digestOf('third blob'));
    await rejectsWithKind(store.put(Buffer.from('x'), { expected: missing }), 'failed-precondition', missing);
    assert.deepEqual(await store.listIngests(), []);
    assert.equal((await listDigests(store)).length, 3);
  });

  it('put of a blob that already exists succeeds and keeps the content', async (store) => {
    await store.put(hello);
    assert.equal((await store.put(hello)).digest, helloDigest);
    assert.equal((await store.put(hello, { expected: helloDigest })).digest, helloDigest);
    assert.deepEqual(await store.readAll(helloDigest), hello);
    assert.deepEqual(await store.listIngests(), []);
  });

  it('writer for an expected digest that exists is already-exists', async (store) => {
    await store.put(hello);
    await rejectsWithKind(store.writer('again', { expected: helloDigest }), 'already-exists', helloDigest);
    await rejectsWithKind(store.status('again'), 'not-found');
  });

  it('commit of content that already exists is already-exists, harmless, and cleans its ingest', async (store) => {
    await store.put(hello);
    const writer = await store.writer('dup');
    await writer.write(hello);
    await rejectsWithKind(writer.commit(), 'already-exists', helloDigest);
    assert.deepEqual(await store.readAll(helloDigest), hello);
    assert.deepEqual(await store.listIngests(), []);
  });

  it('concurrent writers of the same digest under different refs both end with one intact blob', async (store) => {
    const data = Buffer.alloc(256 * 1024, 'ab');
    const [a, b] = await Promise.all([store.writer('same-a'), store.writer('same-b')]);
    for (let i = 0; i < data.length; i += 16 * 1024) {
      await Promise.all([a.write(data.subarray(i, i + 16 * 1024)), b.write(data.subarray(i, i + 16 * 1024))]);
    }
    const results = await Promise.allSettled([a.commit(data.length), b.commit(data.length)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    assert.ok(ok.length >= 1, 'at least one commit succeeds');
    for (const r of results) if (r.status === 'rejected') assert.ok(isKind(r.reason, 'already-exists'), String(r.reason));
    assert.deepEqual(await store.readAll(digestOf(data)), data);
    assert.deepEqual(await store.listIngests(), []);
  });
}
