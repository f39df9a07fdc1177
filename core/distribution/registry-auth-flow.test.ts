import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { pull } from './pull.js';
import { push } from './push.js';
import { buildImage, randomLayer, tempLayerStore } from './test-image.js';
import { scratchDir, startRegistry } from './test-registry.js';
import { startTokenServer } from './test-token-server.js';

const run = promisify(execFile);

test('basic auth (htpasswd): without credentials unauthenticated, with them push and pull work', async (t) => {
  const htpasswd = (await run('htpasswd', ['-Bbn', 'user', 'pass'])).stdout;
  const path = join(await scratchDir(t), 'htpasswd');
  await writeFile(path, htpasswd);
  const registry = await startRegistry(t, { htpasswd: { path } });
  const store = await tempLayerStore(t);
  const image = await buildImage(store, [await randomLayer('f', 2048)]);
  const ref = `${registry.host}/bb:1`;
  await assert.rejects(push(ref, { layers: store, manifest: image.manifest }), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'unauthenticated');
    assert.match(err.message, /: unauthorized: authentication required$/);
    return true;
  });
  await assert.rejects(push(ref, { layers: store, manifest: image.manifest, auth: { username: 'user', password: 'wrong' } }), { kind: 'unauthenticated' });
  await push(ref, { layers: store, manifest: image.manifest, auth: { username: 'user', password: 'pass', serveraddress: registry.host } });
  const target = await tempLayerStore(t);
  await assert.rejects(pull(ref, { layers: target }), { kind: 'unauthenticated' });
  const auth = { auth: Buffer.from('user:pass').toString('base64') };
  const pulled = await pull(ref, { layers: target, auth });
  assert.equal(pulled.manifestDigest, image.manifestDigest);
});

test('bearer auth: a token from the realm per scope, cached across requests; no credentials is unauthenticated', async (t) => {
  const tokens = await startTokenServer(t);
  const registry = await startRegistry(t, {
    token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certPath },
  });
  const store = await tempLayerStore(t);
  const image = await buildImage(store, [await randomLayer('a', 2048), await randomLayer('b', 2048), await randomLayer('c', 2048)]);
  const ref = `${registry.host}/team/bb:1`;
  const auth = { username: 'user', password: 'pass' };
  await push(ref, { layers: store, manifest: image.manifest, auth });
  assert.deepEqual(tokens.requests, ['repository:team/bb:pull,push'], 'one token serves the whole push');

  tokens.requests.length = 0;
  const target = await tempLayerStore(t);
  const pulled = await pull(ref, { layers: target, auth });
  assert.equal(pulled.configDigest, image.configDigest);
  assert.deepEqual(tokens.requests, ['repository:team/bb:pull'], 'one token serves the whole pull');

  tokens.requests.length = 0;
  await assert.rejects(pull(ref, { layers: await tempLayerStore(t) }), (err: Error & { kind?: string }) => {
    assert.equal(err.kind, 'unauthenticated');
    assert.match(err.message, /unauthorized: authentication required/);
    return true;
  });
  assert.deepEqual(tokens.requests, ['repository:team/bb:pull', 'repository:team/bb:pull'], 'an anonymous token, refused, then one retry');
  await assert.rejects(pull(ref, { layers: target, auth: { username: 'user', password: 'bad' } }), {
    kind: 'unauthenticated', message: `Get "${tokens.realm}": unauthorized: incorrect username or password`,
  });
});
