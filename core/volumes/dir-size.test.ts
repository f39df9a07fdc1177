import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { dirSize } from './dir-size.js';

it('dirSize adds file sizes in subdirectories, a hard link once, a symlink as itself', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dir-size-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a'), Buffer.alloc(100));
    writeFileSync(join(dir, 'sub', 'b'), Buffer.alloc(50));
    linkSync(join(dir, 'a'), join(dir, 'sub', 'a-again'));
    symlinkSync('a', join(dir, 'link'));
    assert.equal(await dirSize(dir), 100 + 50 + 'a'.length);
    assert.equal(await dirSize(join(dir, 'missing')), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
