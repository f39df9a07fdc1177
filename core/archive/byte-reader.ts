/**
 * Reads exact byte counts from an async stream of chunks, without copying
 * chunks that are handed on whole.
 */
export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes handed out so far. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Up to `n` bytes: fewer only when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.take(Math.min(n, this.buffered));
  }

  /** Exactly `n` bytes as a series of chunks; throws `onShort` if the stream ends first. */
  async *stream(n: number, onShort: () => Error): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.fill(1))) throw onShort();
      const chunk = this.take(Math.min(left, this.chunks[0]!.length));
      left -= chunk.length;
      yield chunk;
    }
  }

  /** Discards `n` bytes; throws `onShort` if the stream ends first. */
  async skip(n: number, onShort: () => Error): Promise<void> {
    for await (const _ of this.stream(n, onShort)) { /* discard */ }
  }

  /** Reads and discards everything left; returns the count. */
  async drain(): Promise<number> {
    let total = this.buffered;
    this.chunks = [];
    this.buffered = 0;
    while (!this.ended) {
      const r = await this.source.next();
      if (r.done) this.ended = true;
      else total += r.value.length;
    }
    this.offset += total;
    return total;
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.ended) {
      const r = await this.source.next();
      if (r.done) {
        this.ended = true;
      } else if (r.value.length > 0) {
        const buf = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
        this.chunks.push(buf);
        this.buffered += buf.length;
      }
    }
    return this.buffered >= n;
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    this.offset += n;
    const first = this.chunks[0];
    if (first && first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first && first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, n - at);
      c.copy(out, at, 0, part);
      at += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}
