import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { digestOf } from '../content/index.js';
import { RegistryClient } from './registry-client.js';
import { json, startFakeServer } from './test-fake-registry.js';

function client(t: TestContext, registry: string, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient {
  const c = new RegistryClient({ registry, ...extra });
  t.after(() => c.close());
  return c;
}

const blob = Buffer.from('hello blob');
const digest = digestOf(blob);

test('a blob GET follows a redirect to storage without sending the registry credentials there', async (t) => {
  const storage = await startFakeServer(t, (_req, res) => res.writeHead(200, { 'content-length': String(blob.length) }).end(blob));
  const registry = await startFakeServer(t, (req, res) => {
    if (req.url === '/v2/') return void json(res, 401, {}, { 'www-authenticate': 'Basic realm="r"' });
    if (req.headers.authorization === undefined) return void json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
    res.writeHead(307, { location: `${storage.origin}/bucket/blob?sig=1` }).end();
  });
  const c = client(t, registry.host, { auth: { username: 'u', password: 'p' } });
  const { body, start } = await c.getBlob('bb', digest);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  assert.deepEqual([Buffer.concat(chunks), start], [blob, 0]);
  assert.equal(registry.requests.at(-1)!.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
  assert.equal(storage.requests[0]!.url, '/bucket/blob?sig=1');
  assert.equal(storage.requests[0]!.headers.authorization, undefined);
});

test('a registrytoken is sent as the bearer token; no realm is asked', async (t) => {
  const registry = await startFakeServer(t, (req, res) => {
    if (req.url === '/v2/') return void json(res, 401, {}, { 'www-authenticate': 'Bearer realm="http://127.0.0.1:1/token",service="s"' });
    json(res, 200, { tags: ['a'] });
  });
  const c = client(t, registry.host, { auth: { registrytoken: 'tok123' } });
  assert.deepEqual(await c.listTags('bb'), ['a']);
  assert.equal(registry.requests.at(-1)!.headers.authorization, 'Bearer tok123');
});

test('an identitytoken is exchanged at the realm by an OAuth2 refresh_token POST', async (t) => {
  const realm = await startFakeServer(t, (_req, res) => json(res, 200, { access_token: 'acc', expires_in: 300 }));
  const registry = await startFakeServer(t, (req, res) => {
    if (req.headers.authorization !== 'Bearer acc') {
      return void json(res, 401, {}, { 'www-authenticate': `Bearer realm="${realm.origin}/token",service="reg"` });
    }
    json(res, 200, { tags: ['x'] });
  });
  const c = client(t, registry.host, { auth: { identitytoken: 'refresh-me' } });
  assert.deepEqual(await c.listTags('team/bb'), ['x']);
  assert.equal(realm.requests.length, 1);
  assert.equal(realm.requests[0]!.method, 'POST');
  assert.deepEqual(Object.fromEntries(new URLSearchParams(realm.requests[0]!.body)), {
    grant_type: 'refresh_token', refresh_token: 'refresh-me', client_id: 'docker', access_type: 'offline', service: 'reg', scope: 'repository:team/bb:pull',
  });
});

test('a cached token is used until it expires, then fetched again', async (t) => {
  let now = 1_000_000;
  let issued = 0;
  const realm = await startFakeServer(t, (_req, res) => json(res, 200, { token: `t${++issued}`, expires_in: 120 }));
  const registry = await startFakeServer(t, (req, res) => {
    if (!req.headers.authorization?.startsWith('Bearer t')) {
      return void json(res, 401, {}, { 'www-authenticate': `Bearer realm="${realm.origin}/token",service="reg"` });
    }
    json(res, 200, { tags: [req.headers.authorization.slice(7)] });
  });
  const c = client(t, registry.host, { clock: () => now });
  assert.deepEqual(await Promise.all([c.listTags('bb'), c.listTags('bb'), c.listTags('bb')]), [['t1'], ['t1'], ['t1']]);
  now += 119_000;
  assert.deepEqual(await c.listTags('bb'), ['t1']);
  now += 2_000;
  assert.deepEqual(await c.listTags('bb'), ['t2']);
  assert.equal(realm.requests.length, 2);
});

test('tags are followed through Link pagination', async (t) => {
  const registry = await startFakeServer(t, (req, res) => {
    if (req.url === '/v2/') return void json(res, 200, {});
    if (req.url === '/v2/bb/tags/list') return void json(res, 200, { tags: ['a', 'b'] }, { link: '</v2/bb/tags/list?last=b&n=2>; rel="next"' });
    json(res, 200, { tags: ['c'] });
  });
  assert.deepEqual(await client(t, registry.host).listTags('bb'), ['a', 'b', 'c']);
});

test('a manifest whose bytes do not match the digest asked for is data-loss', async (t) => {
  const registry = await startFakeServer(t, (req, res) => {
    if (req.url === '/v2/') return void json(res, 200, {});
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('{"schemaVersion":2}');
  });
  await assert.rejects(client(t, registry.host).getManifest('bb', digest), { kind: 'data-loss' });
});
