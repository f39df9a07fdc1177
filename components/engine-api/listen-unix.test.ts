import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { link, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isKind } from '../../lib/errdefs/errdefs.js';
import { createEngineApiServer, type RouteGroup } from './engine-api-server.js';
import { closeServer, listenUnix } from './listen-unix.js';
import { fakeFacts, fakeHostSource, request } from './test-engine.js';

type Cleanup = { after(fn: () => Promise<void> | void): void };

async function tempDir(t: Cleanup): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lu-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function engine(t: Cleanup, dir: string, groups?: RouteGroup[]): http.Server {
  const deps = { version: '0', revision: '', dataRoot: join(dir, 'root'), facts: fakeFacts, host: fakeHostSource, log: () => {} };
  const server = createEngineApiServer(deps, groups);
  t.after(() => closeServer(server, 0));
  return server;
}

function listenNet(t: Cleanup, path: string): Promise<Server> {
  const server = createServer((socket) => socket.end());
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

test('listenUnix serves on the path with mode 0660 by default', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'd.sock');
  await listenUnix(engine(t, dir), path);
  assert.equal((await stat(path)).mode & 0o777, 0o660);
  assert.equal((await request(path, 'GET', '/_ping')).body, 'OK');
});

test('listenUnix applies the mode it is given', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'd.sock');
  await listenUnix(engine(t, dir), path, 0o600);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('listenUnix replaces a stale socket nothing answers on', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'd.sock');
  const old = await listenNet(t, join(dir, 'old.sock'));
  await link(join(dir, 'old.sock'), path); // a second name for the socket, left behind when it closes
  await new Promise((resolve) => old.close(resolve));
  await listenUnix(engine(t, dir), path);
  assert.equal((await request(path, 'GET', '/_ping')).status, 200);
});

test('listenUnix refuses with conflict when something answers on the socket, and leaves it', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'd.sock');
  await listenNet(t, path);
  await assert.rejects(listenUnix(engine(t, dir), path), (err) => isKind(err, 'conflict'));
  const probe = connect(path);
  t.after(() => void probe.destroy());
  await once(probe, 'connect'); // the other server still answers
});

test('listenUnix refuses a path that is not a socket without touching it', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'd.sock');
  await writeFile(path, 'keep me');
  await assert.rejects(listenUnix(engine(t, dir), path), (err) => isKind(err, 'failed-precondition'));
  assert.equal(await readFile(path, 'utf8'), 'keep me');
});

test('listenUnix refuses a path longer than a unix socket address holds', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'x'.repeat(110));
  await assert.rejects(listenUnix(engine(t, dir), path), (err) => isKind(err, 'invalid-argument'));
});

test('closeServer removes the socket and does not wait for idle keep-alive connections', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'd.sock');
  const server = engine(t, dir);
  await listenUnix(server, path);
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  await new Promise<void>((resolve, reject) =>
    http.get({ socketPath: path, path: '/_ping', agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
  );
  await closeServer(server);
  assert.equal(existsSync(path), false);
});

test('closeServer ends upgraded streams that are still open', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'd.sock');
  let hijacked!: () => void;
  const hijackedNow = new Promise<void>((resolve) => (hijacked = resolve));
  const hold: RouteGroup = () => [
    {
      method: 'POST',
      path: '/hold',
      handler: ({ upgrade }) => {
        upgrade!.hijack().write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
        hijacked();
      },
    },
  ];
  const server = engine(t, dir, [hold]);
  await listenUnix(server, path);
  const client = connect(path, () => client.write('POST /hold HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'));
  t.after(() => void client.destroy());
  client.on('error', () => {}); // a reset is as good as a close here
  client.resume();
  const clientClosed = new Promise((resolve) => client.on('close', resolve));
  await hijackedNow;
  await closeServer(server);
  await clientClosed;
});

test('closeServer resolves for a server that never listened', async (t) => {
  const dir = await tempDir(t);
  await closeServer(engine(t, dir));
});
