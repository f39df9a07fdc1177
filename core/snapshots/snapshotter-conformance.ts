import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKind, type ErrorKind } from '../../lib/errdefs/index.js';
import { mountAll, unmount } from './mount-all.js';
import type { Mount, Snapshotter } from './snapshotter.js';

/** Makes a fresh, empty snapshotter for one test and registers its cleanup on `t`. */
export type SnapshotterFactory = (t: TestContext) => Promise<Snapshotter>;

/**
 * The behaviour every `Snapshotter` must show, local or remote. Mounts are
 * performed on this host, so remote implementations run it on the same node.
 */
export function snapshotterConformance(name: string, make: SnapshotterFactory): void {
  describe(`${name} (Snapshotter conformance)`, () => {
    test('prepare without a parent gives a writable empty mount that commit keeps', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'base', undefined, { 'a.txt': 'A' });
      const info = await s.stat('base');
      assert.equal(info.kind, 'committed');
      assert.equal(info.parent, undefined);
      await assertKind(s.stat('base-active'), 'not-found');
    });

    test('prepare on a parent shows the parent and keeps writes out of it', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'base', undefined, { 'a.txt': 'A' });
      await writeLayer(t, s, 'top', 'base', { 'b.txt': 'B' });
      assert.deepEqual(await viewFiles(t, s, 'v-base', 'base'), { 'a.txt': 'A' });
      assert.deepEqual(await viewFiles(t, s, 'v-top', 'top'), { 'a.txt': 'A', 'b.txt': 'B' });
      assert.equal((await s.stat('top')).parent, 'base');
    });

    test('view is read-only', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'base', undefined, { 'a.txt': 'A' });
      const target = await mounted(t, await s.view('v', 'base'));
      assert.throws(() => writeFileSync(join(target, 'new'), 'x'), { code: 'EROFS' });
      assert.equal((await s.stat('v')).kind, 'view');
    });

    test('view of a three-layer chain shows the union, upper layers winning', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'l1', undefined, { 'a.txt': '1', 'keep.txt': 'k' });
      await writeLayer(t, s, 'l2', 'l1', { 'a.txt': '2' });
      await writeLayer(t, s, 'l3', 'l2', { 'c.txt': '3' });
      assert.deepEqual(await viewFiles(t, s, 'v', 'l3'), { 'a.txt': '2', 'c.txt': '3', 'keep.txt': 'k' });
    });

    test('prepare refuses a used key, a missing parent and a parent that is not committed', async (t) => {
      const s = await make(t);
      await s.prepare('active');
      await assertKind(s.prepare('active'), 'already-exists');
      await assertKind(s.prepare('other', 'missing'), 'not-found');
      await assertKind(s.prepare('other', 'active'), 'invalid-argument');
      await assertKind(s.prepare(''), 'invalid-argument');
    });

    test('commit refuses a view, a committed snapshot and an existing name', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'base', undefined, {});
      await s.view('v', 'base');
      await s.prepare('active', 'base');
      await assertKind(s.commit('x', 'v'), 'failed-precondition');
      await assertKind(s.commit('y', 'base'), 'failed-precondition');
      await assertKind(s.commit('base', 'active'), 'already-exists');
      await assertKind(s.commit('z', 'missing'), 'not-found');
      assert.equal((await s.stat('active')).kind, 'active');
    });

    test('remove refuses a parent with children until the children are gone', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'base', undefined, {});
      await s.prepare('child', 'base');
      await assertKind(s.remove('base'), 'failed-precondition');
      await s.remove('child');
      await s.remove('base');
      assert.deepEqual(await s.list(), []);
      await assertKind(s.remove('base'), 'not-found');
    });

    test('mounts returns the mounts of active snapshots and views only', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'base', undefined, {});
      const prepared = await s.prepare('active', 'base');
      assert.deepEqual(await s.mounts('active'), prepared);
      await assertKind(s.mounts('base'), 'failed-precondition');
      await assertKind(s.mounts('missing'), 'not-found');
    });

    test('list and stat report kinds, parents and labels', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'base', undefined, {});
      await s.prepare('active', 'base', { labels: { role: 'container' } });
      await s.view('v', 'base');
      const byKey = new Map((await s.list()).map((i) => [i.key, i]));
      assert.deepEqual([...byKey.keys()].sort(), ['active', 'base', 'v']);
      assert.equal(byKey.get('active')?.kind, 'active');
      assert.equal(byKey.get('active')?.parent, 'base');
      assert.deepEqual(byKey.get('active')?.labels, { role: 'container' });
      assert.equal(byKey.get('v')?.kind, 'view');
    });

    test('usage counts the layer\'s own bytes and inodes, hard links once', async (t) => {
      const s = await make(t);
      await writeLayer(t, s, 'empty', undefined, {});
      const big = 'x'.repeat(64 * 1024);
      await writeLayer(t, s, 'data', 'empty', { 'big.bin': big, 'small.txt': 's' });
      const emptyUsage = await s.usage('empty');
      const usage = await s.usage('data');
      assert.equal(emptyUsage.inodes, 1);
      assert.equal(usage.inodes, 3);
      assert.ok(usage.size >= emptyUsage.size + big.length, `size ${usage.size}`);
    });
  });
}

async function assertKind(p: Promise<unknown>, kind: ErrorKind): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isKind(err, kind), `expected ${kind}, got ${String(err)}`);
    return true;
  });
}

async function mounted(t: TestContext, mounts: Mount[]): Promise<string> {
  const target = mkdtempSync(join(tmpdir(), 'moby-snap-mnt-'));
  t.after(async () => {
    await unmount(target, { detach: true });
    rmSync(target, { recursive: true, force: true });
  });
  await mountAll(mounts, target);
  return target;
}

/** Prepares `key`-active on `parent`, writes files, unmounts and commits as `key`. */
async function writeLayer(t: TestContext, s: Snapshotter, key: string, parent: string | undefined, files: Record<string, string>): Promise<void> {
  const target = await mounted(t, await s.prepare(`${key}-active`, parent));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(target, name), content);
  } finally {
    await unmount(target);
  }
  await s.commit(key, `${key}-active`);
}

async function viewFiles(t: TestContext, s: Snapshotter, key: string, parent: string): Promise<Record<string, string>> {
  const target = await mounted(t, await s.view(key, parent));
  try {
    const out: Record<string, string> = {};
    for (const name of readdirSync(target).sort()) out[name] = readFileSync(join(target, name), 'utf8');
    return out;
  } finally {
    await unmount(target);
  }
}
