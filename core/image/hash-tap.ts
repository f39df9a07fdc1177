import { newDigester, type Digest, type Digester } from '../content/index.js';

/** Bytes kept from the start of every file, enough to recognise gzip and zstd. */
export const HEAD_BYTES = 8;

/**
 * Watches a byte stream go by: its sha256, its length, its first bytes, and
 * whether it was read to the end (a consumer may stop early).
 */
export class HashTap {
  private readonly digester: Digester = newDigester();
  size = 0;
  head = Buffer.alloc(0);
  complete = false;

  async *wrap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.digester.update(buf);
      this.size += buf.length;
      if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, buf.subarray(0, HEAD_BYTES - this.head.length)]);
      yield buf;
    }
    this.complete = true;
  }

  digest(): Digest {
    return this.digester.digest();
  }
}
