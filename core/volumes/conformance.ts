import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isKind, type ErrorKind } from '../../lib/errdefs/index.js';
import type { VolumeService } from './volume-service.js';

export interface VolumeServiceFixture {
  service: VolumeService;
  cleanup?: () => Promise<void> | void;
}

async function rejectsWith(promise: Promise<unknown>, kind: ErrorKind, message?: string | RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isKind(err, kind), `expected ${kind}, got ${String(err)}`);
    if (typeof message === 'string') assert.equal((err as Error).message, message);
    else if (message) assert.match((err as Error).message, message);
    return true;
  });
}

const names = (vols: { Name: string }[]) => vols.map((v) => v.Name).sort();
const HOLDER_A = 'a'.repeat(64);
const HOLDER_B = 'b'.repeat(64);

/**
 * The contract of `VolumeService` with the `local` driver, for every implementation (local,
 * over gRPC): call it from a test file with a factory that returns a fresh, empty service
 * on this host (tests write into mount points to measure sizes).
 */
export function volumeServiceConformance(label: string, factory: () => Promise<VolumeServiceFixture> | VolumeServiceFixture): void {
  describe(`VolumeService conformance: ${label}`, () => {
    async function withService(fn: (s: VolumeService) => Promise<void>): Promise<void> {
      const fixture = await factory();
      try {
        await fn(fixture.service);
      } finally {
        await fixture.service.close();
        await fixture.cleanup?.();
      }
    }

    it('creates a local volume and inspects it as Docker shows it', () =>
      withService(async (s) => {
        const v = await s.create({ Name: 'data', Labels: { app: 'web' }, DriverOpts: {} });
        assert.equal(v.Name, 'data');
        assert.equal(v.Driver, 'local');
        assert.equal(v.Scope, 'local');
        assert.deepEqual(v.Labels, { app: 'web' });
        assert.deepEqual(v.Options, {});
        assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
        assert.match(v.Mountpoint, /\/data\/_data$/);
        assert.deepEqual(await s.inspect('data'), v);
      }));

    it('keeps null labels and options null', () =>
      withService(async (s) => {
        const v = await s.create({ Name: 'bare' });
        assert.equal(v.Labels, null);
        assert.equal(v.Options, null);
      }));

    it('returns the existing volume when created again, ignoring the new labels', () =>
      withService(async (s) => {
        const first = await s.create({ Name: 'again', Labels: { one: '1' } });
        assert.deepEqual(await s.create({ Name: 'again', Labels: { two: '2' } }), first);
        assert.deepEqual(await s.create({ Name: 'again', Driver: 'local' }), first);
        assert.deepEqual(names((await s.list()).Volumes), ['again']);
      }));

    it('names an anonymous volume with 64 hex digits and labels it', () =>
      withService(async (s) => {
        const v = await s.create({ Labels: { keep: 'me' } });
        assert.match(v.Name, /^[0-9a-f]{64}$/);
        assert.deepEqual(v.Labels, { keep: 'me', 'com.docker.volume.anonymous': '' });
        const named = await s.create({ Name: 'anon-named' }, { anonymous: true });
        assert.deepEqual(named.Labels, { 'com.docker.volume.anonymous': '' });
      }));

    it('refuses bad local names with Docker\'s messages', () =>
      withService(async (s) => {
        const chars = 'includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path';
        await rejectsWith(s.create({ Name: 'a/b' }), 'invalid-argument', `create a/b: "a/b" ${chars}`);
        await rejectsWith(s.create({ Name: '..' }), 'invalid-argument', `create ..: ".." ${chars}`);
        await rejectsWith(s.create({ Name: '_x' }), 'invalid-argument', `create _x: "_x" ${chars}`);
        await rejectsWith(s.create({ Name: 'x' }), 'invalid-argument', 'create x: volume name is too short, names should be at least two alphanumeric characters');
        assert.deepEqual((await s.list()).Volumes, []);
      }));

    it('refuses an unknown driver option and an unknown driver', () =>
      withService(async (s) => {
        await rejectsWith(s.create({ Name: 'opt', DriverOpts: { foo: 'bar' } }), 'invalid-argument', 'create opt: invalid option: "foo"');
        await rejectsWith(s.create({ Name: 'opt', DriverOpts: { type: 'tmpfs' } }), 'invalid-argument', 'create opt: missing required option: "device"');
        await rejectsWith(s.create({ Name: 'drv', Driver: 'nosuch' }), 'not-found', 'create drv: error looking up volume plugin nosuch: plugin "nosuch" not found');
        assert.deepEqual((await s.list()).Volumes, []);
      }));

    it('reports a missing volume as not found', () =>
      withService(async (s) => {
        await rejectsWith(s.inspect('nosuch'), 'not-found', 'get nosuch: no such volume');
        await rejectsWith(s.remove('nosuch'), 'not-found', 'get nosuch: no such volume');
        await rejectsWith(s.acquire('nosuch', HOLDER_A), 'not-found', 'get nosuch: no such volume');
        await rejectsWith(s.mount('nosuch', HOLDER_A), 'not-found', 'get nosuch: no such volume');
        await s.remove('nosuch', { force: true });
        await s.release('nosuch', HOLDER_A);
      }));

    it('refuses to remove a held volume, even forced, and removes it once released', () =>
      withService(async (s) => {
        await s.create({ Name: 'held' });
        await s.acquire('held', HOLDER_B);
        await s.acquire('held', HOLDER_A);
        await s.acquire('held', HOLDER_A);
        await rejectsWith(s.remove('held'), 'conflict', `remove held: volume is in use - [${HOLDER_A}, ${HOLDER_B}]`);
        await rejectsWith(s.remove('held', { force: true }), 'conflict', /volume is in use/);
        await s.release('held', HOLDER_A);
        await s.release('held', HOLDER_A);
        await rejectsWith(s.remove('held'), 'conflict', `remove held: volume is in use - [${HOLDER_B}]`);
        await s.release('held', HOLDER_B);
        await s.remove('held');
        await rejectsWith(s.inspect('held'), 'not-found');
      }));

    it('mounts a local volume at its Mountpoint, once per holder', () =>
      withService(async (s) => {
        const v = await s.create({ Name: 'mnt' });
        assert.equal(await s.mount('mnt', HOLDER_A), v.Mountpoint);
        assert.equal(await s.mount('mnt', HOLDER_A), v.Mountpoint);
        writeFileSync(join(v.Mountpoint, 'f'), 'x');
        await s.unmount('mnt', HOLDER_A);
        await s.unmount('mnt', HOLDER_A);
        await s.remove('mnt');
      }));

    it('filters the list by name, driver, label and dangling', () =>
      withService(async (s) => {
        await s.create({ Name: 'web-data', Labels: { app: 'web', tier: 'front' } });
        await s.create({ Name: 'db-data', Labels: { app: 'db' } });
        await s.create({ Name: 'cache' });
        await s.acquire('db-data', HOLDER_A);
        const ls = async (f: Record<string, string[]>) => names((await s.list(f)).Volumes);
        assert.deepEqual(await ls({}), ['cache', 'db-data', 'web-data']);
        assert.deepEqual(await ls({ name: ['data'] }), ['db-data', 'web-data']);
        assert.deepEqual(await ls({ name: ['cache', 'web'] }), ['cache', 'web-data']);
        assert.deepEqual(await ls({ driver: ['local'] }), ['cache', 'db-data', 'web-data']);
        assert.deepEqual(await ls({ driver: ['other'] }), []);
        assert.deepEqual(await ls({ label: ['app'] }), ['db-data', 'web-data']);
        assert.deepEqual(await ls({ label: ['app=web'] }), ['web-data']);
        assert.deepEqual(await ls({ label: ['app', 'tier=front'] }), ['web-data']);
        assert.deepEqual(await ls({ label: ['app=nope'] }), []);
        assert.deepEqual(await ls({ dangling: ['true'] }), ['cache', 'web-data']);
        assert.deepEqual(await ls({ dangling: ['1'] }), ['cache', 'web-data']);
        assert.deepEqual(await ls({ dangling: ['false'] }), ['db-data']);
        assert.deepEqual(await ls({ dangling: ['0'], label: ['app'] }), ['db-data']);
        await rejectsWith(s.list({ dangling: ['maybe'] }), 'invalid-argument', "invalid filter 'dangling=maybe'");
        await rejectsWith(s.list({ colour: ['red'] }), 'invalid-argument', "invalid filter 'colour'");
      }));

    it('prunes only unused anonymous local volumes unless all=true, and counts their bytes', () =>
      withService(async (s) => {
        const anon = await s.create({});
        const heldAnon = await s.create({});
        await s.create({ Name: 'named' });
        await s.acquire(heldAnon.Name, HOLDER_A);
        writeFileSync(join(anon.Mountpoint, 'blob'), Buffer.alloc(3000));
        assert.deepEqual(await s.prune(), { VolumesDeleted: [anon.Name], SpaceReclaimed: 3000 });
        assert.deepEqual(names((await s.list()).Volumes), [heldAnon.Name, 'named'].sort());
        assert.deepEqual(await s.prune({ all: ['true'] }), { VolumesDeleted: ['named'], SpaceReclaimed: 0 });
        assert.deepEqual(names((await s.list()).Volumes), [heldAnon.Name]);
        await rejectsWith(s.prune({ dangling: ['true'] }), 'invalid-argument', "invalid filter 'dangling'");
        await rejectsWith(s.prune({ all: ['maybe'] }), 'invalid-argument', /^invalid filter 'all'/);
      }));

    it('prunes by label and label!', () =>
      withService(async (s) => {
        await s.create({ Name: 'keep-a', Labels: { keep: 'yes' } });
        await s.create({ Name: 'drop-a', Labels: { keep: 'no' } });
        await s.create({ Name: 'drop-b' });
        assert.deepEqual((await s.prune({ all: ['1'], label: ['keep=no'] })).VolumesDeleted, ['drop-a']);
        assert.deepEqual((await s.prune({ all: ['1'], 'label!': ['keep'] })).VolumesDeleted, ['drop-b']);
        assert.deepEqual(names((await s.list()).Volumes), ['keep-a']);
      }));

    it('reports usage: data size and holder count per volume', () =>
      withService(async (s) => {
        const a = await s.create({ Name: 'use-a' });
        await s.create({ Name: 'use-b' });
        writeFileSync(join(a.Mountpoint, 'x'), Buffer.alloc(1234));
        await s.acquire('use-b', HOLDER_A);
        await s.acquire('use-b', HOLDER_B);
        const usage = new Map((await s.usage()).map((v) => [v.Name, v.UsageData]));
        assert.deepEqual(usage.get('use-a'), { Size: 1234, RefCount: 0 });
        assert.deepEqual(usage.get('use-b'), { Size: 0, RefCount: 2 });
        assert.equal(usage.size, 2);
      }));
  });
}
