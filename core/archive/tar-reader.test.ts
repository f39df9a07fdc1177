import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, type TarSummary } from './tar-reader.js';
import { chunked, tarOf } from './tar-fixture.js';

async function names(tarball: Buffer, readBodies: boolean, chunk = 100): Promise<string[]> {
  const out: string[] = [];
  for await (const { header, body } of readTar(chunked(tarball, chunk))) {
    let text = '';
    if (readBodies) for await (const c of body) text += c.toString();
    out.push(readBodies ? `${header.name}=${text}` : header.name);
  }
  return out;
}

test('readTar yields entries with their bodies across chunk boundaries', async () => {
  const tarball = await tarOf([{ name: 'a', content: 'x'.repeat(700) }, { name: 'd/' }, { name: 'b', content: 'B' }]);
  assert.deepEqual(await names(tarball, true, 333), [`a=${'x'.repeat(700)}`, 'd/=', 'b=B']);
});

test('readTar skips bodies the consumer leaves unread or half read', async () => {
  const tarball = await tarOf([{ name: 'a', content: 'x'.repeat(5000) }, { name: 'b', content: 'B' }]);
  assert.deepEqual(await names(tarball, false), ['a', 'b']);
  const seen: string[] = [];
  for await (const { header, body } of readTar(chunked(tarball, 1000))) {
    for await (const c of body) { seen.push(`${header.name}:${c.length}`); break; }
  }
  assert.deepEqual(seen, ['a:488', 'b:1']);
});

test('readTar reads GNU long names and PAX long link targets', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'moby-tar-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const long = 'n'.repeat(150);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', long), 'L');
  execFileSync('ln', ['-s', 'l'.repeat(120), join(dir, 'src', 'sym')]);
  const gnu = execFileSync('tar', ['--format=gnu', '-C', join(dir, 'src'), '-cf', '-', long, 'sym']);
  const pax = await tarOf([{ name: 'sym', type: 'symlink', linkname: 't'.repeat(150) }]);
  const headers: string[] = [];
  for (const tarball of [gnu, pax]) {
    for await (const { header } of readTar(chunked(tarball))) headers.push(`${header.type}:${header.name}:${header.linkname}`);
  }
  assert.deepEqual(headers, [`file:${long}:`, `symlink:sym:${'l'.repeat(120)}`, `symlink:sym:${'t'.repeat(150)}`]);
});

test('readTar reads to the end of the stream after the end-of-archive marker', async () => {
  const tarball = Buffer.concat([await tarOf([{ name: 'a', content: 'A' }]), Buffer.from('trailing bytes')]);
  const summary: TarSummary = { bytes: 0 };
  for await (const _ of readTar(chunked(tarball), summary)) { /* entries */ }
  assert.equal(summary.bytes, tarball.length);
});

test('readTar refuses a stream that ends without the end-of-archive marker', async () => {
  const tarball = await tarOf([{ name: 'a', content: 'A' }]);
  await assert.rejects(names(tarball.subarray(0, 1024), false), /no end-of-archive marker/);
  await assert.rejects(names(tarball.subarray(0, 700), false), /truncated stream: in the data of a/);
  await assert.rejects(names(tarball.subarray(0, 1100), false), /partial header block/);
});
