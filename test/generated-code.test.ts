import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../lib/component/paths.js';

it('the generated TypeScript beside every proto in api/ is what the protos generate today', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'gen-proto.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /up to date/);
});
