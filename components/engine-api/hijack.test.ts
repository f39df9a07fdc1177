/**
 * Hijacked connections on a real server over a unix socket, driven by a raw client sending
 * the bytes the docker CLI sends (engine API notes, c3).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorOf } from '../../lib/errdefs/errdefs.js';
import type { RouteGroup } from './engine-api-server.js';
import { hijack, type HijackedStream } from './hijack.js';
import { encodeFrame } from './stdcopy.js';
import { startTestEngine, type TestEngine } from './test-engine.js';

/** Sessions the routes opened, by container id, for assertions about the server side. */
const sessions = new Map<string, HijackedStream>();

/** Attach and exec start as a container engine would run them, minus the container. */
const streamRoutes: RouteGroup = () => [
  {
    method: 'POST',
    path: '/containers/{id}/attach',
    hijack: true,
    handler: async (ctx) => {
      const id = ctx.params.id!;
      if (id === 'nosuch') throw errorOf('not-found', 'No such container: nosuch'); // before the hijack
      const conn = hijack(ctx, { kind: 'attach', tty: id.startsWith('tty'), deferHead: id === 'rawfail' });
      sessions.set(id, conn);
      if (id === 'rawfail') throw errorOf('not-found', `No such container: ${id}`); // taken, no head yet
      if (id === 'silent') {
        // No stdin: the client half-closes at once; output still comes after that.
        await sleep(50);
        conn.stdout.write('late output\n');
        await conn.end();
        return;
      }
      if (id === 'waiter') {
        // A running container: output until the connection is gone. A client's close looks like
        // a half-close until a write fails (as for dockerd).
        const timer = setInterval(() => conn.stdout.write('tick\n'), 20);
        await conn.closed;
        clearInterval(timer);
        return;
      }
      // Like `cat; echo to-err >&2`: stdin back on stdout once the client half-closes.
      const chunks: Buffer[] = [];
      for await (const chunk of conn.stdin) chunks.push(chunk as Buffer);
      conn.stdout.write(Buffer.concat(chunks));
      conn.stderr.write('to-err\n');
      await conn.end();
    },
  },
  {
    method: 'POST',
    path: '/exec/{id}/start',
    hijack: true,
    handler: async (ctx) => {
      const body = JSON.parse((await ctx.upgrade!.readBody()).toString() || '{}') as { Tty?: boolean };
      const conn = hijack(ctx, { kind: 'exec', tty: body.Tty === true });
      conn.stdout.write('out\n');
      if (ctx.params.id === 'failing') throw errorOf('conflict', 'exec failed');
      await conn.end();
    },
  },
];

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine({ groups: [streamRoutes] });
});
after(() => engine.close());

