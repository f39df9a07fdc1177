import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { errorOf } from '../../lib/errdefs/errdefs.js';
import { canonicalHeaderName, goJson, maxContentLengthBody, writeBody, writeEmpty, writeError, writeJson } from './respond.js';
import { request } from './test-engine.js';

/** Serves `handler` on a unix socket in a temp dir for the duration of the test. */
async function serve(t: { after(fn: () => Promise<void>): void }, handler: http.RequestListener): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resp-'));
  const server = http.createServer(handler);
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  const socketPath = join(dir, 's.sock');
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return socketPath;
}

test('goJson ends with a newline and escapes <, >, &, U+2028 and U+2029 as Go does', () => {
  assert.equal(goJson({ a: '<b>&c\u2028\u2029' }), '{"a":"\\u003cb\\u003e\\u0026c\\u2028\\u2029"}\n');
  assert.equal(goJson(undefined), 'null\n');
});

test('canonicalHeaderName spells header names as Go canonicalises them', () => {
  assert.equal(canonicalHeaderName('api-version'), 'Api-Version');
  assert.equal(canonicalHeaderName('OSTYPE'), 'Ostype');
  assert.equal(canonicalHeaderName('x-content-type-options'), 'X-Content-Type-Options');
});

test('writeBody sends Content-Length up to 2048 bytes and chunked above', async (t) => {
  const socket = await serve(t, (req, res) => {
    const size = Number(req.url!.slice(1));
    writeBody(res, 200, 'text/plain', 'x'.repeat(size));
  });
  const small = await request(socket, 'GET', `/${maxContentLengthBody}`);
  assert.equal(small.headers['content-length'], '2048');
  assert.equal(small.headers['transfer-encoding'], undefined);
  const big = await request(socket, 'GET', `/${maxContentLengthBody + 1}`);
  assert.equal(big.headers['transfer-encoding'], 'chunked');
  assert.equal(big.headers['content-length'], undefined);
  assert.equal(big.body.length, 2049);
});

test('writeJson sorts all headers by name, including ones set before', async (t) => {
  const socket = await serve(t, (_req, res) => {
    res.setHeader('server', 'x');
    res.setHeader('Api-Version', '1.47');
    writeJson(res, 200, { ok: true });
  });
  const res = await request(socket, 'GET', '/');
  const ours = res.headerNames.filter((n) => !['Date', 'Connection', 'Keep-Alive'].includes(n));
  assert.deepEqual(ours, ['Api-Version', 'Content-Length', 'Content-Type', 'Server']);
  assert.equal(res.body, '{"ok":true}\n');
});

test('writeError sends {"message"} with the status of the error kind', async (t) => {
  const socket = await serve(t, (_req, res) => writeError(res, errorOf('conflict', 'name in use')));
  const res = await request(socket, 'GET', '/');
  assert.equal(res.status, 409);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.body, '{"message":"name in use"}\n');
});

test('writeError answers a non-MobyError with 500 and its message', async (t) => {
  const socket = await serve(t, (_req, res) => writeError(res, new TypeError('boom')));
  const res = await request(socket, 'GET', '/');
  assert.equal(res.status, 500);
  assert.equal(res.body, '{"message":"boom"}\n');
});

test('writeError answers not-modified with a bare 304', async (t) => {
  const socket = await serve(t, (_req, res) => writeError(res, errorOf('not-modified', 'already started')));
  const res = await request(socket, 'GET', '/');
  assert.equal(res.status, 304);
  assert.equal(res.body, '');
  assert.equal(res.headers['content-type'], undefined);
});

test('writeError in plain-text form writes the message and a newline as text/plain', async (t) => {
  const socket = await serve(t, (_req, res) => writeError(res, errorOf('invalid-argument', 'too old'), true));
  const res = await request(socket, 'GET', '/');
  assert.equal(res.status, 400);
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.body, 'too old\n');
});

test('writeEmpty sends Content-Length 0 except for 204', async (t) => {
  const socket = await serve(t, (req, res) => writeEmpty(res, Number(req.url!.slice(1))));
  const created = await request(socket, 'POST', '/201');
  assert.equal(created.status, 201);
  assert.equal(created.headers['content-length'], '0');
  const none = await request(socket, 'POST', '/204');
  assert.equal(none.status, 204);
  assert.equal(none.headers['content-length'], undefined);
  assert.equal(none.headers['transfer-encoding'], undefined);
});
