import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router, type Handler } from './router.js';

const named = (name: string): Handler => Object.assign(() => {}, { label: name });
const label = (h: Handler | undefined) => (h as { label?: string } | undefined)?.label;

function router(): Router {
  return new Router().addAll([
    { method: 'GET', path: '/containers/json', handler: named('list') },
    { method: 'GET', path: '/containers/{id}/json', handler: named('inspect') },
    { method: 'POST', path: '/containers/{id}/rename', handler: named('rename') },
    { method: 'GET', path: '/images/{name*}/json', handler: named('image-inspect') },
    { method: 'DELETE', path: '/images/{name*}', handler: named('image-delete') },
    { method: 'GET', path: '/images/json', handler: named('image-list') },
  ]);
}

test('Router.match finds a literal route and reports no version for an unversioned path', () => {
  const found = router().match('GET', '/containers/json');
  assert.equal(label(found?.handler), 'list');
  assert.deepEqual(found?.params, {});
  assert.equal(found?.version, undefined);
});

test('Router.match fills a one-segment parameter', () => {
  const found = router().match('GET', '/containers/abc123/json');
  assert.equal(label(found?.handler), 'inspect');
  assert.deepEqual(found?.params, { id: 'abc123' });
});

test('Router.match strips a /vX.Y prefix and reports its version', () => {
  const found = router().match('POST', '/v1.41/containers/abc/rename');
  assert.equal(label(found?.handler), 'rename');
  assert.equal(found?.version, '1.41');
});

test('Router.match lets a greedy parameter take names with slashes and colons', () => {
  const found = router().match('GET', '/v1.47/images/127.0.0.1:5055/bb/json');
  assert.equal(label(found?.handler), 'image-inspect');
  assert.deepEqual(found?.params, { name: '127.0.0.1:5055/bb' });
  assert.deepEqual(router().match('DELETE', '/images/docker.io/library/busybox:latest')?.params, {
    name: 'docker.io/library/busybox:latest',
  });
});

test('Router.match prefers a literal route over a parameter route that also fits', () => {
  assert.equal(label(router().match('GET', '/images/json')?.handler), 'image-list');
});

test('Router.match decodes percent-escapes before matching', () => {
  assert.deepEqual(router().match('GET', '/containers/my%20box/json')?.params, { id: 'my box' });
  assert.deepEqual(router().match('GET', '/images/a%2Fb/json')?.params, { name: 'a/b' });
});

test('Router.match returns undefined for unknown paths, wrong methods and bad escapes', () => {
  const r = router();
  assert.equal(r.match('GET', '/nope'), undefined);
  assert.equal(r.match('POST', '/containers/json'), undefined);
  assert.equal(r.match('GET', '/containers/a/b/json'), undefined);
  assert.equal(r.match('GET', '/containers/json/'), undefined);
  assert.equal(r.match('GET', '/containers/%zz/json'), undefined);
  assert.equal(r.match('GET', '/vx/containers/json'), undefined);
});

test('Router.match treats regex characters in literal segments literally', () => {
  const r = new Router().add({ method: 'GET', path: '/a.b/{id}', handler: named('dot') });
  assert.equal(r.match('GET', '/axb/1'), undefined);
  assert.equal(label(r.match('GET', '/a.b/1')?.handler), 'dot');
});
