import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeRegistryAuth, parseRegistryAuth } from './registry-auth.js';

test('parseRegistryAuth reads the X-Registry-Auth header the docker CLI sends', () => {
  assert.deepEqual(parseRegistryAuth(undefined), {});
  assert.deepEqual(parseRegistryAuth('e30='), {});
  const header = encodeRegistryAuth({ username: 'user', password: 'p+/?w', serveraddress: '127.0.0.1:5055' });
  assert.match(header, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(parseRegistryAuth(header), { username: 'user', password: 'p+/?w', serveraddress: '127.0.0.1:5055' });
  const standard = Buffer.from(JSON.stringify({ identitytoken: 'tok', serveraddress: 'x' })).toString('base64');
  assert.deepEqual(parseRegistryAuth(standard), { identitytoken: 'tok', serveraddress: 'x' });
});

test('parseRegistryAuth splits `auth` into username and password and ignores empty and unknown fields', () => {
  const header = encodeRegistryAuth({ auth: Buffer.from('me:se:cret').toString('base64'), email: '' });
  assert.deepEqual(parseRegistryAuth(header), { auth: Buffer.from('me:se:cret').toString('base64'), username: 'me', password: 'se:cret' });
  assert.deepEqual(parseRegistryAuth(Buffer.from('{"Username":"u","Password":"p","extra":1}').toString('base64url')), { username: 'u', password: 'p' });
});

test('parseRegistryAuth refuses a header that is not base64 JSON of an object', () => {
  assert.throws(() => parseRegistryAuth('not json!'), { kind: 'invalid-argument', message: 'invalid X-Registry-Auth header: not base64-encoded JSON' });
  assert.throws(() => parseRegistryAuth(Buffer.from('[1]').toString('base64')), { kind: 'invalid-argument' });
  assert.throws(() => parseRegistryAuth(encodeRegistryAuth({ auth: Buffer.from('nocolon').toString('base64') })), { kind: 'invalid-argument' });
});
