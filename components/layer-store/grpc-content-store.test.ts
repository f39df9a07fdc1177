import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ContentStore, ReadRange } from '../../core/content/content-store.js';
import type { Digest } from '../../core/content/digest.js';
import { overlay, serveLayerStore } from './test-fixture.js';

const MiB = 1024 * 1024;
const blobSize = 64 * MiB;

/** 64 MiB of varied bytes, produced 1 MiB at a time; `digest` is known once it was consumed. */
function bigBlob(): { chunks: AsyncIterable<Buffer>; digest: () => Digest } {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  let digest: Digest | undefined;
  async function* chunks() {
    for (let i = 0; i < blobSize / MiB; i++) {
      const chunk = Buffer.from(block);
      chunk.writeUInt32BE(i, 0);
      hash.update(chunk);
      yield chunk;
    }
    digest = `sha256:${hash.digest('hex')}`;
  }
  return { chunks: chunks(), digest: () => digest! };
}

/** Bytes held by live buffers, after full collections so that garbage does not count. */
function liveArrayBuffers(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // The second collection frees what the first one's sweeping had not released yet.
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

/** Serves a store whose readers count the bytes the server pulls from disk, and report when they close. */
async function serveWatchingReads() {
  const watch = { pulled: 0, closed: undefined as Promise<void> | undefined };
  const reads = (content: ContentStore) =>
    overlay(content, {
      reader: async (digest: string, range?: ReadRange): Promise<Readable> => {
        const source = await content.reader(digest, range);
        watch.closed = new Promise((resolve) => source.once('close', resolve));
        const counter = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            watch.pulled += chunk.length;
            cb(null, chunk);
          },
        });
        return pipeline(source, counter, () => undefined);
      },
    });
  const served = await serveLayerStore({ wrap: (store) => overlay(store, { content: reads(store.content) }) });
  return { served, watch };
}

function mbPerSecond(bytes: number, ms: number): string {
  return (bytes / MiB / (ms / 1000)).toFixed(0);
}

test('GrpcContentStore.reader streams a 64 MiB blob at the reader\'s pace: the server reads only a few MiB ahead', async (t) => {
  const { served, watch } = await serveWatchingReads();
  t.after(() => served.cleanup());

  const blob = bigBlob();
  let started = performance.now();
  const info = await served.client.content.put(blob.chunks);
  const writeMs = performance.now() - started;
  assert.equal(info.digest, blob.digest());
  assert.equal(info.size, blobSize);

  const hash = createHash('sha256');
  let consumed = 0;
  let maxLead = 0;
  const baseline = liveArrayBuffers();
  let maxArrayBuffers = 0;
  started = performance.now();
  for await (const chunk of await served.client.content.reader(info.digest)) {
    hash.update(chunk as Buffer);
    consumed += (chunk as Buffer).length;
    maxLead = Math.max(maxLead, watch.pulled - consumed);
    if (consumed % (8 * MiB) < (chunk as Buffer).length) maxArrayBuffers = Math.max(maxArrayBuffers, liveArrayBuffers() - baseline);
    // A slow consumer: without backpressure the server would read the whole blob meanwhile.
    for (let i = 0; i < 3; i++) await yieldToLoop();
  }
  const readMs = performance.now() - started;
  assert.equal(consumed, blobSize);
  assert.equal(`sha256:${hash.digest('hex')}`, info.digest);
  assert.ok(maxLead < 16 * MiB, `the server read ${(maxLead / MiB).toFixed(1)} MiB ahead of the reader`);
  assert.ok(maxArrayBuffers < 16 * MiB, `${(maxArrayBuffers / MiB).toFixed(1)} MiB of buffers held while reading`);

  started = performance.now();
  let fastRead = 0;
  for await (const chunk of await served.client.content.reader(info.digest)) fastRead += (chunk as Buffer).length;
  const fastReadMs = performance.now() - started;
  assert.equal(fastRead, blobSize);
  started = performance.now();
  let localRead = 0;
  for await (const chunk of await served.local.content.reader(info.digest)) localRead += (chunk as Buffer).length;
  assert.equal(localRead, blobSize);
  const localReadMs = performance.now() - started;

  t.diagnostic(`write 64 MiB over gRPC: ${mbPerSecond(blobSize, writeMs)} MB/s`);
  t.diagnostic(`read 64 MiB over gRPC: ${mbPerSecond(blobSize, fastReadMs)} MB/s (in-process reader: ${mbPerSecond(blobSize, localReadMs)} MB/s)`);
  t.diagnostic(`slow reader (${mbPerSecond(blobSize, readMs)} MB/s): server ahead by at most ${(maxLead / MiB).toFixed(2)} MiB, live buffers +${(maxArrayBuffers / MiB).toFixed(1)} MiB at most`);
});

test('GrpcContentStore.reader cancels the server\'s read when the reader is destroyed early', async (t) => {
  const { served, watch } = await serveWatchingReads();
  t.after(() => served.cleanup());
  const data = randomBytes(32 * MiB);
  const { digest } = await served.client.content.put(data);

  const reader = await served.client.content.reader(digest);
  const first = (await reader[Symbol.asyncIterator]().next()).value as Buffer;
  assert.deepEqual(first, data.subarray(0, first.length));
  reader.destroy();
  await watch.closed;
  assert.ok(watch.pulled < data.length, `the server read all ${watch.pulled} bytes`);
});
