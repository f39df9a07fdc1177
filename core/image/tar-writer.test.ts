import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { readTar } from '../archive/index.js';
import { collect } from './test-fixtures.js';
import { TarWriter } from './tar-writer.js';

async function entriesOf(tar: Buffer) {
  const out = [];
  for await (const entry of readTar((async function* () { yield tar; })())) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    const h = entry.header;
    out.push({ name: h.name, type: h.type, mode: h.mode, size: h.size, mtime: h.mtime.sec, linkname: h.linkname, data: Buffer.concat(chunks).toString() });
  }
  return out;
}

describe('TarWriter', () => {
  it('writes files, directories and symlinks a tar reader reads back', async () => {
    const long = `${'d'.repeat(90)}/${'f'.repeat(90)}`;
    const tar = await collect(async (out) => {
      const w = new TarWriter(out);
      await w.directory('dir');
      await w.file('dir/a.txt', Buffer.from('hello'));
      await w.symlink('dir/link', '../x');
      await w.fileFrom(long, 3, (async function* () { yield Buffer.from('ab'); yield Buffer.from('c'); })(), { mode: 0o600, mtime: 5 });
      await w.finish();
    });
    assert.equal(tar.length % 512, 0);
    assert.deepEqual(await entriesOf(tar), [
      { name: 'dir/', type: 'directory', mode: 0o755, size: 0, mtime: 0, linkname: '', data: '' },
      { name: 'dir/a.txt', type: 'file', mode: 0o644, size: 5, mtime: 0, linkname: '', data: 'hello' },
      { name: 'dir/link', type: 'symlink', mode: 0o777, size: 0, mtime: 0, linkname: '../x', data: '' },
      { name: long, type: 'file', mode: 0o600, size: 3, mtime: 5, linkname: '', data: 'abc' },
    ]);
  });

  it('gives the same bytes for the same entries', async () => {
    const write = () => collect(async (out) => {
      const w = new TarWriter(out);
      await w.file('x', Buffer.from('1'));
      await w.finish();
    });
    assert.deepEqual(await write(), await write());
  });

  it('fails with data-loss when a stream gives more or fewer bytes than promised', async () => {
    const short = collect(async (out) => new TarWriter(out).fileFrom('x', 4, (async function* () { yield Buffer.from('ab'); })()));
    await assert.rejects(short, { kind: 'data-loss', message: 'tar entry x: the source gave 2 bytes, not the 4 promised' });
    const long = collect(async (out) => new TarWriter(out).fileFrom('x', 1, (async function* () { yield Buffer.from('ab'); })()));
    await assert.rejects(long, { kind: 'data-loss' });
  });

  it('fails instead of waiting forever when the destination closes', async () => {
    const out = new PassThrough({ highWaterMark: 1 });
    const w = new TarWriter(out);
    const writing = w.file('big', Buffer.alloc(1 << 20));
    out.destroy();
    await assert.rejects(writing, { kind: 'cancelled' });
    await assert.rejects(w.finish(), { kind: 'cancelled' });
  });

  it('refuses names too long for ustar', async () => {
    await assert.rejects(collect(async (out) => new TarWriter(out).file('x'.repeat(300), Buffer.alloc(0))), { kind: 'invalid-argument' });
  });
});
