import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MobyError } from '../../lib/errdefs/index.js';
import { LayerApplier } from './layer-applier.js';
import { tarOf } from './tar-fixture.js';

const sha256 = (buf: Buffer) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

function setUp(t: TestContext): { work: string; applier: LayerApplier } {
  const work = mkdtempSync(join(tmpdir(), 'moby-applier-'));
  const applier = new LayerApplier();
  t.after(async () => {
    await applier.close();
    rmSync(work, { recursive: true, force: true });
  });
  return { work, applier };
}

test('LayerApplier applies a gzip layer file on a worker thread, as applyLayer does', async (t) => {
  const { work, applier } = setUp(t);
  const tarball = await tarOf([{ name: 'd/', type: 'directory' }, { name: 'd/f', content: 'hello' }]);
  const gz = gzipSync(tarball);
  writeFileSync(join(work, 'blob'), gz);
  const dirs = [join(work, 'a'), join(work, 'b')];
  dirs.forEach((d) => mkdirSync(d));
  // Two at once: requests are told apart.
  const [a, b] = await Promise.all(dirs.map((d) => applier.apply(d, join(work, 'blob'), { digest: false })));
  for (const [dir, applied] of [[dirs[0]!, a!], [dirs[1]!, b!]] as const) {
    assert.equal(applied.diffId, sha256(tarball));
    assert.equal(applied.digest, undefined);
    assert.equal(applied.size, gz.length);
    assert.equal(applied.compression, 'gzip');
    assert.equal(readFileSync(join(dir, 'd/f'), 'utf8'), 'hello');
  }
  assert.equal((await applier.apply(join(work, 'a'), join(work, 'blob'))).digest, sha256(gz), 'the digest when asked for');
});

test('LayerApplier keeps the kind and message of applyLayer errors', async (t) => {
  const { work, applier } = setUp(t);
  writeFileSync(join(work, 'escape'), await tarOf([{ name: '../evil', content: 'x' }]));
  writeFileSync(join(work, 'truncated'), gzipSync(await tarOf([{ name: 'f', content: 'x'.repeat(4096) }])).subarray(0, 40));
  mkdirSync(join(work, 'dir'));
  await assert.rejects(applier.apply(join(work, 'dir'), join(work, 'escape')), (err: MobyError) => {
    assert.ok(err instanceof MobyError);
    assert.equal(err.kind, 'invalid-argument');
    assert.match(err.message, /evil/);
    return true;
  });
  await assert.rejects(applier.apply(join(work, 'dir'), join(work, 'truncated')), { kind: 'invalid-argument' });
  await assert.rejects(applier.apply(join(work, 'dir'), join(work, 'missing')), /ENOENT/);
});

test('LayerApplier does not keep the process alive, and works again after close', async (t) => {
  const { work, applier } = setUp(t);
  writeFileSync(join(work, 'blob'), await tarOf([{ name: 'f', content: 'x' }]));
  mkdirSync(join(work, 'a'));
  await applier.apply(join(work, 'a'), join(work, 'blob'));
  await applier.close();
  mkdirSync(join(work, 'b'));
  assert.equal((await applier.apply(join(work, 'b'), join(work, 'blob'))).compression, 'none');
});
