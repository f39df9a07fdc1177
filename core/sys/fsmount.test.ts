import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsmount, type FsParam } from './fsmount.js';
import { umount2, MNT_DETACH, MOUNT_DATA_MAX } from './mount.js';

test('fsmount mounts an overlay whose lowerdir list is longer than mount(2) accepts', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moby-fsmount-'));
  const target = join(root, 'merged');
  t.after(() => {
    try { umount2(target, MNT_DETACH); } catch { /* not mounted */ }
    rmSync(root, { recursive: true, force: true });
  });
  mkdirSync(target);
  // Long directory names make the option string pass a page with few layers.
  const lowers: string[] = [];
  for (let i = 0; i < 24; i++) {
    const dir = join(root, `${String(i).padStart(2, '0')}-${'l'.repeat(200)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, `file-${i}`), String(i));
    lowers.push(dir);
  }
  assert.ok(`lowerdir=${lowers.join(':')}`.length > MOUNT_DATA_MAX);
  const params: FsParam[] = lowers.map((dir) => ['lowerdir+', dir] as FsParam);
  fsmount('overlay', target, params, true);
  try {
    assert.equal(readdirSync(target).length, 24);
  } finally {
    umount2(target);
  }
});
