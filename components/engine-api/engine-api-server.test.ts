import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { errorOf } from '../../lib/errdefs/errdefs.js';
import { routeGroups, type RouteGroup } from './engine-api-server.js';
import { writeBody, writeJson } from './respond.js';
import { request, startTestEngine, type TestEngine } from './test-engine.js';

/** Routes that exercise the server's plumbing rather than any Docker endpoint. */
const probeRoutes: RouteGroup = () => [
  { method: 'GET', path: '/probe/version', handler: ({ res, apiVersion }) => writeJson(res, 200, { apiVersion }) },
  { method: 'GET', path: '/probe/size/{n}', handler: ({ res, params }) => writeBody(res, 200, 'text/plain', 'x'.repeat(Number(params.n))) },
  { method: 'GET', path: '/probe/missing', handler: () => { throw errorOf('not-found', 'No such container: nosuch'); } },
  { method: 'GET', path: '/probe/unchanged', handler: () => { throw errorOf('not-modified', 'already started'); } },
  { method: 'GET', path: '/probe/bug', handler: () => { throw new TypeError('oops'); } },
  {
    method: 'GET',
    path: '/probe/late',
    handler: ({ res }) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      throw new Error('failed mid-stream');
    },
  },
  {
    method: 'POST',
    path: '/probe/hijack',
    handler: ({ upgrade }) => {
      const socket = upgrade!.hijack();
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.once('end', () => socket.end('written after the client half-closed\n'));
      socket.resume();
    },
  },
];

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine({ groups: [...routeGroups, probeRoutes] });
});
after(() => engine.close());

/** Sends a raw request and collects everything until the server closes the connection. */
function raw(text: string, halfClose: (received: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(engine.socketPath, () => socket.write(text));
    let received = '';
    let ended = false;
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!ended && halfClose(received)) {
        ended = true;
        socket.end();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

test('createEngineApiServer answers an unknown path with 404 page not found and the API headers', async () => {
  const res = await request(engine.socketPath, 'GET', '/v1.47/nosuch');
  assert.equal(res.status, 404);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.body, '{"message":"page not found"}\n');
  assert.equal(res.headers['api-version'], '1.47');
  assert.equal(res.headers.ostype, 'linux');
  assert.equal(res.headers.server, 'Moby-Core/0.1.0-test (linux)');
  assert.equal(res.headers['docker-experimental'], 'false');
});

test('createEngineApiServer answers a known path with the wrong method as page not found', async () => {
  const res = await request(engine.socketPath, 'POST', '/version');
  assert.equal(res.status, 404);
  assert.equal(res.body, '{"message":"page not found"}\n');
});

test('createEngineApiServer gives handlers the prefix version, or 1.47 without a prefix', async () => {
  assert.equal((await request(engine.socketPath, 'GET', '/probe/version')).body, '{"apiVersion":"1.47"}\n');
  assert.equal((await request(engine.socketPath, 'GET', '/v1.24/probe/version')).body, '{"apiVersion":"1.24"}\n');
});

test('createEngineApiServer refuses a version below 1.24 with Docker\'s plain-text 400', async () => {
  const res = await request(engine.socketPath, 'GET', '/v1.11/_ping');
  assert.equal(res.status, 400);
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(
    res.body,
    'client version 1.11 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version\n',
  );
  assert.equal(res.headers['api-version'], '1.47');
});

test('createEngineApiServer refuses a version above 1.47 with Docker\'s JSON 400', async () => {
  const res = await request(engine.socketPath, 'GET', '/v1.99/version');
  assert.equal(res.status, 400);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.body, '{"message":"client version 1.99 is too new. Maximum supported API version is 1.47"}\n');
});

test('createEngineApiServer turns a thrown MobyError into its status and message', async () => {
  const res = await request(engine.socketPath, 'GET', '/probe/missing');
  assert.equal(res.status, 404);
  assert.equal(res.body, '{"message":"No such container: nosuch"}\n');
  const unchanged = await request(engine.socketPath, 'GET', '/probe/unchanged');
  assert.equal(unchanged.status, 304);
  assert.equal(unchanged.body, '');
});

test('createEngineApiServer answers an unexpected error with 500 and logs it once', async () => {
  const before = engine.logs.length;
  const res = await request(engine.socketPath, 'GET', '/probe/bug');
  assert.equal(res.status, 500);
  assert.equal(res.body, '{"message":"oops"}\n');
  assert.equal(engine.logs.length, before + 1);
  assert.match(engine.logs.at(-1)!, /GET \/probe\/bug: TypeError: oops/);
});

test('createEngineApiServer drops the connection when a handler fails after its headers went out', async () => {
  await assert.rejects(request(engine.socketPath, 'GET', '/probe/late'));
  assert.match(engine.logs.at(-1)!, /GET \/probe\/late: Error: failed mid-stream/);
});

test('createEngineApiServer sends 2048-byte bodies with Content-Length and larger ones chunked', async () => {
  const small = await request(engine.socketPath, 'GET', '/probe/size/2048');
  assert.equal(small.headers['content-length'], '2048');
  const big = await request(engine.socketPath, 'GET', '/v1.47/probe/size/5000');
  assert.equal(big.headers['transfer-encoding'], 'chunked');
  assert.equal(big.body.length, 5000);
});

test('createEngineApiServer hands an Upgrade: tcp request its socket and keeps it open after a half-close', async () => {
  const head = 'POST /v1.47/probe/hijack HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n';
  const received = await raw(head, (text) => text.includes('\r\n\r\n'));
  assert.equal(
    received,
    'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n' +
      'written after the client half-closed\n',
  );
});

test('createEngineApiServer answers an Upgrade request for an unknown path with a 404 and closes', async () => {
  const head = 'POST /v1.47/nosuch/thing/attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n';
  const received = await raw(head, () => false);
  assert.match(received, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(received, /\r\nConnection: close\r\n/);
  assert.ok(received.endsWith('\r\n\r\n{"message":"page not found"}\n'), received);
});
