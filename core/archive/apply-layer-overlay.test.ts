import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainId, mountAll, OverlaySnapshotter, unmount, upperDirOf } from '../snapshots/index.js';
import { applyLayer } from './apply-layer.js';
import { chunked, tgzOf, type FixtureEntry } from './tar-fixture.js';

const layer1: FixtureEntry[] = [
  { name: 'etc/' },
  { name: 'etc/passwd', content: 'root:x:0:0' },
  { name: 'etc/hosts', content: '127.0.0.1 localhost' },
  { name: 'opt/' },
  { name: 'opt/dir/' },
  { name: 'opt/dir/a', content: 'old a' },
  { name: 'opt/dir/b', content: 'old b' },
  { name: 'bin/' },
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  { name: 'keep.txt', content: 'kept' },
];

const layer2: FixtureEntry[] = [
  { name: 'etc/' },
  { name: 'etc/.wh.hosts', content: '' },
  { name: 'opt/dir/' },
  { name: 'opt/dir/.wh..wh..opq', content: '' },
  { name: 'opt/dir/c', content: 'new c' },
  { name: 'new.txt', content: 'added' },
];

/** Every path under `dir` with its content, symlink target or `dir`. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = lstatSync(join(dir, rel));
    if (st.isDirectory()) Object.assign(out, { [rel]: 'dir' }, tree(dir, rel));
    else if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(join(dir, rel))}`;
    else out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(async () => {
    await unmount(dir, { detach: true });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('layers applied into prepared snapshots and committed by chain id merge as overlayfs shows them', async (t) => {
  const snapshots = await OverlaySnapshotter.open(tempDir(t, 'moby-e2e-root-'));
  t.after(() => snapshots.close());
  let parent: string | undefined;
  const diffIds: string[] = [];
  for (const [i, layer] of [layer1, layer2].entries()) {
    const mounts = await snapshots.prepare(`extract-${i}`, parent);
    const { diffId } = await applyLayer(upperDirOf(mounts), chunked(await tgzOf(layer)));
    diffIds.push(diffId);
    parent = chainId(diffIds);
    await snapshots.commit(parent, `extract-${i}`);
  }
  assert.equal((await snapshots.stat(parent!)).parent, chainId(diffIds.slice(0, 1)));

  const target = tempDir(t, 'moby-e2e-mnt-');
  await mountAll(await snapshots.view('top', parent), target);
  try {
    assert.deepEqual(tree(target), {
      'bin': 'dir',
      'bin/sh': '-> busybox',
      'etc': 'dir',
      'etc/passwd': 'root:x:0:0',
      'keep.txt': 'kept',
      'new.txt': 'added',
      'opt': 'dir',
      'opt/dir': 'dir',
      'opt/dir/c': 'new c',
    });
  } finally {
    await unmount(target);
  }
});
