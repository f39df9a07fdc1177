import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import type { MountSpec } from '../containers/container-record.js';
import { parseBind, parseMountSpec, parseVolumesFrom, tmpfsData, validMountMode } from './parse.js';
import type { PlannedMount } from './types.js';

const vol = (extra: Partial<PlannedMount>): PlannedMount => ({
  type: 'volume', origin: 'binds', destination: '/data', readOnly: false, mode: '', propagation: '', copyData: true,
  createIfMissing: false, ...extra,
});
const bind = (extra: Partial<PlannedMount>): PlannedMount => ({
  type: 'bind', origin: 'binds', destination: '/ctr', source: '/host', readOnly: false, mode: '', propagation: 'rprivate',
  copyData: false, createIfMissing: true, ...extra,
});

describe('parseBind', () => {
  const valid: Array<[string, PlannedMount, string?]> = [
    ['/data', vol({ anonymous: true })],
    ['name:/data', vol({ volumeName: 'name' })],
    ['name:/data:ro', vol({ volumeName: 'name', readOnly: true, mode: 'ro' })],
    ['name:/data:nocopy', vol({ volumeName: 'name', mode: 'nocopy', copyData: false })],
    ['name:/data:ro,nocopy,z', vol({ volumeName: 'name', mode: 'ro,nocopy,z', readOnly: true, copyData: false })],
    ['name:/data', vol({ volumeName: 'name', driver: 'flocker' }), 'flocker'],
    ['/data', vol({ anonymous: true, driver: 'flocker' }), 'flocker'],
    ['/host:/ctr', bind({})],
    ['/host:/ctr', bind({}), 'flocker'],
    ['/host:/ctr:', bind({})],
    ['/host:/ctr:ro', bind({ readOnly: true, mode: 'ro' })],
    ['/host:/ctr:rw,Z', bind({ mode: 'rw,Z' })],
    ['/host:/ctr:rshared', bind({ mode: 'rshared', propagation: 'rshared' })],
    ['/host:/ctr:ro,slave,z,cached', bind({ mode: 'ro,slave,z,cached', readOnly: true, propagation: 'slave' })],
    ['/host/../x/:/ctr/./a/', bind({ source: '/x', destination: '/ctr/a' })],
    ['/host:/ctr:ro-non-recursive', bind({ mode: 'ro-non-recursive', readOnly: true, bindOptions: { readOnlyNonRecursive: true } })],
    ['/host:/ctr:rro', bind({ mode: 'rro', readOnly: true, bindOptions: { readOnlyForceRecursive: true } })],
  ];
  for (const [spec, want, driver] of valid) {
    it(`parses ${JSON.stringify(spec)}${driver ? ` with driver ${driver}` : ''}`, () => {
      assert.deepEqual(parseBind(spec, driver), want);
    });
  }

  const errors: Array<[string, string]> = [
    ['', "invalid volume specification: ''"],
    [':/x', "invalid volume specification: ':/x'"],
    ['/a:/b:ro:extra', "invalid volume specification: '/a:/b:ro:extra'"],
    ['/foo:rw', "invalid volume specification: '/foo:rw'"],
    ['/foo:', "invalid volume specification: '/foo:'"],
    ['/a:/b:xyz', 'invalid mode: xyz'],
    ['/a:/b:ro,rw', 'invalid mode: ro,rw'],
    ['/a:/b:z,Z', 'invalid mode: z,Z'],
    ['/a:/b:shared,slave', 'invalid mode: shared,slave'],
    ['/a:/', `invalid volume specification: '/a:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`],
    ['/a:/..', `invalid volume specification: '/a:/..': invalid mount config for type "bind": invalid specification: destination can't be '/'`],
    ['vol:/', `invalid volume specification: 'vol:/': invalid mount config for type "volume": invalid specification: destination can't be '/'`],
    ['/a:rel', `invalid volume specification: '/a:rel': invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`],
    ['rel', `invalid volume specification: 'rel': invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute`],
    ['/a:/b:nocopy', `invalid volume specification: '/a:/b:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`],
    ['v:/b:shared', `invalid volume specification: 'v:/b:shared': invalid mount config for type "volume": field BindOptions must not be specified`],
    ['v:/b:ro-non-recursive', `mount mode "ro-non-recursive" requires a bind mount: invalid volume specification: 'v:/b:ro-non-recursive'`],
  ];
  for (const [spec, message] of errors) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      assert.throws(() => parseBind(spec), (err: Error) => {
        assert.equal(err.message, message);
        assert.ok(isKind(err, 'invalid-argument'));
        return true;
      });
    });
  }
});

describe('validMountMode', () => {
  it('takes one word of each kind at most', () => {
    assert.equal(validMountMode(''), true);
    assert.equal(validMountMode('rw,z,rprivate,nocopy,delegated'), true);
    assert.equal(validMountMode('ro,ro'), false);
    assert.equal(validMountMode('nocopy,nocopy'), false);
    assert.equal(validMountMode('default'), false);
  });
});

