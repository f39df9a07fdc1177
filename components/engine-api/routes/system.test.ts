import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request, startTestEngine, type TestEngine } from '../test-engine.js';

/** Header names we send, in order; Node adds Date, Connection and Keep-Alive after them. */
const ours = (names: string[]) => names.filter((n) => !['Date', 'Connection', 'Keep-Alive'].includes(n));

let engine: TestEngine;
let failing: TestEngine;
before(async () => {
  engine = await startTestEngine();
  const down = () => Promise.reject(new Error('registry unavailable'));
  failing = await startTestEngine({ facts: { components: down, counts: down } });
});
after(async () => {
  await engine.close();
  await failing.close();
});

test('GET /_ping answers OK with the headers moby sends, sorted as Go sorts them', async () => {
  const res = await request(engine.socketPath, 'GET', '/_ping');
  assert.equal(res.status, 200);
  assert.equal(res.body, 'OK');
  assert.deepEqual(ours(res.headerNames), [
    'Api-Version',
    'Builder-Version',
    'Cache-Control',
    'Content-Length',
    'Content-Type',
    'Docker-Experimental',
    'Ostype',
    'Pragma',
    'Server',
    'Swarm',
  ]);
  assert.equal(res.headers['api-version'], '1.47');
  assert.equal(res.headers['builder-version'], '1');
  assert.equal(res.headers['cache-control'], 'no-cache, no-store, must-revalidate');
  assert.equal(res.headers['content-length'], '2');
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.headers['docker-experimental'], 'false');
  assert.equal(res.headers.ostype, 'linux');
  assert.equal(res.headers.pragma, 'no-cache');
  assert.equal(res.headers.server, 'Moby-Core/0.1.0-test (linux)');
  assert.equal(res.headers.swarm, 'inactive');
});

test('HEAD /_ping answers 200 with Content-Length 0 and no body', async () => {
  const res = await request(engine.socketPath, 'HEAD', '/_ping');
  assert.equal(res.status, 200);
  assert.equal(res.body, '');
  assert.equal(res.headers['content-length'], '0');
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.headers.swarm, 'inactive');
});

test('GET and HEAD /_ping answer under a version prefix too', async () => {
  assert.equal((await request(engine.socketPath, 'GET', '/v1.24/_ping')).body, 'OK');
  assert.equal((await request(engine.socketPath, 'HEAD', '/v1.47/_ping')).status, 200);
});

test('GET /version reports Moby Core, the engine, its components and runc', async () => {
  const res = await request(engine.socketPath, 'GET', '/v1.47/version');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.ok(res.body.endsWith('}\n'));
  const body = JSON.parse(res.body);
  assert.equal(body.Platform.Name, 'Moby Core');
  assert.equal(body.Version, '0.1.0-test');
  assert.equal(body.ApiVersion, '1.47');
  assert.equal(body.MinAPIVersion, '1.24');
  assert.equal(body.GitCommit, 'deadbee');
  assert.deepEqual(body.Components.map((c: { Name: string }) => c.Name), ['Engine', 'image-store', 'runc']);
});

test('GET /version still answers, without components, when the registry cannot be asked', async () => {
  const res = await request(failing.socketPath, 'GET', '/version');
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body).Components.map((c: { Name: string }) => c.Name), ['Engine', 'runc']);
});

test('GET /info reports the counts, the root and an ID kept under the data root', async () => {
  const first = JSON.parse((await request(engine.socketPath, 'GET', '/info')).body);
  const second = JSON.parse((await request(engine.socketPath, 'GET', '/v1.44/info')).body);
  assert.equal(first.ID, second.ID);
  assert.equal((await readFile(join(engine.dataRoot, 'engine-id'), 'utf8')).trim(), first.ID);
  assert.equal(first.Containers, 3);
  assert.equal(first.Images, 5);
  assert.equal(first.DockerRootDir, engine.dataRoot);
  assert.equal(first.ServerVersion, '0.1.0-test');
  assert.equal(first.Name, 'testhost');
  assert.match(first.SystemTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
});

test('GET /info still answers, with a warning, when the counts cannot be had', async () => {
  const res = await request(failing.socketPath, 'GET', '/info');
  assert.equal(res.status, 200);
  const body = JSON.parse(res.body);
  assert.equal(body.Containers, 0);
  assert.deepEqual(body.Warnings, ['WARNING: could not count containers and images: registry unavailable']);
});
