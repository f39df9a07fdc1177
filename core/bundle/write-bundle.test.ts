import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSpec } from './build-spec.js';
import { fakeContext, SH_IMAGE } from './test-fixtures.js';
import { writeBundle } from './write-bundle.js';

describe('writeBundle', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moby-bundle-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes config.json that parses back to the spec, creating the directory', async () => {
    const spec = buildSpec(SH_IMAGE, {}, fakeContext());
    const bundle = join(dir, 'new', 'bundle');
    const path = await writeBundle(bundle, spec);
    assert.equal(path, join(bundle, 'config.json'));
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), spec);
  });

  it('replaces an existing config.json and leaves no temporary file behind', async () => {
    const bundle = join(dir, 'again');
    await writeBundle(bundle, buildSpec(SH_IMAGE, { Hostname: 'first' }, fakeContext()));
    await writeBundle(bundle, buildSpec(SH_IMAGE, { Hostname: 'second' }, fakeContext()));
    assert.equal(JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')).hostname, 'second');
    assert.deepEqual(await readdir(bundle), ['config.json']);
  });
});
