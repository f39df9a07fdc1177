import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { errorOf, isKind } from '../../lib/errdefs/index.js';
import { planMounts, type PlanInput } from './plan.js';
import { resolveMounts } from './resolve.js';
import { specMounts } from './spec.js';
import { FakeVolumes } from './test-fakes.js';
import type { ContainerMount } from './types.js';

const ID = 'd'.repeat(64);

describe('specMounts', () => {
  let dir: string;
  let rootfs: string;
  let volumes: FakeVolumes;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mounts-spec-'));
    rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'var/lib/app'), { recursive: true });
    await writeFile(join(rootfs, 'var/lib/app/seed'), 'from the image');
    await mkdir(join(dir, 'host'));
    volumes = new FakeVolumes(join(dir, 'volumes'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const create = async (hostConfig: PlanInput['hostConfig'], config: PlanInput['config'] = {}) =>
    resolveMounts(await planMounts({ config, hostConfig }), { volumes, containerId: ID });

  it('builds Docker\'s OCI mounts, shallowest first', async () => {
    const host = join(dir, 'host');
    const mounts = await create({
      Binds: [`${host}:/a/b/c:ro`, `${host}:/x:rshared`, 'v:/v:ro'],
      Mounts: [
        { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 2 ** 20, Mode: 0o700 } },
        { Type: 'bind', Source: host, Target: '/nr', BindOptions: { NonRecursive: true } },
      ],
    });
    const result = await specMounts(mounts, { volumes, containerId: ID, rootfs });
    const vpath = join(dir, 'volumes/v/_data');
    assert.deepEqual(result.mounts, [
      { destination: '/x', type: 'bind', source: host, options: ['rbind', 'rshared'] },
      { destination: '/v', type: 'bind', source: vpath, options: ['rbind', 'ro'] },
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'rprivate', 'mode=700', 'size=1m'] },
      { destination: '/nr', type: 'bind', source: host, options: ['bind', 'rprivate'] },
      { destination: '/a/b/c', type: 'bind', source: host, options: ['rbind', 'ro', 'rprivate'] },
    ]);
    assert.equal(result.rootfsPropagation, 'shared');
    await result.release();
  });

  it('uses rro for read-only mounts where supported, unless ro-non-recursive', async () => {
    const host = join(dir, 'host');
    const mounts = await create({ Binds: [`${host}:/a:ro`, `${host}:/b:ro-non-recursive`, `${host}:/c:rro`] });
    const off = await specMounts(mounts, { volumes, containerId: ID, rootfs });
    assert.deepEqual(off.mounts.map((m) => m.options![1]), ['ro', 'ro', 'rro']);
    const on = await specMounts(mounts, { volumes, containerId: ID, rootfs, recursiveReadOnly: true });
    assert.deepEqual(on.mounts.map((m) => m.options![1]), ['rro', 'ro', 'rro']);
  });

  it('reports rslave propagation for slave mounts', async () => {
    const mounts = await create({ Binds: [`${join(dir, 'host')}:/s:slave`] });
    const result = await specMounts(mounts, { volumes, containerId: ID, rootfs });
    assert.equal(result.rootfsPropagation, 'rslave');
  });

  it('mounts each volume once per start and unmounts it on release, once', async () => {
    const mounts = await create({ Binds: ['v:/one', 'v:/two'] });
    const result = await specMounts(mounts, { volumes, containerId: ID, rootfs });
    assert.equal(volumes.volumes.get('v')!.mounts, 1);
    assert.deepEqual(result.mounts.map((m) => m.source), [join(dir, 'volumes/v/_data'), join(dir, 'volumes/v/_data')]);
    await result.release();
    await result.release();
    assert.equal(volumes.volumes.get('v')!.mounts, 0);
  });

  it('copies the image content into a new volume at the first start only', async () => {
    const mounts = await create({}, { Volumes: { '/var/lib/app': {} } });
    assert.equal(mounts[0]!.copyData, true);
    const first = await specMounts(mounts, { volumes, containerId: ID, rootfs });
    const vpath = first.mounts[0]!.source!;
    assert.equal(await readFile(join(vpath, 'seed'), 'utf8'), 'from the image');
    assert.equal(first.records[0]!.copyData, undefined, 'cleared on the returned records');
    assert.equal(mounts[0]!.copyData, true, 'the input is not changed');
    await first.release();

    await rm(join(vpath, 'seed'));
    const second = await specMounts(first.records, { volumes, containerId: ID, rootfs });
    assert.deepEqual(await readdir(vpath), [], 'the user emptied it: no second copy');
    await second.release();
  });

  it('does not copy with nocopy, nor into a volume that has content', async () => {
    const [nocopy] = await create({ Binds: ['quiet:/var/lib/app:nocopy'] });
    const a = await specMounts([nocopy!], { volumes, containerId: ID, rootfs });
    assert.deepEqual(await readdir(a.mounts[0]!.source!), []);

    await volumes.create({ Name: 'full' });
    await writeFile(join(dir, 'volumes/full/_data/own'), 'x');
    const [full] = await create({ Binds: ['full:/var/lib/app'] });
    const b = await specMounts([full!], { volumes, containerId: ID, rootfs });
    assert.deepEqual(await readdir(b.mounts[0]!.source!), ['own']);
  });

  it('creates a missing -v source directory with mode 0755', async () => {
    const source = join(dir, 'made/by/start');
    const mounts = await create({ Binds: [`${source}:/m`] });
    await specMounts(mounts, { volumes, containerId: ID, rootfs });
    const st = await stat(source);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o755 & ~process.umask());
  });

  it('leaves an existing -v source file alone', async () => {
    const file = join(dir, 'host/file');
    await writeFile(file, 'x');
    const mounts = await create({ Binds: [`${file}:/etc/app.conf:ro`] });
    const result = await specMounts(mounts, { volumes, containerId: ID, rootfs });
    assert.equal(result.mounts[0]!.source, file);
    assert.equal(await readFile(file, 'utf8'), 'x');
  });

  it('refuses a --mount bind source that disappeared since create', async () => {
    const gone = join(dir, 'gone');
    await mkdir(gone);
    const mounts = await create({ Mounts: [{ Type: 'bind', Source: gone, Target: '/g' }] });
    await rm(gone, { recursive: true });
    await assert.rejects(specMounts(mounts, { volumes, containerId: ID, rootfs }), (err: Error) => {
      assert.equal(err.message, `invalid mount config for type "bind": bind source path does not exist: ${gone}`);
      assert.ok(isKind(err, 'invalid-argument'));
      return true;
    });
  });

  it('leaves destinations to --tmpfs', async () => {
    const mounts: ContainerMount[] = await create({ Binds: ['v:/run'] });
    const result = await specMounts(mounts, { volumes, containerId: ID, rootfs, tmpfs: { '/run/': '' } });
    assert.deepEqual(result.mounts, []);
    assert.equal(volumes.volumes.get('v')!.mounts, 0, 'not even mounted');
  });

  it('mounts a volume subpath, resolved inside the volume', async () => {
    await volumes.create({ Name: 'sv' });
    const data = join(dir, 'volumes/sv/_data');
    await mkdir(join(data, 'inner'));
    await symlink('../../../../host', join(data, 'escape'));
    const mounts = await create({
      Mounts: [{ Type: 'volume', Source: 'sv', Target: '/s', VolumeOptions: { Subpath: 'inner' } }],
    });
    const ok = await specMounts(mounts, { volumes, containerId: ID, rootfs });
    assert.equal(ok.mounts[0]!.source, join(data, 'inner'));
    await ok.release();

    const bad = await create({ Mounts: [{ Type: 'volume', Source: 'sv', Target: '/e', VolumeOptions: { Subpath: 'escape' } }] });
    await assert.rejects(specMounts(bad, { volumes, containerId: ID, rootfs }), /cannot access path/);
    assert.equal(volumes.volumes.get('sv')!.mounts, 0, 'unmounted after the failure');
  });

  it('unmounts what it mounted when a later mount fails', async () => {
    const mounts = await create({ Binds: ['a:/a', 'b:/b'] });
    const mount = volumes.mount.bind(volumes);
    volumes.mount = async (name, holder) => {
      if (name === 'b') throw errorOf('unavailable', 'driver down');
      return mount(name, holder);
    };
    await assert.rejects(specMounts(mounts, { volumes, containerId: ID, rootfs }), /driver down/);
    assert.equal(volumes.volumes.get('a')!.mounts, 0);
  });
});
