import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isKind } from '../../lib/errdefs/index.js';
import { volumeServiceConformance } from './conformance.js';
import { LocalVolumeService } from './local-volume-service.js';
import { VOLUMES_DB } from './volume-db.js';

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'volumes-'));
}

volumeServiceConformance('LocalVolumeService', () => {
  const root = tempRoot();
  return { service: LocalVolumeService.open({ root }), cleanup: () => rmSync(root, { recursive: true, force: true }) };
});

describe('LocalVolumeService', () => {
  async function withService(fn: (s: LocalVolumeService, root: string) => Promise<void>, now?: () => Date): Promise<void> {
    const root = tempRoot();
    const s = LocalVolumeService.open({ root, now });
    try {
      await fn(s, root);
    } finally {
      await s.close();
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('lays out a local volume as Docker does: <root>/<name> 0701, _data 0755', () =>
    withService(async (s, root) => {
      const v = await s.create({ Name: 'layout' });
      assert.equal(v.Mountpoint, join(root, 'layout', '_data'));
      assert.equal(statSync(join(root, 'layout')).mode & 0o7777, 0o701);
      assert.equal(statSync(v.Mountpoint).mode & 0o7777, 0o755);
      await s.remove('layout');
      assert.equal(existsSync(join(root, 'layout')), false);
    }));

  it('stamps CreatedAt from the clock in RFC 3339 seconds', () =>
    withService(async (s) => {
      assert.equal((await s.create({ Name: 'timed' })).CreatedAt, '2026-12-02T14:00:00Z');
    }, () => new Date('2026-12-02T14:00:00.789Z')));

  it('keeps volumes and holders in <root>/metadata.db (WAL) across reopen', async () => {
    const root = tempRoot();
    try {
      const s = LocalVolumeService.open({ root });
      await s.create({ Name: 'kept', Labels: { a: 'b' } });
      await s.acquire('kept', 'c1');
      await s.close();
      const db = new Database(join(root, VOLUMES_DB), { readonly: true });
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(db.prepare('SELECT volume, holder FROM holders').all(), [{ volume: 'kept', holder: 'c1' }]);
      db.close();
      const again = LocalVolumeService.open({ root });
      try {
        assert.deepEqual((await again.inspect('kept')).Labels, { a: 'b' });
        await assert.rejects(again.remove('kept'), /remove kept: volume is in use - \[c1\]/);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('treats a mounted volume as in use until its holder unmounts', () =>
    withService(async (s) => {
      await s.create({ Name: 'busy' });
      await s.mount('busy', 'c9');
      await assert.rejects(s.remove('busy'), (err) => isKind(err, 'conflict') && /\[c9\]/.test((err as Error).message));
      assert.deepEqual((await s.list({ dangling: ['true'] })).Volumes, []);
      assert.deepEqual((await s.prune({ all: ['true'] })).VolumesDeleted, []);
      await s.unmount('busy', 'c9');
      await s.remove('busy');
    }));

  it('does not prune volumes with mount options (no data here to reclaim)', () =>
    withService(async (s) => {
      await s.create({ Name: 'opted', DriverOpts: { type: 'tmpfs', device: 'tmpfs' } });
      assert.deepEqual(await s.prune({ all: ['true'] }), { VolumesDeleted: [], SpaceReclaimed: 0 });
    }));

  it('refuses a quota size and malformed sizes as Docker without quota support', () =>
    withService(async (s) => {
      await assert.rejects(s.create({ Name: 'q1', DriverOpts: { size: '10m' } }), { message: 'create q1: quota size requested but no quota support' });
      await assert.rejects(s.create({ Name: 'q2', DriverOpts: { size: 'lots' } }), { message: "create q2: invalid size: 'lots'" });
    }));

  it('recreates a volume whose data directory vanished instead of returning a stale one', () =>
    withService(async (s, root) => {
      await s.create({ Name: 'ghost' });
      rmSync(join(root, 'ghost'), { recursive: true });
      const v = await s.create({ Name: 'ghost' });
      assert.ok(existsSync(v.Mountpoint));
      writeFileSync(join(v.Mountpoint, 'ok'), '');
    }));

  it('refuses a second prune while one runs', () =>
    withService(async (s) => {
      await s.create({});
      const [a, b] = await Promise.allSettled([s.prune(), s.prune()]);
      assert.equal(a.status, 'fulfilled');
      assert.equal(b.status, 'rejected');
      assert.equal((b as PromiseRejectedResult).reason.message, 'a prune operation is already running');
    }));
});
