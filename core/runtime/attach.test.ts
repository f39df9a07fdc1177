import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame, FrameDecoder } from './attach.js';

describe('attach framing', () => {
  it("encodes Docker's 8-byte header and decodes frames split anywhere", () => {
    assert.deepEqual([...encodeFrame(2, 'hi')], [2, 0, 0, 0, 0, 0, 0, 2, 104, 105]);
    const bytes = Buffer.concat([encodeFrame(1, 'hello'), encodeFrame(2, ''), encodeFrame(1, 'x'.repeat(70000))]);
    const decoder = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 7) frames.push(...decoder.push(bytes.subarray(i, i + 7)));
    assert.deepEqual(frames.map((f) => [f.stream, f.data.length]), [[1, 5], [2, 0], [1, 70000]]);
    assert.equal(decoder.leftover, 0);
  });
});