const cliHead = (path: string, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\nContent-Length: 0\r\n` +
  `Connection: Upgrade\r\nContent-Type: text/plain\r\nUpgrade: tcp\r\n${extra}\r\n`;

/**
 * A raw client: sends `request`, and once the response head is in, `afterHead` (stdin) and
 * a half-close unless told not to. Resolves with every byte received when the server closes.
 */
function session(request: string | Buffer, opts: { afterHead?: string; halfClose?: boolean; halfCloseAtOnce?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(engine.socketPath, () => {
      socket.write(request);
      if (opts.halfCloseAtOnce) socket.end();
    });
    const chunks: Buffer[] = [];
    let sent = false;
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (!sent && Buffer.concat(chunks).includes('\r\n\r\n')) {
        sent = true;
        if (opts.afterHead) socket.write(opts.afterHead);
        if (opts.halfClose !== false && !opts.halfCloseAtOnce) socket.end();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

const attachHead = (contentType: string) => `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`;

test('hijack answers the CLI\'s attach with dockerd\'s 101, takes stdin until the half-close, sends frames, closes', async () => {
  const got = await session(cliHead('/v1.41/containers/c1/attach?stderr=1&stdin=1&stdout=1&stream=1'), { afterHead: 'hello-stdin\n' });
  assert.deepEqual(
    got,
    Buffer.concat([Buffer.from(attachHead('application/vnd.docker.raw-stream')), encodeFrame(1, 'hello-stdin\n'), encodeFrame(2, 'to-err\n')]),
  );
  // The exact bytes of the capture: 01 00 00 00 00 00 00 0c "hello-stdin\n"
  assert.equal(got.subarray(got.indexOf('\r\n\r\n') + 4, got.indexOf('\r\n\r\n') + 12).toString('hex'), '010000000000000c');
});

test('hijack says multiplexed-stream from API 1.42 without a TTY, raw-stream and raw bytes with one', async () => {
  const multiplexed = await session(cliHead('/v1.47/containers/c2/attach?stdin=1&stdout=1'), { afterHead: 'x' });
  assert.ok(multiplexed.toString('latin1').startsWith(attachHead('application/vnd.docker.multiplexed-stream')));
  const tty = await session(cliHead('/v1.47/containers/tty1/attach?stdin=1&stdout=1'), { afterHead: 'typed\r\n' });
  assert.equal(tty.toString('latin1'), `${attachHead('application/vnd.docker.raw-stream')}typed\r\nto-err\n`);
});

test('hijack puts back stdin bytes that came in the same packet as the request head', async () => {
  const got = await session(Buffer.from(`${cliHead('/v1.47/containers/c3/attach?stdin=1')}early-stdin\n`), { afterHead: 'late\n' });
  assert.deepEqual(got.subarray(got.indexOf('\r\n\r\n') + 4), Buffer.concat([encodeFrame(1, 'early-stdin\nlate\n'), encodeFrame(2, 'to-err\n')]));
});

test('hijack keeps writing after the client half-closes at once (no stdin), then closes', async () => {
  const got = await session(cliHead('/v1.47/containers/silent/attach?stdout=1'), { halfCloseAtOnce: true });
  assert.deepEqual(got, Buffer.concat([Buffer.from(attachHead('application/vnd.docker.multiplexed-stream')), encodeFrame(1, 'late output\n')]));
});

test('hijack answers a client without Upgrade with the old 200 OK head, and its stdin is raw after it', async () => {
  const request = 'POST /v1.41/containers/c4/attach?stdin=1&stdout=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n';
  const got = await session(request, { afterHead: 'old-client\n' });
  assert.deepEqual(
    got,
    Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n'), encodeFrame(1, 'old-client\n'), encodeFrame(2, 'to-err\n')]),
  );
});

test('hijack for exec start copies the pending headers into the 101, in Go\'s order', async () => {
  const body = '{"Detach":false,"Tty":false}\n';
  const request =
    `POST /v1.47/exec/e1/start HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\nContent-Length: ${body.length}\r\n` +
    `Connection: Upgrade\r\nContent-Type: application/json\r\nUpgrade: tcp\r\n\r\n${body}`;
  const got = await session(request);
  assert.equal(
    got.toString('latin1'),
    'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n' +
      'Api-Version: 1.47\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: Moby-Core/0.1.0-test (linux)\r\n\r\n' +
      encodeFrame(1, 'out\n').toString('latin1'),
  );
  // Without Upgrade: the JSON body is read by node:http, the head is the old 200 form.
  const plain = await session(`POST /v1.47/exec/e2/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  assert.ok(plain.toString('latin1').startsWith('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nApi-Version: 1.47\r\n'));
  assert.ok(plain.subarray(plain.indexOf('\r\n\r\n') + 4).equals(encodeFrame(1, 'out\n')));
});

test('hijack errors: JSON before the hijack, dockerd\'s raw text before the head, in-band for exec after it', async () => {
  const before = (await session(cliHead('/v1.47/containers/nosuch/attach?stdout=1'), { halfClose: false })).toString();
  assert.match(before, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.ok(before.endsWith('\r\n\r\n{"message":"No such container: nosuch"}\n'), before);

  const raw = (await session(cliHead('/v1.47/containers/rawfail/attach?stdout=1'), { halfClose: false })).toString();
  assert.equal(raw, 'HTTP/1.1 404 Not Found\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nNo such container: rawfail\r\n');

  const body = '{"Tty":false}';
  const exec = await session(
    `POST /v1.47/exec/failing/start HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n${body}`,
  );
  const stream = exec.subarray(exec.indexOf('\r\n\r\n') + 4);
  assert.deepEqual(stream, Buffer.concat([encodeFrame(1, 'out\n'), encodeFrame(1, 'exec failed\r\n')]));
});

test('hijack reports the client going away to the session (on its next write)', async () => {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(engine.socketPath, () => socket.write(cliHead('/v1.47/containers/waiter/attach?stdout=1')));
    socket.on('data', () => socket.destroy());
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
  for (let i = 0; i < 100 && !sessions.has('waiter'); i++) await sleep(10);
  await sessions.get('waiter')!.closed; // resolves: the test would time out otherwise
  assert.equal(engine.server.upgraded.size, 0);
});
