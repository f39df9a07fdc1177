import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  LayerStoreClient, WriteAction, WriteContentRequest, type WriteContentResponse,
} from '../../api/moby/layer_store/v1/layer_store.js';
import { rejectsWithKind } from '../../core/content/conformance.js';
import type { ContentStore, ContentWriter, WriterOptions } from '../../core/content/content-store.js';
import { digestOf } from '../../core/content/digest.js';
import { connect } from '../../lib/component/grpc-call.js';
import { fromGrpcError } from '../../lib/errdefs/grpc.js';
import { overlay, serveLayerStore, type ServedLayerStore } from './test-fixture.js';

const MiB = 1024 * 1024;

/** Serves a store whose server-side writers report when they are closed. */
async function serveWatchingWriters(): Promise<{ served: ServedLayerStore; writerClosed: Promise<string> }> {
  let closed!: (ref: string) => void;
  const writerClosed = new Promise<string>((resolve) => (closed = resolve));
  const watch = (content: ContentStore) =>
    overlay(content, {
      writer: async (ref: string, options?: WriterOptions): Promise<ContentWriter> => {
        const writer = await content.writer(ref, options);
        return overlay(writer, { close: () => writer.close().finally(() => closed(ref)) });
      },
    });
  const served = await serveLayerStore({ wrap: (store) => overlay(store, { content: watch(store.content) }) });
  return { served, writerClosed };
}

/** A raw Write stream, to do what `GrpcContentWriter` never does: write at any offset, or vanish. */
function rawWrite(socket: string) {
  const client = connect(LayerStoreClient, socket);
  const call = client.write();
  const answers: WriteContentResponse[] = [];
  const waiters: (() => void)[] = [];
  let failure: Error | undefined;
  call.on('data', (res: WriteContentResponse) => {
    answers.push(res);
    waiters.shift()?.();
  });
  call.on('error', (err) => {
    failure = fromGrpcError(err);
    for (const w of waiters.splice(0)) w();
  });
  return {
    send: (fields: Partial<WriteContentRequest>) => call.write(WriteContentRequest.fromPartial(fields)),
    /** Resolves once `n` answers arrived; rejects with the stream's error. */
    answered: async (n: number) => {
      while (answers.length < n && !failure) await new Promise<void>((resolve) => waiters.push(resolve));
      if (answers.length < n) throw failure;
      return answers;
    },
    cancel: () => call.cancel(),
    close: () => client.close(),
  };
}

test('Write cancelled mid-way closes the server\'s writer without committing; a new writer resumes at the reported offset', async (t) => {
  const { served, writerClosed } = await serveWatchingWriters();
  t.after(() => served.cleanup());
  const data = randomBytes(3 * MiB + 123);
  const digest = digestOf(data);
  const raw = rawWrite(served.socket);
  t.after(() => raw.close());

  raw.send({ action: WriteAction.WRITE_ACTION_OPEN, ref: 'resumable', expected: digest, total: data.length });
  raw.send({ action: WriteAction.WRITE_ACTION_WRITE, offset: 0, data: data.subarray(0, MiB) });
  raw.send({ action: WriteAction.WRITE_ACTION_WRITE, offset: MiB, data: data.subarray(MiB, 2 * MiB) });
  const answers = await raw.answered(3);
  assert.equal(answers[0]!.status?.offset, 0);
  assert.equal(answers[2]!.offset, 2 * MiB);
  // One more write in flight: the server may or may not have written it when the cancel lands.
  raw.send({ action: WriteAction.WRITE_ACTION_WRITE, offset: 2 * MiB, data: data.subarray(2 * MiB, 3 * MiB) });
  raw.cancel();
  assert.equal(await writerClosed, 'resumable');

  const status = await served.client.content.status('resumable');
  assert.ok([2 * MiB, 3 * MiB].includes(status.offset), `offset ${status.offset}`);
  assert.equal(status.total, data.length);
  assert.equal(status.expected, digest);
  await rejectsWithKind(served.client.content.info(digest), 'not-found');

  const writer = await served.client.content.writer('resumable');
  assert.equal((await writer.status()).offset, status.offset);
  await writer.write(data.subarray(status.offset));
  assert.equal(await writer.commit(), digest);
  assert.deepEqual(await served.client.content.readAll(digest), data);
  assert.deepEqual(await served.client.content.listIngests(), []);
});

test('Write refuses data at an offset other than the end of the ingest with failed-precondition, keeping the ingest', async (t) => {
  const { served, writerClosed } = await serveWatchingWriters();
  t.after(() => served.cleanup());
  const raw = rawWrite(served.socket);
  t.after(() => raw.close());

  raw.send({ action: WriteAction.WRITE_ACTION_OPEN, ref: 'gap' });
  raw.send({ action: WriteAction.WRITE_ACTION_WRITE, offset: 0, data: Buffer.from('abc') });
  raw.send({ action: WriteAction.WRITE_ACTION_WRITE, offset: 5, data: Buffer.from('def') });
  await rejectsWithKind(raw.answered(3), 'failed-precondition', 'offset 5', 'ends at 3');
  assert.equal(await writerClosed, 'gap');
  assert.equal((await served.client.content.status('gap')).offset, 3);
});

test('Write refuses a first request other than OPEN with invalid-argument', async (t) => {
  const { served } = await serveWatchingWriters();
  t.after(() => served.cleanup());
  const raw = rawWrite(served.socket);
  t.after(() => raw.close());
  raw.send({ action: WriteAction.WRITE_ACTION_WRITE, offset: 0, data: Buffer.from('abc') });
  await rejectsWithKind(raw.answered(1), 'invalid-argument', 'OPEN');
  assert.deepEqual(await served.client.content.listIngests(), []);
});

test('GrpcContentWriter.write sends a chunk larger than a message in 1 MiB pieces, in call order with other writes', async (t) => {
  const { served } = await serveWatchingWriters();
  t.after(() => served.cleanup());
  const big = randomBytes(5 * MiB + 7);
  const tail = Buffer.from('tail');
  const writer = await served.client.content.writer('big');
  await Promise.all([writer.write(big), writer.write(tail)]);
  assert.equal((await writer.status()).offset, big.length + tail.length);
  const digest = await writer.commit();
  assert.deepEqual(await served.client.content.readAll(digest), Buffer.concat([big, tail]));
});

test('GrpcContentWriter.close leaves the ref free for the next writer as soon as it resolves', async (t) => {
  const { served } = await serveWatchingWriters();
  t.after(() => served.cleanup());
  const first = await served.client.content.writer('handover');
  await first.write(Buffer.from('first part, '));
  await first.close();
  const second = await served.client.content.writer('handover');
  await second.write(Buffer.from('second part'));
  const digest = await second.commit();
  assert.equal((await served.client.content.readAll(digest)).toString(), 'first part, second part');
  await rejectsWithKind(first.write(Buffer.from('x')), 'failed-precondition', 'closed');
});
