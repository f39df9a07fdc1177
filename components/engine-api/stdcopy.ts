/**
 * Docker's multiplexed stream ("stdcopy"): attach, exec start and logs without a TTY carry
 * stdout and stderr as frames with an 8-byte header:
 *
 *   byte 0     stream: 0 stdin, 1 stdout, 2 stderr, 3 systemerr (the daemon's own errors)
 *   bytes 1-3  0
 *   bytes 4-7  payload length, uint32 big-endian
 *
 * then the payload. `encodeFrame`/`writeFrameHeader` write frames; `StdcopyDecoder` is a
 * Transform that turns a byte stream back into `{ stream, payload }` objects (moby's
 * `stdcopy.StdCopy`, for clients and tests).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { errorOf } from '../../lib/errdefs/errdefs.js';

export const StdStream = { stdin: 0, stdout: 1, stderr: 2, systemErr: 3 } as const;
export type StdStreamId = (typeof StdStream)[keyof typeof StdStream];

export const frameHeaderLength = 8;
/** The largest payload a header can say. */
export const maxFramePayload = 0xffff_ffff;

/** Writes a frame header at `offset`; returns the offset after it. */
export function writeFrameHeader(target: Buffer, offset: number, stream: StdStreamId, length: number): number {
  if (length > maxFramePayload) throw errorOf('invalid-argument', `stdcopy: frame of ${length} bytes is too large`);
  target[offset] = stream;
  target[offset + 1] = 0;
  target[offset + 2] = 0;
  target[offset + 3] = 0;
  target.writeUInt32BE(length, offset + 4);
  return offset + frameHeaderLength;
}

/** One whole frame: header and payload in one buffer (one write). */
export function encodeFrame(stream: StdStreamId, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const frame = Buffer.allocUnsafe(frameHeaderLength + bytes.length);
  writeFrameHeader(frame, 0, stream, bytes.length);
  bytes.copy(frame, frameHeaderLength);
  return frame;
}

export interface Frame {
  stream: StdStreamId;
  payload: Buffer;
}

/**
 * Bytes in, `Frame` objects out. Frames may be split across chunks anyhow. An unknown stream
 * byte fails the stream (moby: `Unrecognized input header`), and so does an end in the middle
 * of a frame.
 */
export class StdcopyDecoder extends Transform {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #header: { stream: StdStreamId; length: number } | undefined;

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#header === undefined) {
        if (this.#buffered < frameHeaderLength) break;
        const head = this.#take(frameHeaderLength);
        const stream = head[0]!;
        if (stream > 3) {
          callback(errorOf('invalid-argument', `Unrecognized input header: ${stream}`));
          return;
        }
        this.#header = { stream: stream as StdStreamId, length: head.readUInt32BE(4) };
      }
      if (this.#buffered < this.#header.length) break;
      const payload = this.#take(this.#header.length);
      this.push({ stream: this.#header.stream, payload } satisfies Frame);
      this.#header = undefined;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#header !== undefined || this.#buffered > 0) callback(errorOf('data-loss', 'stdcopy: the stream ended inside a frame'));
    else callback();
  }

  /** The next `n` buffered bytes (a view when they sit in one chunk). */
  #take(n: number): Buffer {
    const first = this.#chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const k = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, k);
      filled += k;
      if (k === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(k);
    }
    this.#buffered -= n;
    return out;
  }
}

/** Decodes a whole multiplexed body (tests, small bodies). */
export function decodeFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (bytes.length - p < frameHeaderLength) throw errorOf('data-loss', 'stdcopy: the stream ended inside a frame');
    const stream = bytes[p]!;
    if (stream > 3) throw errorOf('invalid-argument', `Unrecognized input header: ${stream}`);
    const length = bytes.readUInt32BE(p + 4);
    const end = p + frameHeaderLength + length;
    if (end > bytes.length) throw errorOf('data-loss', 'stdcopy: the stream ended inside a frame');
    frames.push({ stream: stream as StdStreamId, payload: bytes.subarray(p + frameHeaderLength, end) });
    p = end;
  }
  return frames;
}
