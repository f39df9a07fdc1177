import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MS_BIND, MS_NODEV, MS_NOSUID, MS_RDONLY, MS_REC, MS_PRIVATE, MOUNT_DATA_MAX } from '../sys/index.js';
import { mountAll, parseMountOptions, unmount } from './mount-all.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'moby-mnt-'));
  t.after(async () => {
    await unmount(dir, { detach: true });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('parseMountOptions splits flags, propagation and filesystem data', () => {
  const parsed = parseMountOptions(['ro', 'rbind', 'nosuid', 'nodev', 'rprivate', 'lowerdir=/a:/b', 'index=off']);
  assert.equal(parsed.flags, MS_RDONLY | MS_BIND | MS_REC | MS_NOSUID | MS_NODEV);
  assert.equal(parsed.propagation, MS_PRIVATE | MS_REC);
  assert.deepEqual(parsed.data, ['lowerdir=/a:/b', 'index=off']);
  assert.equal(parseMountOptions(['ro', 'rw']).flags, 0);
});

test('mountAll makes a read-only bind mount and unmount removes it', async (t) => {
  const src = tempDir(t);
  const target = tempDir(t);
  writeFileSync(join(src, 'f'), 'hello');
  await mountAll([{ type: 'bind', source: src, options: ['ro', 'rbind'] }], target);
  assert.equal(readFileSync(join(target, 'f'), 'utf8'), 'hello');
  assert.throws(() => writeFileSync(join(target, 'g'), 'x'), { code: 'EROFS' });
  await unmount(target);
  assert.deepEqual(readdirSync(target), []);
});

test('unmount removes stacked mounts and accepts a target with nothing mounted', async (t) => {
  const target = tempDir(t);
  await mountAll([
    { type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    { type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
  ], target);
  writeFileSync(join(target, 'top'), '');
  await unmount(target);
  assert.deepEqual(readdirSync(target), []);
  await unmount(target);
  await unmount(join(target, 'missing'));
});

test('mountAll undoes earlier mounts when a later one fails', async (t) => {
  const target = tempDir(t);
  await assert.rejects(mountAll([
    { type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    { type: 'bind', source: join(target, 'missing'), options: ['rbind'] },
  ], target), { code: 'ENOENT' });
  writeFileSync(join(target, 'on-disk'), '');
  assert.deepEqual(readdirSync(target), ['on-disk']);
});

test('mountAll mounts an overlay whose options pass one page through fsconfig', async (t) => {
  const root = tempDir(t);
  const target = join(root, 'merged');
  mkdirSync(target);
  t.after(() => unmount(target, { detach: true }));
  const lowers: string[] = [];
  for (let i = 0; i < 20; i++) {
    const dir = join(root, `${String(i).padStart(2, '0')}${'l'.repeat(220)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, `f${i}`), String(i));
    lowers.push(dir);
  }
  mkdirSync(join(root, 'upper'));
  mkdirSync(join(root, 'work'));
  const options = [`workdir=${root}/work`, `upperdir=${root}/upper`, `lowerdir=${lowers.join(':')}`];
  assert.ok(options.join(',').length > MOUNT_DATA_MAX);
  await mountAll([{ type: 'overlay', source: 'overlay', options }], target);
  writeFileSync(join(target, 'written'), 'w');
  assert.equal(readdirSync(target).length, 21);
  assert.equal(readFileSync(join(root, 'upper/written'), 'utf8'), 'w');
  await unmount(target);
});
