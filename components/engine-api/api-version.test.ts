import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKind } from '../../lib/errdefs/errdefs.js';
import { apiHeaders, apiVersion, checkApiVersion, compareVersions, minApiVersion, versionAtLeast, versionLessThan } from './api-version.js';

test('apiVersion advertises 1.47 and minApiVersion accepts down to 1.24', () => {
  assert.equal(apiVersion, '1.47');
  assert.equal(minApiVersion, '1.24');
});

test('compareVersions compares part by part as numbers, missing parts as zero', () => {
  assert.equal(compareVersions('1.9', '1.24'), -1);
  assert.equal(compareVersions('1.47', '1.47'), 0);
  assert.equal(compareVersions('1.47.0', '1.47'), 0);
  assert.equal(compareVersions('2', '1.99'), 1);
  assert.equal(compareVersions('1.x', '1.0'), 0);
  assert.ok(versionLessThan('1.41', '1.42'));
  assert.ok(versionAtLeast('1.42', '1.42'));
  assert.ok(!versionAtLeast('1.41', '1.42'));
});

test('checkApiVersion accepts 1.24 through 1.47', () => {
  for (const v of ['1.24', '1.41', '1.44', '1.47']) checkApiVersion(v);
});

test('checkApiVersion refuses an old version with Docker\'s "too old" wording', () => {
  assert.throws(
    () => checkApiVersion('1.11'),
    (err: Error) =>
      isKind(err, 'invalid-argument') &&
      err.message ===
        'client version 1.11 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
  );
});

test('checkApiVersion refuses a newer version with Docker\'s "too new" wording', () => {
  assert.throws(
    () => checkApiVersion('1.99'),
    (err: Error) =>
      isKind(err, 'invalid-argument') && err.message === 'client version 1.99 is too new. Maximum supported API version is 1.47',
  );
});

test('apiHeaders names the version, OS, server and experimental flag', () => {
  assert.deepEqual(apiHeaders('0.1.0'), {
    'Api-Version': '1.47',
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: 'Moby-Core/0.1.0 (linux)',
  });
});
