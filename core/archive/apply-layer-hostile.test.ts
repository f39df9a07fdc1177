import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKind } from '../../lib/errdefs/index.js';
import { applyLayer } from './apply-layer.js';
import { chunked, tarOf, type FixtureEntry } from './tar-fixture.js';

interface Sandbox {
  base: string;
  root: string;
  outside: string;
}

/** `<base>/root` receives the layer; `<base>/outside` is the sentinel nothing may touch. */
function sandbox(t: TestContext): Sandbox {
  const base = mkdtempSync(join(tmpdir(), 'moby-hostile-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const s = { base, root: join(base, 'root'), outside: join(base, 'outside') };
  mkdirSync(s.root);
  mkdirSync(s.outside);
  writeFileSync(join(s.outside, 'secret'), 'untouched');
  return s;
}

function assertOutsideUntouched(s: Sandbox): void {
  assert.deepEqual(readdirSync(s.base).sort(), ['outside', 'root']);
  assert.deepEqual(readdirSync(s.outside), ['secret']);
  assert.equal(readFileSync(join(s.outside, 'secret'), 'utf8'), 'untouched');
}

async function assertRefused(s: Sandbox, entries: FixtureEntry[], entryName: string): Promise<void> {
  await assert.rejects(applyLayer(s.root, chunked(await tarOf(entries))), (err: unknown) => {
    assert.ok(isKind(err, 'invalid-argument'), String(err));
    assert.ok((err as Error).message.includes(JSON.stringify(entryName)), (err as Error).message);
    return true;
  });
  assertOutsideUntouched(s);
}

const file = (name: string): FixtureEntry => ({ name, content: 'pwned' });

test('applyLayer refuses an entry with a .. component', async (t) => {
  const s = sandbox(t);
  await assertRefused(s, [file('../outside/escape')], '../outside/escape');
  await assertRefused(s, [file('ok/../../outside/x')], 'ok/../../outside/x');
});

test('applyLayer keeps an absolute entry name inside the root, as Docker does', async (t) => {
  const s = sandbox(t);
  await applyLayer(s.root, chunked(await tarOf([file(`${s.outside}/abs`)])));
  assert.equal(readFileSync(join(s.root, s.outside, 'abs'), 'utf8'), 'pwned');
  assertOutsideUntouched(s);
});

test('applyLayer refuses to write through an absolute symlink to /', async (t) => {
  const s = sandbox(t);
  // The classic is evil/etc/passwd; aiming at the sentinel keeps a broken
  // build from clobbering the host's /etc/passwd while proving the same thing.
  const through = `evil${s.outside}/passwd`;
  await assertRefused(s, [{ name: 'evil', type: 'symlink', linkname: '/' }, file(through)], through);
});

test('applyLayer refuses to write through a relative symlink climbing out of the root', async (t) => {
  const s = sandbox(t);
  const through = `a${s.outside}/x`;
  await assertRefused(s, [{ name: 'a', type: 'symlink', linkname: '../../../../../../..' }, file(through)], through);
  await assertRefused(s, [{ name: 'b', type: 'symlink', linkname: '../outside' }, file('b/x')], 'b/x');
});

test('applyLayer refuses a path through a symlink that already exists in the directory', async (t) => {
  const s = sandbox(t);
  symlinkSync(s.outside, join(s.root, 'pre'));
  await assertRefused(s, [file('pre/x')], 'pre/x');
});

test('applyLayer refuses even a symlink that points inside the root on the path', async (t) => {
  const s = sandbox(t);
  await assertRefused(s, [{ name: 'd/' }, { name: 'in', type: 'symlink', linkname: 'd' }, file('in/x')], 'in/x');
});

test('applyLayer refuses a hard link whose target climbs out of the root', async (t) => {
  const s = sandbox(t);
  await assertRefused(s, [{ name: 'h', type: 'link', linkname: '../../outside/secret' }], 'h');
});

test('applyLayer refuses a hard link whose target goes through a symlink', async (t) => {
  const s = sandbox(t);
  await assertRefused(s, [
    { name: 's', type: 'symlink', linkname: s.outside },
    { name: 'h', type: 'link', linkname: 's/secret' },
  ], 'h');
});

test('applyLayer resolves an absolute hard link target inside the root, where it is missing', async (t) => {
  const s = sandbox(t);
  await assertRefused(s, [{ name: 'h', type: 'link', linkname: `${s.outside}/secret` }], 'h');
});

test('applyLayer replaces a symlink named by a later entry instead of writing through it', async (t) => {
  const s = sandbox(t);
  await applyLayer(s.root, chunked(await tarOf([
    { name: 'f', type: 'symlink', linkname: join(s.outside, 'secret') },
    file('f'),
    { name: 'd', type: 'symlink', linkname: s.outside },
    { name: 'd/' },
  ])));
  assert.ok(lstatSync(join(s.root, 'f')).isFile());
  assert.ok(lstatSync(join(s.root, 'd')).isDirectory());
  assertOutsideUntouched(s);
});

test('applyLayer links a hard link to a symlink itself, never to what it points at', async (t) => {
  const s = sandbox(t);
  await applyLayer(s.root, chunked(await tarOf([
    { name: 's', type: 'symlink', linkname: join(s.outside, 'secret') },
    { name: 'h', type: 'link', linkname: 's' },
  ])));
  assert.ok(lstatSync(join(s.root, 'h')).isSymbolicLink());
  assert.equal(lstatSync(join(s.root, 'h')).ino, lstatSync(join(s.root, 's')).ino);
  assertOutsideUntouched(s);
});

test('applyLayer refuses a whiteout that names no file and an overlay xattr set by the layer', async (t) => {
  const s = sandbox(t);
  await assertRefused(s, [{ name: 'dir/.wh..', content: '' }], 'dir/.wh..');
  await assertRefused(s, [{ name: 'o/', pax: { 'SCHILY.xattr.trusted.overlay.redirect': '/etc' } }], 'o/');
  assert.equal(existsSync(join(s.root, 'etc')), false);
});
