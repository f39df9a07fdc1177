import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import type { BundleContext, HostConfig } from './container-options.js';
import { withMounts, withRoot } from './mount-steps.js';
import type { RuntimeSpec, SpecMount } from './oci-types.js';
import { stepInput } from './test-fixtures.js';

const mounts = (hc: HostConfig, ctx: Partial<BundleContext> = {}): SpecMount[] => {
  const spec = { mounts: [] } as unknown as RuntimeSpec;
  withMounts(spec, stepInput({ HostConfig: hc }, ctx));
  return spec.mounts;
};
const at = (list: SpecMount[], destination: string) => list.find((m) => m.destination === destination);
const FILES = { hostsPath: '/run/c/hosts', resolvConfPath: '/run/c/resolv.conf', hostnamePath: '/run/c/hostname' };

describe('withMounts', () => {
  it("mounts Docker's defaults in order, /sys and the cgroups read-only", () => {
    const list = mounts({});
    assert.deepEqual(list.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
    assert.ok(at(list, '/sys')?.options?.includes('ro'));
    assert.ok(at(list, '/sys/fs/cgroup')?.options?.includes('ro'));
    assert.equal(at(list, '/proc')?.type, 'proc');
  });

  it('sizes /dev/shm at 64 MiB by default and at ShmSize when given', () => {
    assert.ok(at(mounts({}), '/dev/shm')?.options?.includes('size=67108864'));
    assert.ok(at(mounts({ ShmSize: 1048576 }), '/dev/shm')?.options?.includes('size=1048576'));
  });

  it('has no /dev/shm for IpcMode none and binds the host one for IpcMode host', () => {
    assert.equal(at(mounts({ IpcMode: 'none' }), '/dev/shm'), undefined);
    assert.deepEqual(at(mounts({ IpcMode: 'host' }), '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  });

  it("binds the engine's resolv.conf, hostname and hosts files, read-only on a read-only rootfs", () => {
    const list = mounts({}, FILES);
    assert.deepEqual(at(list, '/etc/hosts'), { destination: '/etc/hosts', type: 'bind', source: '/run/c/hosts', options: ['rbind', 'rprivate'] });
    assert.deepEqual(at(mounts({ ReadonlyRootfs: true }, FILES), '/etc/resolv.conf')?.options, ['rbind', 'ro', 'rprivate']);
  });

  it('adds ro to the defaults on a read-only rootfs, except /proc and the /dev ones', () => {
    const list = mounts({ ReadonlyRootfs: true });
    assert.ok(at(list, '/sys')?.options?.includes('ro'));
    for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue']) assert.ok(!at(list, d)?.options?.includes('ro'), d);
  });

  it('mounts --tmpfs entries with merged options, replacing a default at the same place', () => {
    const list = mounts({ Tmpfs: { '/run': 'size=1m,exec', '/dev/shm': '' } });
    assert.deepEqual(at(list, '/run'), { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'rprivate', 'size=1m', 'exec'] });
    assert.equal(list.filter((m) => m.destination === '/dev/shm').length, 1);
    assert.equal(at(list, '/dev/shm')?.source, 'tmpfs');
  });

  it('drops every default under /dev when /dev itself is replaced', () => {
    const list = mounts({ Tmpfs: { '/dev': '' } });
    assert.deepEqual(list.filter((m) => m.destination.startsWith('/dev')).map((m) => m.destination), ['/dev']);
  });

  it('makes /sys and the cgroups writable for a privileged container', () => {
    const list = mounts({ Privileged: true });
    assert.ok(!at(list, '/sys')?.options?.includes('ro'));
    assert.ok(!at(list, '/sys/fs/cgroup')?.options?.includes('ro'));
  });

  it('makes only the cgroups writable with writable-cgroups', () => {
    const list = mounts({ SecurityOpt: ['writable-cgroups=true'] });
    assert.ok(at(list, '/sys')?.options?.includes('ro'));
    assert.ok(!at(list, '/sys/fs/cgroup')?.options?.includes('ro'));
  });

  it('refuses a relative tmpfs path or a bad tmpfs option', () => {
    assert.throws(() => mounts({ Tmpfs: { run: '' } }), (err) => isKind(err, 'invalid-argument'));
    assert.throws(() => mounts({ Tmpfs: { '/run': 'bogus=1' } }), (err) => isKind(err, 'invalid-argument'));
  });
});

describe('withRoot', () => {
  it('points at the rootfs, read-only when asked', () => {
    const spec = {} as RuntimeSpec;
    withRoot(spec, stepInput({ HostConfig: { ReadonlyRootfs: true } }, { rootfs: '/r' }));
    assert.deepEqual(spec.root, { path: '/r', readonly: true });
  });
});