describe('parseVolumesFrom', () => {
  it('reads container[:mode], rw by default', () => {
    assert.deepEqual(parseVolumesFrom('c1'), { container: 'c1', mode: 'rw', readWrite: true });
    assert.deepEqual(parseVolumesFrom('c1:'), { container: 'c1', mode: 'rw', readWrite: true });
    assert.deepEqual(parseVolumesFrom('c1:ro'), { container: 'c1', mode: 'ro', readWrite: false });
    assert.deepEqual(parseVolumesFrom('c1:z'), { container: 'c1', mode: 'z', readWrite: true });
  });

  const errors: Array<[string, string]> = [
    ['', 'volumes-from specification cannot be an empty string'],
    ['c1:bogus', 'invalid mode: bogus'],
    ['c1:rshared', 'invalid mode: rshared'],
    ['c1:nocopy', 'invalid mode: nocopy'],
    ['c1:rro', 'mount mode "rro" is not supported for volumes-from mounts: invalid mode: rro'],
  ];
  for (const [spec, message] of errors) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      assert.throws(() => parseVolumesFrom(spec), (err: Error) => err.message === message && isKind(err, 'invalid-argument'));
    });
  }
});

describe('parseMountSpec', () => {
  const errors: Array<[MountSpec, string]> = [
    [{ Type: 'volume', Target: '' }, 'field Target must not be empty'],
    [{ Type: 'volume', Target: '/' }, "invalid specification: destination can't be '/'"],
    [{ Type: 'volume', Target: 'rel' }, "invalid mount path: 'rel' mount path must be absolute"],
    [{ Type: 'bind', Target: '/x' }, 'field Source must not be empty'],
    [{ Type: 'bind', Source: 'rel', Target: '/x' }, "invalid mount path: 'rel' mount path must be absolute"],
    [{ Type: 'bind', Source: '/a', Target: '/x', BindOptions: { Propagation: 'bogus' } }, 'invalid propagation mode: bogus'],
    [{ Type: 'bind', Source: '/a', Target: '/x', VolumeOptions: {} }, 'field VolumeOptions must not be specified'],
    [{ Type: 'volume', Target: '/x', BindOptions: {} }, 'field BindOptions must not be specified'],
    [{ Type: 'volume', Target: '/x', ReadOnly: true }, 'must not set ReadOnly mode when using anonymous volumes'],
    [{ Type: 'volume', Target: '/x', VolumeOptions: { Subpath: 'a' } }, 'must not set Subpath when using anonymous volumes'],
    [{ Type: 'volume', Source: 'v', Target: '/x', VolumeOptions: { Subpath: '../a' } }, 'subpath must be a relative path within the volume'],
    [{ Type: 'volume', Source: 'v', Target: '/x', VolumeOptions: { Subpath: '/a' } }, 'subpath must be a relative path within the volume'],
    [{ Type: 'tmpfs', Source: 'x', Target: '/x' }, 'field Source must not be specified'],
    [{ Type: 'tmpfs', Target: '/x', BindOptions: {} }, 'field BindOptions must not be specified'],
    [{ Type: 'tmpfs', Target: '/x', TmpfsOptions: { Options: [['uid', '0']] } }, 'invalid option: uid'],
    [{ Type: 'tmpfs', Target: '/x', TmpfsOptions: { Options: [[]] } }, 'invalid option array length'],
    [{ Type: 'npipe', Source: '/a', Target: '/x' }, 'mount type unknown'],
  ];
  for (const [spec, reason] of errors) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      const message = `invalid mount config for type ${JSON.stringify(spec.Type)}: ${reason}`;
      assert.throws(() => parseMountSpec(spec), (err: Error) => err.message === message && isKind(err, 'invalid-argument'));
    });
  }

  it('reads a volume with driver, options, labels, nocopy and subpath', () => {
    const spec: MountSpec = {
      Type: 'volume', Source: 'v', Target: '/x/', ReadOnly: true,
      VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, Subpath: 'sub/dir', DriverConfig: { Name: 'foo', Options: { o: 'p' } } },
    };
    assert.deepEqual(parseMountSpec(spec), {
      type: 'volume', origin: 'mounts', destination: '/x', volumeName: 'v', driver: 'foo', readOnly: true, mode: '',
      propagation: '', copyData: false, createIfMissing: false,
      volumeOptions: { labels: { a: 'b' }, driverOpts: { o: 'p' }, subpath: 'sub/dir' },
    });
  });

  it('reads a bind: rprivate by default, no host directory creation unless CreateMountpoint', () => {
    assert.deepEqual(parseMountSpec({ Type: 'bind', Source: '/a/', Target: '/x' }), {
      type: 'bind', origin: 'mounts', destination: '/x', source: '/a', readOnly: false, mode: '', propagation: 'rprivate',
      copyData: false, createIfMissing: false,
    });
    const m = parseMountSpec({
      Type: 'bind', Source: '/a', Target: '/x', ReadOnly: true,
      BindOptions: { Propagation: 'rslave', CreateMountpoint: true, NonRecursive: true },
    });
    assert.equal(m.propagation, 'rslave');
    assert.equal(m.createIfMissing, true);
    assert.deepEqual(m.bindOptions, { nonRecursive: true });
  });

  it('reads a tmpfs into Docker\'s data string', () => {
    const m = parseMountSpec({ Type: 'tmpfs', Target: '/t', ReadOnly: true, TmpfsOptions: { SizeBytes: 64 * 2 ** 20, Mode: 0o1777, Options: [['exec']] } });
    assert.equal(m.type, 'tmpfs');
    assert.equal(m.tmpfsOptions, 'ro,mode=1777,size=64m,exec');
  });
});

describe('tmpfsData', () => {
  it('picks the largest unit that divides the size', () => {
    assert.equal(tmpfsData({ SizeBytes: 2 ** 30 }, false), 'size=1g');
    assert.equal(tmpfsData({ SizeBytes: 3072 }, false), 'size=3k');
    assert.equal(tmpfsData({ SizeBytes: 1536 }, false), 'size=1536');
    assert.equal(tmpfsData(null, false), '');
  });
});
