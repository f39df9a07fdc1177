import assert from 'node:assert/strict';
import { hello, helloDigest, missing, rejectsWithKind, type CaseRegistrar } from './conformance-support.js';

/** Ingests: locking by ref, status, resuming, aborting. */
export function ingestCases(it: CaseRegistrar): void {
  it('writer refuses a ref that another writer holds with unavailable until it is closed', async (store) => {
    const first = await store.writer('busy');
    await rejectsWithKind(store.writer('busy'), 'unavailable', 'busy');
    await rejectsWithKind(store.abort('busy'), 'unavailable', 'busy');
    await first.close();
    const second = await store.writer('busy');
    await second.close();
  });

  it('status and listIngests report an interrupted ingest with its offset and declarations', async (store) => {
    const writer = await store.writer('partial', { expected: helloDigest, size: hello.length });
    await writer.write(hello.subarray(0, 7));
    assert.equal((await writer.status()).offset, 7);
    await writer.close();
    const status = await store.status('partial');
    assert.equal(status.ref, 'partial');
    assert.equal(status.offset, 7);
    assert.equal(status.total, hello.length);
    assert.equal(status.expected, helloDigest);
    assert.ok(status.startedAt instanceof Date && status.updatedAt instanceof Date);
    assert.deepEqual((await store.listIngests()).map((s) => [s.ref, s.offset]), [['partial', 7]]);
    await rejectsWithKind(store.info(helloDigest), 'not-found');
  });

  it('a reopened writer resumes at the saved offset and verifies the whole content', async (store) => {
    const first = await store.writer('resume', { expected: helloDigest });
    await first.write(hello.subarray(0, 9));
    await first.close();
    const second = await store.writer('resume');
    assert.equal((await second.status()).offset, 9);
    await second.write(hello.subarray(9));
    assert.equal(await second.digest(), helloDigest);
    assert.equal(await second.commit(hello.length), helloDigest);
    assert.deepEqual(await store.readAll(helloDigest), hello);
  });

  it('a resumed ingest whose earlier bytes were wrong fails verification', async (store) => {
    const first = await store.writer('resume-bad');
    await first.write(Buffer.from('HELLO'));
    await first.close();
    const second = await store.writer('resume-bad');
    await second.write(hello.subarray(5));
    await rejectsWithKind(second.commit(hello.length, helloDigest), 'failed-precondition', helloDigest);
    assert.deepEqual(await store.listIngests(), []);
  });

  it('a reopened writer may not contradict the declared digest or size', async (store) => {
    const first = await store.writer('declared-once', { expected: helloDigest, size: hello.length });
    await first.close();
    await rejectsWithKind(store.writer('declared-once', { expected: missing }), 'failed-precondition', missing);
    await rejectsWithKind(store.writer('declared-once', { size: 1 }), 'failed-precondition');
    const again = await store.writer('declared-once', { expected: helloDigest });
    await again.close();
  });

  it('abort removes an ingest and is not-found afterwards', async (store) => {
    const writer = await store.writer('to-abort');
    await writer.write(hello);
    await writer.close();
    await store.abort('to-abort');
    await rejectsWithKind(store.status('to-abort'), 'not-found', 'to-abort');
    await rejectsWithKind(store.abort('to-abort'), 'not-found', 'to-abort');
    const fresh = await store.writer('to-abort');
    assert.equal((await fresh.status()).offset, 0);
    await fresh.close();
  });

  it('a closed writer refuses further writes and commits', async (store) => {
    const writer = await store.writer('closed');
    await writer.close();
    await rejectsWithKind(writer.write(hello), 'failed-precondition', 'closed');
    await rejectsWithKind(writer.commit(), 'failed-precondition', 'closed');
    await writer.close();
  });
}
