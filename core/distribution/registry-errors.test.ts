import assert from 'node:assert/strict';
import { test } from 'node:test';
import { responseError, transportError } from './registry-errors.js';

const url = 'http://127.0.0.1:5055/v2/bb/manifests/latest';

test('responseError words registry errors as Docker\'s client does, with a kind for each', () => {
  const unknown = responseError('GET', url, 404, 'Not Found', '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":"x"}]}');
  assert.equal(unknown.kind, 'not-found');
  assert.equal(unknown.detail, 'manifest unknown: manifest unknown');
  assert.equal(unknown.message, `Get "${url}": manifest unknown: manifest unknown`);
  assert.equal(unknown.hasCode('MANIFEST_UNKNOWN'), true);
  const noBody = responseError('HEAD', `${url}?_state=secret`, 401, 'Unauthorized', '');
  assert.equal(noBody.kind, 'unauthenticated');
  assert.equal(noBody.message, `Head "${url}": unauthorized: authentication required`);
  assert.equal(responseError('PUT', url, 403, 'Forbidden', '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}').kind, 'permission-denied');
  assert.equal(responseError('GET', url, 429, 'Too Many Requests', '').kind, 'unavailable');
  assert.equal(responseError('GET', url, 502, 'Bad Gateway', '<html>').message, `Get "${url}": received unexpected HTTP status: 502 Bad Gateway`);
  const two = responseError('PUT', url, 400, 'Bad Request', '{"errors":[{"code":"MANIFEST_INVALID","message":"a"},{"code":"DIGEST_INVALID","message":"b"}]}');
  assert.equal(two.detail, 'errors:\nmanifest invalid: a\ndigest invalid: b\n');
  assert.equal(two.kind, 'invalid-argument');
});

test('transportError reads like Go\'s dial errors; an abort is cancelled', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5999 });
  const err = transportError('GET', 'http://127.0.0.1:5999/v2/', refused);
  assert.equal(err.kind, 'unavailable');
  assert.equal(err.message, 'Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused');
  assert.equal(transportError('GET', 'http://x/v2/', Object.assign(new Error('aborted'), { name: 'AbortError' })).kind, 'cancelled');
});
