import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { containerStoreConformance } from './conformance.js';
import { setRunning } from './container-record.js';
import { CONTAINERS_DB, containerMigrations, SqliteContainerStore } from './container-store.js';
import { sampleRecord } from './test-fixtures.js';

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'containers-store-'));
}

containerStoreConformance('SqliteContainerStore', () => {
  const root = tempRoot();
  return { store: SqliteContainerStore.open(root), cleanup: () => rmSync(root, { recursive: true, force: true }) };
});

describe('SqliteContainerStore', () => {
  it('persists records and names across reopen, in WAL mode (synchronous NORMAL)', async () => {
    const root = tempRoot();
    try {
      const store = SqliteContainerStore.open(root);
      const rec = await store.create(sampleRecord({ name: 'keep' }));
      await store.update(rec.id, (r) => setRunning(r, 7, new Date('2026-01-01T00:00:00Z')));
      await store.reserveName('pending', rec.id.replace(/^./, 'f'));
      assert.equal(store.schemaVersion(), containerMigrations.length);
      await store.close();
      assert.ok(existsSync(join(root, CONTAINERS_DB)));

      const db = new Database(join(root, CONTAINERS_DB), { readonly: true });
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.close();

      const again = SqliteContainerStore.open(root);
      const got = await again.get('keep');
      assert.equal(got.state.pid, 7);
      assert.equal(got.state.status, 'running');
      await assert.rejects(again.create(sampleRecord({ name: 'pending' })), /already in use/);
      await again.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('falls back to a digit, then to the short id, as names collide', async () => {
    const root = tempRoot();
    try {
      // random() always 0: every candidate is the same first pair, then the same pair plus '0'.
      const store = SqliteContainerStore.open(root, { random: () => 0 });
      const a = sampleRecord();
      const b = sampleRecord();
      const c = sampleRecord();
      const first = await store.reserveGeneratedName(a.id);
      const second = await store.reserveGeneratedName(b.id);
      const third = await store.reserveGeneratedName(c.id);
      assert.match(first, /^\/[a-z]+_[a-z]+$/);
      assert.equal(second, `${first}0`);
      assert.equal(third, `/${c.id.slice(0, 12)}`);
      await store.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a database from a newer schema', async () => {
    const root = tempRoot();
    try {
      (await SqliteContainerStore.open(root)).close();
      const db = new Database(join(root, CONTAINERS_DB));
      db.pragma(`user_version = ${containerMigrations.length + 1}`);
      db.close();
      assert.throws(() => SqliteContainerStore.open(root), /newer than this engine understands/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
