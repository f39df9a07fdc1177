/** The largest `data` a Read or Write message carries, well under gRPC's 4 MiB receive limit. */
export const maxChunk = 1024 * 1024;

/** `chunk` as views of at most `maxChunk` bytes, without copying. */
export function* pieces(chunk: Uint8Array): Iterable<Buffer> {
  const whole = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (whole.length <= maxChunk) {
    yield whole;
    return;
  }
  for (let at = 0; at < whole.length; at += maxChunk) yield whole.subarray(at, at + maxChunk);
}
