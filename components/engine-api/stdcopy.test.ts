import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { decodeFrames, encodeFrame, StdcopyDecoder, StdStream, type Frame } from './stdcopy.js';

test('encodeFrame writes Docker\'s 8-byte header then the payload', () => {
  assert.deepEqual(encodeFrame(StdStream.stdout, 'hello-stdin\n'), Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 12]), Buffer.from('hello-stdin\n')]));
  assert.deepEqual(encodeFrame(StdStream.stderr, Buffer.from('to-err\n')).subarray(0, 8), Buffer.from([2, 0, 0, 0, 0, 0, 0, 7]));
  assert.deepEqual(encodeFrame(StdStream.systemErr, Buffer.alloc(0x10203)).subarray(0, 8), Buffer.from([3, 0, 0, 0, 0, 1, 2, 3]));
});

async function decodeChunks(chunks: Buffer[]): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of Readable.from(chunks).pipe(new StdcopyDecoder())) frames.push(frame as Frame);
  return frames;
}

test('StdcopyDecoder reassembles frames split anyhow across chunks', async () => {
  const body = Buffer.concat([encodeFrame(1, 'out1\n'), encodeFrame(2, 'err1\n'), encodeFrame(1, ''), encodeFrame(1, 'x'.repeat(70_000))]);
  const expected = [
    [1, 'out1\n'],
    [2, 'err1\n'],
    [1, ''],
    [1, 'x'.repeat(70_000)],
  ];
  for (const size of [1, 3, 8, 9, 1000, body.length]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += size) chunks.push(body.subarray(i, i + size));
    const frames = await decodeChunks(chunks);
    assert.deepEqual(frames.map((f) => [f.stream, f.payload.toString()]), expected, `chunks of ${size}`);
  }
  assert.deepEqual(decodeFrames(body).map((f) => [f.stream, f.payload.toString()]), expected);
});

test('StdcopyDecoder fails on an unknown stream byte and on a truncated frame', async () => {
  await assert.rejects(decodeChunks([Buffer.from([7, 0, 0, 0, 0, 0, 0, 1, 0x41])]), /Unrecognized input header: 7/);
  await assert.rejects(decodeChunks([encodeFrame(1, 'abc').subarray(0, 10)]), /ended inside a frame/);
  await assert.rejects(decodeChunks([Buffer.from([1, 0, 0])]), /ended inside a frame/);
  assert.throws(() => decodeFrames(Buffer.from([1, 0, 0, 0, 0, 0, 0, 5, 0x41])), /ended inside a frame/);
});
