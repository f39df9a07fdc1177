import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { planMounts } from './plan.js';
import { releaseMounts, resolveMounts } from './resolve.js';
import { FakeVolumes } from './test-fakes.js';
import type { ContainerMount } from './types.js';

const ID = 'c'.repeat(64);

describe('resolveMounts', () => {
  let dir: string;
  let volumes: FakeVolumes;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mounts-resolve-'));
    volumes = new FakeVolumes(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates and holds volumes, and reports Docker\'s inspect values', async () => {
    const plan = await planMounts({
      config: { Volumes: { '/img': {} } },
      hostConfig: {
        Binds: ['/host:/h:ro,rshared', 'named:/n', 'named2:/n2:ro', '/anon'],
        Mounts: [
          { Type: 'volume', Source: 'mvol', Target: '/m', VolumeOptions: { Labels: { l: '1' }, DriverConfig: { Options: { o: 'p' } } } },
          { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 2 ** 20 } },
          { Type: 'bind', Source: '/', Target: '/root' },
        ],
      },
    });
    const mounts = await resolveMounts(plan, { volumes, containerId: ID });
    const anon = (dest: string) => mounts.find((m) => m.Destination === dest)!.Name!;
    const mp = (name: string) => join(dir, name, '_data');
    assert.deepEqual(mounts, [
      { Type: 'bind', Source: '/host', Destination: '/h', Mode: 'ro,rshared', RW: false, Propagation: 'rshared', createHostDir: true },
      { Type: 'volume', Name: 'named', Source: mp('named'), Destination: '/n', Driver: 'local', Mode: 'z', RW: true, Propagation: '', copyData: true },
      { Type: 'volume', Name: 'named2', Source: mp('named2'), Destination: '/n2', Driver: 'local', Mode: 'ro', RW: false, Propagation: '', copyData: true },
      { Type: 'volume', Name: anon('/anon'), Source: mp(anon('/anon')), Destination: '/anon', Driver: 'local', Mode: 'z', RW: true, Propagation: '', anonymous: true, copyData: true },
      { Type: 'volume', Name: 'mvol', Source: mp('mvol'), Destination: '/m', Driver: 'local', Mode: 'z', RW: true, Propagation: '', copyData: true },
      { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '', tmpfsOptions: 'size=1m' },
      { Type: 'bind', Source: '/', Destination: '/root', Mode: '', RW: true, Propagation: 'rprivate' },
      { Type: 'volume', Name: anon('/img'), Source: mp(anon('/img')), Destination: '/img', Driver: 'local', Mode: '', RW: true, Propagation: '', anonymous: true, copyData: true },
    ]);
    assert.match(anon('/img'), /^[0-9a-f]{64}$/);
    assert.deepEqual(volumes.volumes.get('mvol')!.volume.Labels, { l: '1' });
    assert.deepEqual(volumes.volumes.get('mvol')!.volume.Options, { o: 'p' });
    assert.equal(volumes.volumes.get(anon('/img'))!.anonymous, true);
    for (const v of volumes.volumes.values()) assert.deepEqual([...v.holders], [ID], v.volume.Name);
    assert.deepEqual(JSON.parse(JSON.stringify(mounts)), mounts, 'plain JSON');
  });

  it('keeps a mode "" for volumes of other drivers', async () => {
    const plan = await planMounts({ config: {}, hostConfig: { Binds: ['v:/v'], VolumeDriver: 'flocker' } });
    const [m] = await resolveMounts(plan, { volumes, containerId: ID });
    assert.deepEqual([m!.Driver, m!.Mode], ['flocker', '']);
    assert.ok(volumes.calls.includes('create v flocker'));
  });

  it('holds, and does not create, the volumes of VolumesFrom', async () => {
    await volumes.create({ Name: 'shared' });
    const other: ContainerMount[] = [
      { Type: 'volume', Name: 'shared', Source: 'stale', Destination: '/a', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    ];
    const plan = await planMounts({ config: {}, hostConfig: { VolumesFrom: ['o:ro'] }, volumesFrom: async () => other });
    volumes.calls.length = 0;
    const mounts = await resolveMounts(plan, { volumes, containerId: ID });
    assert.deepEqual(volumes.calls, ['inspect shared', `acquire shared ${ID}`]);
    assert.deepEqual(mounts, [
      { Type: 'volume', Name: 'shared', Source: join(dir, 'shared/_data'), Destination: '/a', Driver: 'local', Mode: '', RW: false, Propagation: '' },
    ]);
  });

  it('on failure releases what it held and removes the anonymous volumes it made', async () => {
    const plan = await planMounts({ config: { Volumes: { '/x': {} } }, hostConfig: { Binds: ['keep:/k', '/anon'] } });
    let n = 0;
    const acquire = volumes.acquire.bind(volumes);
    volumes.acquire = async (name, holder) => {
      if (++n === 3) throw errorOf('unavailable', 'plugin down');
      return acquire(name, holder);
    };
    await assert.rejects(resolveMounts(plan, { volumes, containerId: ID }), /plugin down/);
    assert.deepEqual([...volumes.volumes.keys()], ['keep'], 'the named volume stays; the anonymous ones go');
    assert.equal(volumes.volumes.get('keep')!.holders.size, 0);
  });
});

describe('releaseMounts', () => {
  let dir: string;
  let volumes: FakeVolumes;
  let mounts: ContainerMount[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mounts-release-'));
    volumes = new FakeVolumes(dir);
    const plan = await planMounts({
      config: { Volumes: { '/img': {} } },
      hostConfig: { Binds: ['named:/n', '/host:/h', 'named:/n2'], Mounts: [{ Type: 'volume', Target: '/m' }] },
    });
    mounts = await resolveMounts(plan, { volumes, containerId: ID });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('releases every volume once and keeps them without removeAnonymous', async () => {
    volumes.calls.length = 0;
    await releaseMounts(mounts, { volumes, containerId: ID, removeAnonymous: false });
    assert.equal(volumes.calls.filter((c) => c.startsWith('release named')).length, 1);
    assert.equal(volumes.volumes.size, 3);
    for (const v of volumes.volumes.values()) assert.equal(v.holders.size, 0);
  });

  it('removes the anonymous volumes, never the named ones, with removeAnonymous', async () => {
    await releaseMounts(mounts, { volumes, containerId: ID, removeAnonymous: true });
    assert.deepEqual([...volumes.volumes.keys()], ['named']);
  });

  it('leaves an anonymous volume another container still uses, and one already gone', async () => {
    const anon = mounts.filter((m) => m.anonymous).map((m) => m.Name!);
    await volumes.acquire(anon[0]!, 'other');
    volumes.volumes.delete(anon[1]!);
    await releaseMounts(mounts, { volumes, containerId: ID, removeAnonymous: true });
    assert.deepEqual([...volumes.volumes.keys()].sort(), [anon[0]!, 'named'].sort());
  });

  it('tries every volume and reports the other failures together', async () => {
    volumes.failNext.remove = errorOf('internal', 'driver exploded');
    await assert.rejects(releaseMounts(mounts, { volumes, containerId: ID, removeAnonymous: true }), (err: Error) => {
      assert.equal(err.message, 'Error removing volumes:\ndriver exploded');
      assert.ok(isKind(err, 'internal'));
      return true;
    });
    assert.equal(volumes.volumes.size, 2, 'the second anonymous volume was still removed');
  });
});
