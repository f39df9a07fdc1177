import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges } from './www-authenticate.js';

test('parseChallenges reads Bearer and Basic challenges with quoted and bare values', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="basic-realm"'), [{ scheme: 'basic', params: { realm: 'basic-realm' } }]);
  assert.deepEqual(parseChallenges('Bearer Realm=x, error="insufficient_scope", scope="a:b:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'x', error: 'insufficient_scope', scope: 'a:b:pull,push' } },
  ]);
});

test('parseChallenges reads several challenges in one header or in repeated headers', () => {
  assert.deepEqual(parseChallenges('Basic realm="a", Bearer realm="b",service="s"').map((c) => [c.scheme, c.params.realm]), [['basic', 'a'], ['bearer', 'b']]);
  assert.deepEqual(parseChallenges(['Basic realm="a"', 'Bearer realm="b\\"q"']).map((c) => c.params.realm), ['a', 'b"q']);
  assert.deepEqual(parseChallenges(undefined), []);
  assert.deepEqual(parseChallenges('Bearer realm="unterminated'), [{ scheme: 'bearer', params: {} }]);
});
