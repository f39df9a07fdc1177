import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OverlaySnapshotter } from './overlay-snapshotter.js';
import { snapshotterConformance } from './snapshotter-conformance.js';

function tempRoot(t: TestContext): string {
  const root = mkdtempSync(join(tmpdir(), 'moby-ovl-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

snapshotterConformance('OverlaySnapshotter', async (t) => {
  const s = await OverlaySnapshotter.open(tempRoot(t));
  t.after(() => s.close());
  return s;
});

test('OverlaySnapshotter.prepare lays out <root>/snapshots/<id>/{fs,work} and mounts overlay with nearest parent first', async (t) => {
  const root = tempRoot(t);
  const s = await OverlaySnapshotter.open(root);
  t.after(() => s.close());
  assert.deepEqual(await s.prepare('a'), [{ type: 'bind', source: `${root}/snapshots/1/fs`, options: ['rw', 'rbind'] }]);
  await s.commit('A', 'a');
  await s.prepare('b', 'A');
  await s.commit('B', 'b');
  assert.deepEqual(await s.prepare('c', 'B'), [{
    type: 'overlay',
    source: 'overlay',
    options: [`workdir=${root}/snapshots/3/work`, `upperdir=${root}/snapshots/3/fs`, `lowerdir=${root}/snapshots/2/fs:${root}/snapshots/1/fs`],
  }]);
  assert.deepEqual(await s.view('v1', 'A'), [{ type: 'bind', source: `${root}/snapshots/1/fs`, options: ['ro', 'rbind'] }]);
  assert.deepEqual(await s.view('v2', 'B'), [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${root}/snapshots/2/fs:${root}/snapshots/1/fs`] }]);
  assert.ok(existsSync(join(root, 'snapshots/3/work')));
  assert.equal(existsSync(join(root, 'snapshots/4/work')), false);
});

test('OverlaySnapshotter keeps its snapshots across close and open, never reusing an id', async (t) => {
  const root = tempRoot(t);
  const first = await OverlaySnapshotter.open(root);
  await first.prepare('a');
  await first.commit('A', 'a');
  await first.prepare('gone');
  await first.remove('gone');
  await first.close();
  const second = await OverlaySnapshotter.open(root);
  t.after(() => second.close());
  assert.equal((await second.stat('A')).kind, 'committed');
  const [m] = await second.prepare('b', 'A');
  assert.match(m!.options[0]!, /snapshots\/3\/work$/);
});

test('OverlaySnapshotter.remove deletes the snapshot directory', async (t) => {
  const root = tempRoot(t);
  const s = await OverlaySnapshotter.open(root);
  t.after(() => s.close());
  await s.prepare('a');
  writeFileSync(join(root, 'snapshots/1/fs/file'), 'x');
  await s.remove('a');
  assert.deepEqual(readdirSync(join(root, 'snapshots')), []);
});

test('OverlaySnapshotter.open removes directories left by an interrupted create or remove', async (t) => {
  const root = tempRoot(t);
  mkdirSync(join(root, 'snapshots/new-abc/fs'), { recursive: true });
  mkdirSync(join(root, 'snapshots/rm-7/fs'), { recursive: true });
  const s = await OverlaySnapshotter.open(root);
  t.after(() => s.close());
  assert.deepEqual(readdirSync(join(root, 'snapshots')), []);
});

test('OverlaySnapshotter.commit records usage so it no longer walks the tree', async (t) => {
  const root = tempRoot(t);
  const s = await OverlaySnapshotter.open(root);
  t.after(() => s.close());
  await s.prepare('a');
  writeFileSync(join(root, 'snapshots/1/fs/file'), 'x'.repeat(10000));
  await s.commit('A', 'a');
  const recorded = await s.usage('A');
  // Changing files behind its back shows the figure comes from the record.
  writeFileSync(join(root, 'snapshots/1/fs/other'), 'y'.repeat(10000));
  assert.deepEqual(await s.usage('A'), recorded);
  assert.equal(recorded.inodes, 2);
});
