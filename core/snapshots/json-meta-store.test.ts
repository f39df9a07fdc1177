import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonMetaStore } from './json-meta-store.js';
import { metaStoreConformance } from './meta-store-conformance.js';

function tempFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'moby-meta-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'metadata.json');
}

metaStoreConformance('JsonMetaStore', async (t) => {
  const file = tempFile(t);
  return { open: () => new JsonMetaStore(file) };
});

test('JsonMetaStore.read refuses writes', async (t) => {
  const store = new JsonMetaStore(tempFile(t));
  await assert.rejects(store.read((tx) => tx.nextId()), /write in a read transaction/);
});

test('JsonMetaStore refuses calls after close', async (t) => {
  const store = new JsonMetaStore(tempFile(t));
  await store.close();
  await assert.rejects(store.read((tx) => tx.list()), /closed/);
});
