import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostOf, InsecureRegistries } from './insecure-registries.js';

test('InsecureRegistries defaults to loopback, as Docker does', async () => {
  const insecure = new InsecureRegistries(undefined, async () => assert.fail('an IP needs no lookup'));
  assert.equal(await insecure.isInsecure('127.0.0.1:5055'), true);
  assert.equal(await insecure.isInsecure('127.8.9.10'), true);
  assert.equal(await insecure.isInsecure('10.0.0.1:5000'), false);
  assert.equal(await insecure.isInsecure('[::1]:5000'), false);
});

test('InsecureRegistries matches hosts with or without port, and names through their addresses', async () => {
  const resolve = async (host: string) => (host === 'local.test' ? ['192.168.1.7'] : host === 'v6.test' ? ['fd00::5'] : []);
  const insecure = new InsecureRegistries(['myreg:5000', 'other', '192.168.0.0/16', 'fd00::/8'], resolve);
  assert.equal(await insecure.isInsecure('myreg:5000'), true);
  assert.equal(await insecure.isInsecure('myreg:5001'), false);
  assert.equal(await insecure.isInsecure('OTHER:443'), true);
  assert.equal(await insecure.isInsecure('local.test:5000'), true);
  assert.equal(await insecure.isInsecure('v6.test'), true);
  assert.equal(await insecure.isInsecure('elsewhere.test'), false);
  assert.equal(await insecure.isInsecure('docker.io'), false);
});

test('InsecureRegistries refuses a malformed CIDR', () => {
  assert.throws(() => new InsecureRegistries(['10.0.0.0/33']), { kind: 'invalid-argument' });
  assert.throws(() => new InsecureRegistries(['nothost/8']), { kind: 'invalid-argument' });
  assert.equal(hostOf('[::1]:5000'), '::1');
  assert.equal(hostOf('reg.example:443'), 'reg.example');
});
