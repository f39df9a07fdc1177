import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { digestOf } from '../content/index.js';
import { mediaTypes } from '../image/oci.js';
import { RegistryClient } from './registry-client.js';
import { TestProxy } from './test-proxy.js';
import { scratchDir, startRegistry } from './test-registry.js';

const run = promisify(execFile);

function client(t: TestContext, registry: string, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient {
  const c = new RegistryClient({ registry, push: true, ...extra });
  t.after(() => c.close());
  return c;
}

async function bodyOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test('RegistryClient uploads in PATCH chunks with Content-Range, then PUT ?digest=; reads back with Range', async (t) => {
  const registry = await startRegistry(t);
  const proxy = await TestProxy.start(t, registry.port);
  const c = client(t, proxy.host);
  const blob = randomBytes(300_000);
  const digest = digestOf(blob);
  assert.equal(await c.headBlob('bb', digest), undefined);
  let location = await c.startUpload('bb');
  for (let start = 0; start < blob.length; start += 128 * 1024) {
    const chunk = blob.subarray(start, start + 128 * 1024);
    location = await c.patchChunk('bb', location, async () => Readable.from([chunk]), start, chunk.length);
  }
  await c.finishUpload('bb', location, digest);
  assert.deepEqual(proxy.requests.filter((r) => r.method === 'PATCH').map((r) => r.path.startsWith('/v2/bb/blobs/uploads/')), [true, true, true]);
  assert.equal(await c.headBlob('bb', digest), blob.length);
  const ranged = await c.getBlob('bb', digest, 1000);
  assert.equal(ranged.start, 1000);
  assert.deepEqual(await bodyOf(ranged.body), blob.subarray(1000));
});

test('RegistryClient monolithic upload, manifest put/get/head, tags and a wrong digest refused', async (t) => {
  const registry = await startRegistry(t);
  const c = client(t, registry.host);
  const config = Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}');
  await c.finishUpload('bb', await c.startUpload('bb'), digestOf(config), config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: mediaTypes.ociManifest,
    config: { mediaType: mediaTypes.ociConfig, digest: digestOf(config), size: config.length }, layers: [],
  }));
  const digest = await c.putManifest('bb', 'v1', manifest, mediaTypes.ociManifest);
  assert.equal(digest, digestOf(manifest));
  const fetched = await c.getManifest('bb', 'v1');
  assert.deepEqual(fetched, { bytes: manifest, digest, mediaType: mediaTypes.ociManifest });
  assert.deepEqual(await c.getManifest('bb', digest), fetched);
  assert.equal((await c.headManifest('bb', 'v1'))?.digest, digest);
  assert.equal(await c.headManifest('bb', 'v2'), undefined);
  assert.deepEqual(await c.listTags('bb'), ['v1']);
  const bogus = Buffer.from('not this');
  await assert.rejects(c.finishUpload('bb', await c.startUpload('bb'), digestOf('other'), bogus), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'invalid-argument');
    assert.match(err.message, /^Put "http:\/\/127\.0\.0\.1:\d+\/v2\/bb\/blobs\/uploads\/[^"?]+": digest invalid: provided digest did not match uploaded content$/);
    return true;
  });
});

test('RegistryClient speaks HTTPS to a registry whose CA is in certs.d, and refuses an unknown CA', async (t) => {
  const dir = await scratchDir(t);
  const sh = async (...args: string[]) => run('openssl', args, { cwd: dir });
  await sh('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=moby-test-ca');
  await sh('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await sh('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'san.ext');
  const registry = await startRegistry(t, { tls: { certificate: join(dir, 'server.crt'), key: join(dir, 'server.key') } });
  const certsDir = join(dir, 'certs.d');
  await mkdir(join(certsDir, registry.host), { recursive: true });
  await run('cp', [join(dir, 'ca.crt'), join(certsDir, registry.host, 'ca.crt')]);

  const secure = client(t, registry.host, { insecureRegistries: [], certsDir });
  assert.equal(await secure.transport.base(), `https://${registry.host}`);
  assert.deepEqual(await secure.listTags('none').catch((err) => err.kind), 'not-found');
  const unknownCa = client(t, registry.host, { insecureRegistries: [], certsDir: join(dir, 'empty') });
  await assert.rejects(unknownCa.ping(), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'unavailable');
    assert.match(err.message, /^Get "https:\/\/127\.0\.0\.1:\d+\/v2\/": tls: failed to verify certificate: x509: certificate signed by unknown authority$/);
    return true;
  });
  const insecure = client(t, registry.host, { certsDir: join(dir, 'empty') });
  assert.equal(await insecure.transport.base(), `https://${registry.host}`, 'an insecure registry is still tried over HTTPS first, unverified');
});

test('RegistryClient uses plain HTTP only for insecure registries', async (t) => {
  const registry = await startRegistry(t);
  assert.equal(await client(t, registry.host).transport.base(), `http://${registry.host}`);
  assert.equal(await client(t, registry.host, { insecureRegistries: [registry.host] }).transport.base(), `http://${registry.host}`);
  await assert.rejects(client(t, registry.host, { insecureRegistries: ['10.0.0.0/8'] }).ping(), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'unavailable');
    assert.match(err.message, /^Get "https:\/\/127\.0\.0\.1:\d+\/v2\/": http: server gave HTTP response to HTTPS client$/);
    return true;
  });
});

test('RegistryClient reports a dead registry as Docker does', async (t) => {
  const registry = await startRegistry(t);
  await registry.kill();
  const c = client(t, registry.host);
  await assert.rejects(c.getManifest('bb', 'latest'), {
    kind: 'unavailable', message: `Get "http://${registry.host}/v2/": dial tcp ${registry.host}: connect: connection refused`,
  });
});
