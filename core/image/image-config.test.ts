import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf, type Digest } from '../content/index.js';
import { encodeImageConfig, newImportConfig, parseImageConfig } from './image-config.js';
import { dockerImportConfigs } from './testdata/docker-import-configs.js';

/** Configs Debian's dockerd 20.10 wrote for `docker import` with these `--change` lists. */
const golden = dockerImportConfigs;
const diffId: Digest = `sha256:${'1'.repeat(64)}`;

describe('newImportConfig', () => {
  for (const c of golden.cases) {
    it(`writes the bytes dockerd writes for the "${c.name}" import`, () => {
      const expected = JSON.parse(c.config);
      const created = newImportConfig({
        diffId: expected.rootfs.diff_ids[0], created: expected.created, changes: c.changes, comment: c.comment, dockerVersion: expected.docker_version,
      });
      assert.equal(created.bytes.toString(), c.config);
      assert.equal(created.id, digestOf(c.config));
    });
  }

  it('defaults to linux/amd64, "Imported from -" and no docker_version', () => {
    const { config, bytes } = newImportConfig({ diffId, created: new Date(0) });
    assert.equal(config.os, 'linux');
    assert.equal(config.architecture, 'amd64');
    assert.deepEqual(config.history, [{ created: '1970-01-01T00:00:00Z', comment: 'Imported from -' }]);
    assert.equal(config.comment, 'Imported from -');
    assert.equal(bytes.includes('docker_version'), false);
  });

  it('writes the platform variant, normalised', () => {
    const { config } = newImportConfig({ diffId, created: new Date(0), platform: { os: 'linux', architecture: 'armhf' } });
    assert.equal(config.architecture, 'arm');
    assert.equal(config.variant, 'v7');
  });

  it('refuses a bad change before creating anything', () => {
    assert.throws(() => newImportConfig({ diffId, created: new Date(0), changes: ['RUN true'] }), { kind: 'invalid-argument', message: 'RUN is not a valid change command' });
  });
});

describe('parseImageConfig', () => {
  it('reads a config and keeps unknown fields', () => {
    const config = parseImageConfig(JSON.stringify({ os: 'linux', architecture: 'arm64', rootfs: { type: 'layers', diff_ids: [diffId] }, custom: 1 }));
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [diffId] });
    assert.equal((config as unknown as Record<string, unknown>).custom, 1);
  });

  it('reads a config without diff IDs as having no layers', () => {
    assert.deepEqual(parseImageConfig('{"rootfs":{"type":"layers"}}').rootfs.diff_ids, []);
  });

  it('refuses configs without rootfs, with a bad rootfs, or with malformed fields', () => {
    const invalid = (message: RegExp) => ({ kind: 'invalid-argument', message });
    assert.throws(() => parseImageConfig('{"os":"linux"}'), invalid(/rootfs: missing/));
    assert.throws(() => parseImageConfig('{"rootfs":{"type":"other"}}'), invalid(/unsupported rootfs type "other"/));
    assert.throws(() => parseImageConfig('{"rootfs":{"type":"layers","diff_ids":["sha256:xyz"]}}'), invalid(/rootfs.diff_ids\[0\]/));
    assert.throws(() => parseImageConfig('{"rootfs":{"type":"layers"},"os":7}'), invalid(/os: expected a string/));
    assert.throws(() => parseImageConfig('{"rootfs":{"type":"layers"},"history":[{"empty_layer":"yes"}]}'), invalid(/history\[0\].empty_layer/));
    assert.throws(() => parseImageConfig('{"rootfs":{"type":"layers"},"config":[]}'), invalid(/config: expected an object/));
  });
});

describe('encodeImageConfig', () => {
  it('sorts top-level keys, writes container_config always and Go field order inside', () => {
    const bytes = encodeImageConfig({ rootfs: { type: 'layers', diff_ids: [] }, os: 'linux', config: { Cmd: ['sh'], Labels: { b: '1', a: '2' } } });
    const text = bytes.toString();
    assert.ok(text.startsWith('{"config":{"Hostname":""'), text);
    assert.ok(text.includes('"Cmd":["sh"],"Image":""'), text);
    assert.ok(text.includes('"Labels":{"a":"2","b":"1"}'), text);
    assert.ok(text.includes('"container_config":{"Hostname":""'), text);
    assert.ok(text.endsWith('"os":"linux","rootfs":{"type":"layers"}}'), text);
  });
});
