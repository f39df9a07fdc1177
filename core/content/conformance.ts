import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isKind, type ErrorKind } from '../../lib/errdefs/index.js';
import type { ContentStore } from './content-store.js';
import { digestOf } from './digest.js';

export interface ContentStoreFixture {
  store: ContentStore;
  cleanup(): Promise<void>;
}

/** Asserts that `promise` rejects with a `MobyError` of `kind` whose message contains every `parts`. */
export async function rejectsWithKind(promise: Promise<unknown>, kind: ErrorKind, ...parts: string[]): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.ok(isKind(err, kind), `expected ${kind}, got ${String(err)}`);
    for (const part of parts) assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} lacks ${part}`);
    return true;
  });
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function listDigests(store: ContentStore, filter?: Parameters<ContentStore['list']>[0]): Promise<string[]> {
  const digests: string[] = [];
  for await (const info of store.list(filter)) digests.push(info.digest);
  return digests.sort();
}

const hello = Buffer.from('hello, content store\n');
const helloDigest = digestOf(hello);
const missing = digestOf('never written');

/**
 * The contract every `ContentStore` must keep, as node:test tests named
 * `<name>: …`. Each test gets a fresh store from `makeStore` and cleans it up.
 */
export function contentStoreConformance(name: string, makeStore: () => Promise<ContentStoreFixture>): void {
  const it = (title: string, body: (store: ContentStore) => Promise<void>) =>
    test(`${name}: ${title}`, async (t) => {
      const fixture = await makeStore();
      t.after(() => fixture.cleanup());
      await body(fixture.store);
    });

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

  it('a closed writer refuses further writes and commits', async (store) => {
    const writer = await store.writer('closed');
    await writer.close();
    await rejectsWithKind(writer.write(hello), 'failed-precondition', 'closed');
    await rejectsWithKind(writer.commit(), 'failed-precondition', 'closed');
    await writer.close();
  });
}
