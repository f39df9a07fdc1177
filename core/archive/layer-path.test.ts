import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKind } from '../../lib/errdefs/index.js';
import { entryPath, LayerTree } from './layer-path.js';

test('entryPath drops a leading slash, dot and empty components', () => {
  assert.equal(entryPath('./a//b/./c', 'entry'), 'a/b/c');
  assert.equal(entryPath('/etc/passwd', 'entry'), 'etc/passwd');
  assert.equal(entryPath('./', 'entry'), '');
  assert.equal(entryPath('..a/b..', 'entry'), '..a/b..');
});

test('entryPath refuses any .. component, naming the entry', () => {
  for (const name of ['..', '../x', 'a/../b', '/..', 'a/..']) {
    assert.throws(() => entryPath(name, 'entry'), (e: unknown) => {
      assert.ok(isKind(e, 'invalid-argument'));
      assert.match((e as Error).message, new RegExp(`layer entry ${JSON.stringify(name).replace(/\./g, '\\.')}:`));
      return true;
    });
  }
});

test('LayerTree.ensureParents creates missing parents and refuses symlinks and files on the path', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moby-tree-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const tree = new LayerTree(root);
  await tree.ensureParents('a/b/c', 'entry', 'a/b/c');
  assert.ok(existsSync(join(root, 'a/b')));
  symlinkSync('a', join(root, 'link'));
  await assert.rejects(tree.ensureParents('link/x', 'entry', 'link/x'), /goes through the symlink link/);
  writeFileSync(join(root, 'file'), '');
  await assert.rejects(tree.ensureParents('file/x', 'entry', 'file/x'), /parent file is not a directory/);
  await assert.rejects(tree.ensureParents('missing/x', 'entry', 'missing/x', false), /parent missing does not exist/);
});

test('LayerTree.forget makes a replaced directory be checked again', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'moby-tree-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const tree = new LayerTree(root);
  await tree.ensureParents('d/x', 'entry', 'd/x');
  rmSync(join(root, 'd'), { recursive: true });
  mkdirSync(join(root, 'elsewhere'));
  symlinkSync('elsewhere', join(root, 'd'));
  tree.forget('d');
  await assert.rejects(tree.ensureParents('d/x', 'entry', 'd/x'), /symlink d/);
});
