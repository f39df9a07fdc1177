import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { isKind } from '../../lib/errdefs/index.js';
import { detectCompression, gunzip } from './decompress.js';
import { chunked } from './tar-fixture.js';

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(c);
  return Buffer.concat(chunks);
}

test('detectCompression recognises gzip and treats anything else as plain', () => {
  assert.equal(detectCompression(gzipSync('x')), 'gzip');
  assert.equal(detectCompression(Buffer.from('ustar')), 'none');
  assert.equal(detectCompression(Buffer.alloc(0)), 'none');
});

test('detectCompression names zstd, xz and bzip2 as not implemented', () => {
  for (const head of [[0x28, 0xb5, 0x2f, 0xfd], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x42, 0x5a, 0x68]]) {
    assert.throws(() => detectCompression(Buffer.from(head)), (e: unknown) => isKind(e, 'not-implemented'));
  }
});

test('gunzip inflates concatenated members', async () => {
  const gz = Buffer.concat([gzipSync('hello '), gzipSync('world')]);
  assert.equal((await collect(gunzip(chunked(gz, 5)))).toString(), 'hello world');
});

test('gunzip turns a truncated or corrupt stream into invalid-argument', async () => {
  const gz = gzipSync(Buffer.alloc(5000, 'z'));
  await assert.rejects(collect(gunzip(chunked(gz.subarray(0, gz.length - 4)))), (e: unknown) => isKind(e, 'invalid-argument'));
  const corrupt = Buffer.from(gz);
  corrupt[gz.length - 6] ^= 0xff; // inside the CRC
  await assert.rejects(collect(gunzip(chunked(corrupt))), /gzip/);
});

test('gunzip passes an error from its source through unchanged', async () => {
  async function* failing(): AsyncGenerator<Buffer> {
    yield gzipSync('partial').subarray(0, 5);
    throw new Error('network gone');
  }
  await assert.rejects(collect(gunzip(failing())), /network gone/);
});
