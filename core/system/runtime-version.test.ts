import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRuntimeVersion, readRuntimeVersion } from './runtime-version.js';

const runcOutput = 'runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n';

test('parseRuntimeVersion reads the name, version and commit of runc --version', () => {
  assert.deepEqual(parseRuntimeVersion(runcOutput), { name: 'runc', version: '1.1.5+ds1', commit: '1.1.5+ds1-1+deb12u1' });
});

test('parseRuntimeVersion leaves the commit empty when there is no commit line', () => {
  assert.deepEqual(parseRuntimeVersion('crun version 1.8.1\nspec: 1.0.0\n'), { name: 'crun', version: '1.8.1', commit: '' });
});

test('parseRuntimeVersion returns undefined for output without a version line', () => {
  assert.equal(parseRuntimeVersion('usage: runc [options]\n'), undefined);
});

test('readRuntimeVersion runs the binary with --version and parses its output', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rtv-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = join(dir, 'fake-runtime');
  await writeFile(script, `#!/bin/sh\n[ "$1" = --version ] || exit 2\nprintf 'fakert version 9.9\\ncommit: cafe\\n'\n`);
  await chmod(script, 0o755);
  assert.deepEqual(await readRuntimeVersion(script), { name: 'fakert', version: '9.9', commit: 'cafe' });
});

test('readRuntimeVersion resolves undefined when the binary does not exist', async () => {
  assert.equal(await readRuntimeVersion('/nonexistent/moby-test-runtime'), undefined);
});
