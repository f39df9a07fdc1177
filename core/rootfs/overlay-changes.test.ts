import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, linkSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { applyLayer } from '../archive/index.js';
import { chunked } from '../archive/tar-fixture.js';
import { makedev, mknod, S_IFCHR, S_IFIFO } from '../sys/index.js';
import { mountAll } from '../snapshots/index.js';
import { diffChanges, type Change } from './diff-changes.js';
import { exportRootfs } from './export-rootfs.js';
import { diffIdOf, layerFromUpper } from './layer-from-upper.js';
import { entriesOf, overlay, tempDir, treeOf } from './test-fixtures.js';

/** Two image layers, then the container's changes made through the merged mount. */
async function changedContainer(t: Parameters<typeof overlay>[0]) {
  const fx = await overlay(t, 2, ([top, bottom]) => {
    const b = bottom!;
    mkdirSync(join(b, 'etc'));
    writeFileSync(join(b, 'etc/passwd'), 'root:x:0:0\n');
    writeFileSync(join(b, 'etc/hosts'), '127.0.0.1 localhost\n');
    mkdirSync(join(b, 'opt/dir'), { recursive: true });
    writeFileSync(join(b, 'opt/dir/a'), 'a');
    writeFileSync(join(b, 'opt/dir/b'), 'b');
    mkdirSync(join(b, 'keepdir'));
    writeFileSync(join(b, 'keepdir/f'), 'f');
    writeFileSync(join(b, 'gone-later'), 'bye');
    mkdirSync(join(b, 'var/lib'), { recursive: true });
    writeFileSync(join(b, 'var/lib/x'), 'x');
    writeFileSync(join(b, 'h1'), 'shared');
    linkSync(join(b, 'h1'), join(b, 'h2'));
    const tp = top!;
    writeFileSync(join(tp, 'etc-extra'), 'from the top layer');
    mknod(join(tp, 'var'), S_IFCHR, 0n); // the top layer deleted /var
  });
  const m = fx.merged;
  writeFileSync(join(m, 'new.txt'), 'added');
  appendFileSync(join(m, 'etc/passwd'), 'app:x:1000:1000\n');
  unlinkSync(join(m, 'etc/hosts'));
  rmSync(join(m, 'opt/dir'), { recursive: true });
  mkdirSync(join(m, 'opt/dir'));
  writeFileSync(join(m, 'opt/dir/c'), 'c');
  appendFileSync(join(m, 'keepdir/f'), 'more');
  unlinkSync(join(m, 'gone-later'));
  mkdirSync(join(m, 'var'));
  writeFileSync(join(m, 'var/y'), 'y');
  mknod(join(m, 'fifo'), S_IFIFO | 0o644);
  mknod(join(m, 'null'), S_IFCHR | 0o666, makedev(1, 3));
  return fx;
}

test('diffChanges reports added, modified and deleted paths as docker diff does', async (t) => {
  const fx = await changedContainer(t);
  const changes = await diffChanges({ upperDir: fx.upper, lowerDirs: fx.lowers });
  const expected: Change[] = [
    { Path: '/etc', Kind: 0 },
    { Path: '/etc/hosts', Kind: 2 },
    { Path: '/etc/passwd', Kind: 0 },
    { Path: '/fifo', Kind: 1 },
    { Path: '/gone-later', Kind: 2 },
    { Path: '/keepdir/f', Kind: 0 },
    { Path: '/new.txt', Kind: 1 },
    { Path: '/null', Kind: 1 },
    { Path: '/opt', Kind: 0 },
    { Path: '/opt/dir', Kind: 2 },
    { Path: '/opt/dir/c', Kind: 1 },
    { Path: '/var', Kind: 1 },
    { Path: '/var/y', Kind: 1 },
  ];
  assert.deepEqual(changes, expected);
});

test('layerFromUpper applied onto the lowers with core/archive gives the same merged view', async (t) => {
  const fx = await changedContainer(t);
  const first = layerFromUpper({ upperDir: fx.upper, lowerDirs: fx.lowers });
  const bytes: Buffer[] = [];
  for await (const c of first.stream) bytes.push(c as Buffer);
  const tarBytes = Buffer.concat(bytes);
  const diffId = await first.diffId;
  assert.equal(diffId, await diffIdOf([tarBytes]));
  assert.equal(first.size(), tarBytes.length);

  const names = (await entriesOf(chunked(tarBytes))).map((e) => e.name);
  for (const n of ['etc/.wh.hosts', '.wh.gone-later', 'opt/dir/', 'opt/dir/.wh..wh..opq', 'opt/dir/c', 'var/y']) {
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  }
  assert.ok(names.indexOf('opt/dir/.wh..wh..opq') === names.indexOf('opt/dir/') + 1);

  // Deterministic: the same upper gives the same diff ID.
  const again = layerFromUpper({ upperDir: fx.upper });
  again.stream.resume();
  assert.equal(await again.diffId, diffId);

  const dir = tempDir(t);
  const upper2 = join(dir, 'upper');
  const work2 = join(dir, 'work');
  const merged2 = join(dir, 'merged');
  for (const d of [upper2, work2, merged2]) mkdirSync(d);
  const applied = await applyLayer(upper2, chunked(tarBytes));
  assert.equal(applied.diffId, diffId);
  await mountAll([{ type: 'overlay', source: 'overlay', options: [`lowerdir=${fx.lowers.join(':')}`, `upperdir=${upper2}`, `workdir=${work2}`] }], merged2);
  assert.deepEqual(treeOf(merged2), treeOf(fx.merged));
});

test('exportRootfs holds the whole merged filesystem, hard links as links, sockets left out', async (t) => {
  const fx = await changedContainer(t);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(fx.merged, 'sock'), resolve));
  t.after(() => server.close());
  const entries = await entriesOf(exportRootfs(fx.merged));
  const names = entries.map((e) => e.name);
  const expected = Object.entries(treeOf(fx.merged))
    .filter(([p]) => p !== 'sock')
    .map(([p, what]) => (what.startsWith('dir ') ? `${p}/` : p));
  assert.deepEqual([...names].sort(), [...expected].sort());
  assert.ok(!names.includes('sock'));
  const h2 = entries.find((e) => e.name === 'h2')!;
  assert.deepEqual([h2.type, h2.linkname], ['link', 'h1']);
  const nul = entries.find((e) => e.name === 'null')!;
  assert.deepEqual([nul.type, nul.devmajor, nul.devminor], ['char', 1, 3]);
  assert.equal(entries.find((e) => e.name === 'etc/passwd')!.content.toString(), 'root:x:0:0\napp:x:1000:1000\n');
  assert.ok(!names.some((n) => n.startsWith('var/lib')), 'the top layer deleted /var/lib');
});
