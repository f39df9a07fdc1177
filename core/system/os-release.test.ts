import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOsRelease } from './os-release.js';

test('parseOsRelease reads PRETTY_NAME and VERSION_ID, unquoting double and single quotes', () => {
  const text = '# comment\nNAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID=\'12\'\n';
  assert.deepEqual(parseOsRelease(text), { prettyName: 'Debian GNU/Linux 12 (bookworm)', versionId: '12' });
});

test('parseOsRelease keeps unquoted values and backslash escapes inside quotes', () => {
  assert.deepEqual(parseOsRelease('PRETTY_NAME=Alpine\nVERSION_ID=3.20.1'), { prettyName: 'Alpine', versionId: '3.20.1' });
  assert.equal(parseOsRelease('PRETTY_NAME="say \\"hi\\""').prettyName, 'say "hi"');
});

test('parseOsRelease falls back to "Linux" and an empty version when the keys are missing', () => {
  assert.deepEqual(parseOsRelease(''), { prettyName: 'Linux', versionId: '' });
});
