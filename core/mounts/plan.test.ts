import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { planMounts, type PlanInput } from './plan.js';
import type { ContainerMount } from './types.js';

const exists = (paths: string[]) => async (p: string) => paths.includes(p);

const otherMounts: Record<string, ContainerMount[]> = {
  data: [
    { Type: 'volume', Name: 'shared', Source: '/v/shared/_data', Destination: '/a', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    { Type: 'volume', Name: 'anon1', Source: '/v/anon1/_data', Destination: '/b', Driver: 'local', Mode: '', RW: false, Propagation: '', anonymous: true, copyData: true },
    { Type: 'bind', Source: '/srv', Destination: '/c', Mode: 'ro', RW: true, Propagation: 'rslave' },
    { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '', tmpfsOptions: 'size=1m' },
  ],
  other: [{ Type: 'volume', Name: 'other', Source: '/v/other/_data', Destination: '/a', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }],
};

const input = (hc: PlanInput['hostConfig'], volumes: string[] = [], extra: Partial<PlanInput> = {}): PlanInput => ({
  config: { Volumes: Object.fromEntries(volumes.map((v) => [v, {}])) },
  hostConfig: hc,
  volumesFrom: async (ref) => otherMounts[ref] ?? null,
  pathExists: exists(['/exists']),
  ...extra,
});

const rejects = async (p: Promise<unknown>, message: string) =>
  assert.rejects(p, (err: Error) => {
    assert.equal(err.message, message);
    assert.ok(isKind(err, 'invalid-argument'));
    return true;
  });

describe('planMounts', () => {
  it('orders VolumesFrom, Binds, Mounts, then Config.Volumes, later sources taking a destination', async () => {
    const plan = await planMounts(input({
      VolumesFrom: ['data'],
      Binds: ['/host:/b', 'named:/n'],
      Mounts: [{ Type: 'bind', Source: '/exists', Target: '/c' }, { Type: 'volume', Target: '/m' }],
    }, ['/n', '/img', '/a', '/img2/']));
    assert.deepEqual(plan.map((m) => [m.destination, m.origin, m.type]), [
      ['/a', 'volumes-from', 'volume'],
      ['/t', 'volumes-from', 'tmpfs'],
      ['/b', 'binds', 'bind'],
      ['/n', 'binds', 'volume'],
      ['/c', 'mounts', 'bind'],
      ['/m', 'mounts', 'volume'],
      ['/img', 'config-volumes', 'volume'],
      ['/img2', 'config-volumes', 'volume'],
    ]);
    const img = plan.find((m) => m.destination === '/img')!;
    assert.deepEqual(img, {
      type: 'volume', origin: 'config-volumes', destination: '/img', anonymous: true, readOnly: false, mode: '', propagation: '',
      copyData: true, createIfMissing: false,
    });
  });

  it('copies another container\'s mounts without mode or copy, read-only when either says so', async () => {
    const plan = await planMounts(input({ VolumesFrom: ['data:ro'] }));
    assert.deepEqual(plan[0], {
      type: 'volume', origin: 'volumes-from', destination: '/a', source: '/v/shared/_data', volumeName: 'shared', driver: 'local',
      readOnly: true, mode: '', propagation: '', copyData: false, createIfMissing: false,
    });
    const rw = await planMounts(input({ VolumesFrom: ['data'] }));
    assert.equal(rw[0]!.readOnly, false);
    assert.equal(rw[1]!.readOnly, true, 'read-only in the other container stays read-only');
    assert.equal(rw[1]!.anonymous, true);
    assert.deepEqual([rw[2]!.source, rw[2]!.propagation, rw[2]!.createIfMissing], ['/srv', 'rslave', true]);
    assert.equal(rw[3]!.tmpfsOptions, 'size=1m');
  });

  it('lets a later VolumesFrom entry replace an earlier one at the same destination', async () => {
    const plan = await planMounts(input({ VolumesFrom: ['data', 'other'] }));
    assert.equal(plan.find((m) => m.destination === '/a')!.volumeName, 'other');
  });

  it('refuses an unknown VolumesFrom container and a bad mode', async () => {
    await rejects(planMounts(input({ VolumesFrom: ['nope'] })), 'No such container: nope');
    await rejects(planMounts(input({ VolumesFrom: ['data:rshared'] })), 'invalid mode: rshared');
  });

  it('refuses a destination twice in Binds, or in Binds and Tmpfs', async () => {
    await rejects(planMounts(input({ Binds: ['/a:/x', 'v:/x/'] })), 'Duplicate mount point: /x');
    await rejects(planMounts(input({ Binds: ['/a:/x'], Tmpfs: { '/x': '' } })), 'Duplicate mount point: /x');
  });

  it('refuses a Mounts destination already taken by Binds or Mounts, naming the Target as given', async () => {
    await rejects(planMounts(input({ Binds: ['/a:/x'], Mounts: [{ Type: 'volume', Target: '/x/' }] })), 'Duplicate mount point: /x/');
    await rejects(
      planMounts(input({ Mounts: [{ Type: 'tmpfs', Target: '/x' }, { Type: 'volume', Source: 'v', Target: '/x' }] })),
      'Duplicate mount point: /x',
    );
  });

  it('refuses a missing --mount bind source unless CreateMountpoint', async () => {
    await rejects(
      planMounts(input({ Mounts: [{ Type: 'bind', Source: '/missing', Target: '/x' }] })),
      'invalid mount config for type "bind": bind source path does not exist: /missing',
    );
    const plan = await planMounts(input({ Mounts: [{ Type: 'bind', Source: '/missing', Target: '/x', BindOptions: { CreateMountpoint: true } }] }));
    assert.equal(plan[0]!.createIfMissing, true);
    const binds = await planMounts(input({ Binds: ['/missing:/x'] }));
    assert.equal(binds[0]!.createIfMissing, true, '-v creates the host directory at start');
  });

  it('gives Config.Volumes the VolumeDriver and lets --tmpfs and other mounts cover them', async () => {
    const plan = await planMounts(input(
      { Tmpfs: { '/tmp': 'size=1m', '/run/': '' }, VolumeDriver: 'flocker', VolumesFrom: ['data'] },
      ['/tmp', '/run', '/a', '/t', '/new'],
    ));
    const own = plan.filter((m) => m.origin === 'config-volumes');
    assert.deepEqual(own.map((m) => [m.destination, m.driver]), [['/new', 'flocker']]);
  });

  it('refuses Config.Volumes at / or a relative path', async () => {
    await rejects(planMounts(input({}, ['/'])), `invalid mount config for type "volume": invalid specification: destination can't be '/'`);
    await rejects(planMounts(input({}, ['rel'])), `invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute`);
  });

  it('keeps a --mount tmpfs, which covers a Config.Volumes entry at its destination', async () => {
    const plan = await planMounts(input({ Mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 } }] }, ['/t']));
    assert.deepEqual(plan.map((m) => [m.type, m.tmpfsOptions]), [['tmpfs', 'size=1k']]);
  });

  describe('with a rootfs', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mounts-plan-'));
      await mkdir(join(dir, 'etc'));
      await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
      await symlink('/etc/passwd', join(dir, 'link'));
      await writeFile(join(dir, 'host-file'), '');
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses a Config.Volumes entry over an existing file, following symlinks inside the rootfs', async () => {
      await rejects(planMounts(input({}, ['/etc/passwd'], { rootfs: dir })), `cannot mount volume over existing file, file exists ${join(dir, 'etc/passwd')}`);
      await rejects(planMounts(input({}, ['/link'], { rootfs: dir })), `cannot mount volume over existing file, file exists ${join(dir, 'etc/passwd')}`);
      const plan = await planMounts(input({}, ['/etc', '/missing'], { rootfs: dir }));
      assert.equal(plan.length, 2);
    });

    it('checks --mount bind sources on the real filesystem by default', async () => {
      const plan = await planMounts({ config: {}, hostConfig: { Mounts: [{ Type: 'bind', Source: join(dir, 'host-file'), Target: '/f' }] } });
      assert.equal(plan[0]!.source, join(dir, 'host-file'));
      await assert.rejects(
        planMounts({ config: {}, hostConfig: { Mounts: [{ Type: 'bind', Source: join(dir, 'nope'), Target: '/f' }] } }),
        /bind source path does not exist/,
      );
    });
  });
});
