import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isKind } from '../../lib/errdefs/errdefs.js';
import { engineIdFile, loadOrCreateEngineId } from './engine-id.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eid-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('loadOrCreateEngineId creates the data root and a UUID once, then returns the same ID', async (t) => {
  const dataRoot = join(await tempDir(t), 'root');
  const first = await loadOrCreateEngineId(dataRoot);
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(await loadOrCreateEngineId(dataRoot), first);
  assert.equal((await readFile(join(dataRoot, engineIdFile), 'utf8')).trim(), first);
  assert.equal((await stat(dataRoot)).mode & 0o777, 0o711);
});

test('loadOrCreateEngineId gives concurrent callers one ID and leaves no temporary files', async (t) => {
  const dataRoot = await tempDir(t);
  const ids = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateEngineId(dataRoot)));
  assert.equal(new Set(ids).size, 1);
  assert.deepEqual(await readdir(dataRoot), [engineIdFile]);
});

test('loadOrCreateEngineId keeps an existing ID and refuses an empty file as data-loss', async (t) => {
  const dataRoot = await tempDir(t);
  await writeFile(join(dataRoot, engineIdFile), 'KM5K:UED2\n');
  assert.equal(await loadOrCreateEngineId(dataRoot), 'KM5K:UED2');
  const other = join(dataRoot, 'other');
  await mkdir(other);
  await writeFile(join(other, engineIdFile), '');
  await assert.rejects(loadOrCreateEngineId(other), (err) => isKind(err, 'data-loss'));
});
