import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { readFileInRoot, resolveInRoot } from './read-file-in-root.js';

describe('resolveInRoot and readFileInRoot', () => {
  let dir: string;
  let root: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moby-inroot-'));
    root = join(dir, 'root');
    await mkdir(join(root, 'a/b'), { recursive: true });
    await writeFile(join(root, 'a/b/file'), 'inside');
    await writeFile(join(dir, 'secret'), 'outside');
    await symlink('b/file', join(root, 'a/rel'));
    await symlink('/a/b', join(root, 'abs-dir'));
    await symlink(join(dir, 'secret'), join(root, 'host-abs'));
    await symlink('../../secret', join(root, 'a/up'));
    await symlink('loop2', join(root, 'loop1'));
    await symlink('loop1', join(root, 'loop2'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('follows relative and absolute links within the root', async () => {
    assert.equal(await readFileInRoot(root, '/a/rel'), 'inside');
    assert.equal(await readFileInRoot(root, '/abs-dir/file'), 'inside');
    assert.equal(await resolveInRoot(root, '/abs-dir/file'), join(root, 'a/b/file'));
  });

  it('maps an absolute host path inside the root, so the host file is never read', async () => {
    assert.equal(await resolveInRoot(root, '/host-abs'), null);
    assert.equal(await readFileInRoot(root, '/host-abs'), null);
  });

  it('stops .. at the root', async () => {
    assert.equal(await readFileInRoot(root, '/a/up'), null);
    assert.equal(await readFileInRoot(root, '/../../a/b/file'), 'inside');
  });

  it('gives null for a missing file or a path through a file', async () => {
    assert.equal(await readFileInRoot(root, '/nope'), null);
    assert.equal(await readFileInRoot(root, '/a/b/file/x'), null);
  });

  it('refuses a symlink loop and an oversized file as invalid-argument', async () => {
    await assert.rejects(readFileInRoot(root, '/loop1'), (err) => isKind(err, 'invalid-argument'));
    await assert.rejects(readFileInRoot(root, '/a/b/file', 3), (err) => isKind(err, 'invalid-argument'));
  });
});
