import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MNT_DETACH, MS_BIND, MS_NOSUID, MS_RDONLY, MS_REC, MS_PRIVATE, umount2 } from '../sys/index.js';
import { isMountPoint, validateLocalOptions } from './local-driver.js';
import { LocalVolumeService } from './local-volume-service.js';
import { parseMountOptions } from './mount-options.js';

/** A service in a temp root; afterwards every mount under the root is detached before the root goes. */
async function withService(fn: (s: LocalVolumeService, root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'volumes-local-'));
  const s = LocalVolumeService.open({ root });
  try {
    await fn(s, root);
  } finally {
    await s.close();
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const target = line.split(' ')[4];
      if (target?.startsWith(root)) {
        try {
          umount2(target, MNT_DETACH);
        } catch { /* already gone */ }
      }
    }
    rmSync(root, { recursive: true, force: true });
  }
}

function mountOptionsOf(path: string): string | undefined {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === path);
}

describe('local driver with mount options', () => {
  it('mounts a tmpfs at the first mount and unmounts it after the last holder', () =>
    withService(async (s) => {
      const v = await s.create({ Name: 'fast', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000,nosuid' } });
      assert.deepEqual(v.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000,nosuid' });
      assert.equal(isMountPoint(v.Mountpoint), false, 'not mounted before first use');
      assert.equal(await s.mount('fast', 'c1'), v.Mountpoint);
      assert.equal(isMountPoint(v.Mountpoint), true);
      const info = mountOptionsOf(v.Mountpoint)!;
      assert.match(info, / - tmpfs tmpfs /);
      assert.match(info, /nosuid/);
      assert.match(info, /uid=1000/);
      assert.equal(statSync(v.Mountpoint).uid, 1000);
      writeFileSync(join(v.Mountpoint, 'in-tmpfs'), 'x');
      await s.mount('fast', 'c2');
      await s.unmount('fast', 'c1');
      assert.equal(isMountPoint(v.Mountpoint), true, 'still mounted for c2');
      await s.unmount('fast', 'c2');
      assert.equal(isMountPoint(v.Mountpoint), false);
      assert.equal(existsSync(join(v.Mountpoint, 'in-tmpfs')), false, 'the data lived in the tmpfs');
      await s.remove('fast');
    }));

  it('binds a host directory with type=none o=bind, read-only with ro, and never deletes its contents', () =>
    withService(async (s, root) => {
      const host = join(root, 'host-dir');
      mkdirSync(host);
      writeFileSync(join(host, 'keep'), 'precious');
      const v = await s.create({ Name: 'bound', DriverOpts: { type: 'none', o: 'bind,ro', device: host } });
      const path = await s.mount('bound', 'c1');
      try {
        assert.equal(readFileSync(join(path, 'keep'), 'utf8'), 'precious');
        assert.throws(() => writeFileSync(join(path, 'new'), 'x'), { code: 'EROFS' });
      } finally {
        await s.unmount('bound', 'c1');
      }
      await s.remove('bound');
      assert.equal(readFileSync(join(host, 'keep'), 'utf8'), 'precious');
      assert.equal(existsSync(v.Mountpoint), false);
    }));

  it('reports a failed mount and stays unmounted, so a later mount can succeed', () =>
    withService(async (s, root) => {
      await s.create({ Name: 'broken', DriverOpts: { type: 'none', o: 'bind', device: join(root, 'missing') } });
      await assert.rejects(s.mount('broken', 'c1'), /^MobyError: failed to mount local volume: mount .*ENOENT/);
      mkdirSync(join(root, 'missing'));
      await s.mount('broken', 'c1');
      await s.unmount('broken', 'c1');
      await s.remove('broken');
    }));
});

describe('validateLocalOptions', () => {
  it('accepts Docker\'s keys and refuses others with Docker\'s text', () => {
    validateLocalOptions(null);
    validateLocalOptions({});
    validateLocalOptions({ type: 'nfs', device: ':/export', o: 'addr=10.0.0.1' });
    assert.throws(() => validateLocalOptions({ colour: 'red' }), { message: 'invalid option: "colour"' });
    assert.throws(() => validateLocalOptions({ device: 'x' }), { message: 'missing required option: "type"' });
    assert.throws(() => validateLocalOptions({ o: 'size=1m', type: 'tmpfs' }), { message: 'missing required option: "device"' });
    assert.throws(() => validateLocalOptions({ type: 'cifs', device: '//host:445/share' }), /port not allowed in CIFS device URL/);
  });
});

describe('parseMountOptions', () => {
  it('splits mount(2) flags and propagation from filesystem data', () => {
    assert.deepEqual(parseMountOptions('size=100m,uid=1000'), { flags: 0, propagation: 0, data: 'size=100m,uid=1000' });
    assert.deepEqual(parseMountOptions('rbind,ro,nosuid,rprivate'), { flags: MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID, propagation: MS_PRIVATE | MS_REC, data: '' });
    assert.deepEqual(parseMountOptions('ro,rw'), { flags: 0, propagation: 0, data: '' });
    assert.deepEqual(parseMountOptions(undefined), { flags: 0, propagation: 0, data: '' });
  });
});
