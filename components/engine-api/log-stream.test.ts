/**
 * The logs body over a real server: frames, raw TTY bytes, timestamps, stream choice, follow,
 * coalesced writes, in-band errors; then the real docker CLI (`docker logs`, and `docker exec`
 * through a hijack) against routes that fake the container side.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { logEntry, type LogEntry } from '../../core/logs/json-line.js';
import { readLogs } from '../../core/logs/json-file-reader.js';
import { errorOf } from '../../lib/errdefs/errdefs.js';
import type { RouteGroup } from './engine-api-server.js';
import { hijack } from './hijack.js';
import { attrsText, clientGone, writeLogStream } from './log-stream.js';
import { writeBody, writeJson } from './respond.js';
import { decodeFrames, encodeFrame } from './stdcopy.js';
import { startTestEngine, type TestEngine } from './test-engine.js';

let dir: string;
/** Containers whose logs request has returned (the follow ended, the reader closed). */
const finished = new Set<string>();
/** Container id → its log file and TTY; `stop` ends follows (the container stopped). */
const containers = new Map<string, { path: string; tty: boolean; stopped: Promise<void>; stop: () => void }>();

function addContainer(id: string, tty = false) {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const c = { path: join(dir, `${id}-json.log`), tty, stopped, stop };
  containers.set(id, c);
  return c;
}

const line = (log: string, stream: string, time: string) => `${JSON.stringify({ log, stream, time })}\n`;

const fakeContainers: RouteGroup = () => [
  {
    method: 'GET',
    path: '/containers/{id}/json',
    handler: ({ res, params }) => {
      const c = containers.get(params.id!);
      if (!c) throw errorOf('not-found', `No such container: ${params.id}`);
      writeJson(res, 200, { Id: params.id, Name: `/${params.id}`, Config: { Tty: c.tty }, State: { Running: true } });
    },
  },
  {
    method: 'GET',
    path: '/containers/{id}/logs',
    handler: async ({ res, params, query, apiVersion }) => {
      const c = containers.get(params.id!);
      if (!c) throw errorOf('not-found', `No such container: ${params.id}`);
      const on = (name: string) => ['1', 'true', 'True'].includes(query.get(name) ?? '');
      const tail = query.get('tail');
      if (params.id === 'broken') {
        const failing: AsyncIterable<LogEntry> = {
          async *[Symbol.asyncIterator]() {
            yield logEntry('stdout', 'before\n', '2026-12-02T01:02:03Z');
            throw new Error('boom');
          },
        };
        await writeLogStream(res, failing, { apiVersion, tty: c.tty, stdout: true, stderr: true });
        return;
      }
      const entries = readLogs(c.path, {
        tail: tail === null || tail === 'all' ? 'all' : Number(tail),
        follow: on('follow'),
        followUntil: c.stopped,
        signal: clientGone(res),
        pollIntervalMs: 50,
      });
      // As the real route: a read that does not follow merges runs of one stream into one frame.
      await writeLogStream(res, entries, { apiVersion, tty: c.tty, stdout: on('stdout'), stderr: on('stderr'), timestamps: on('timestamps'), merge: !on('follow') });
      finished.add(params.id!);
    },
  },
  // Exec, for `docker exec`: create, start (hijacked), inspect.
  {
    method: 'POST',
    path: '/containers/{id}/exec',
    handler: ({ res }) => writeBody(res, 201, 'application/json', '{"Id":"exec1"}\n'),
  },
  {
    method: 'POST',
    path: '/exec/{id}/start',
    hijack: true,
    handler: async (ctx) => {
      const body = JSON.parse((await ctx.upgrade!.readBody()).toString() || '{}') as { Tty?: boolean };
      const conn = hijack(ctx, { kind: 'exec', tty: body.Tty === true });
      const chunks: Buffer[] = [];
      for await (const chunk of conn.stdin) chunks.push(chunk as Buffer);
      conn.stdout.write(`got: ${Buffer.concat(chunks).toString()}`);
      conn.stderr.write('err line\n');
      await conn.end();
    },
  },
  {
    method: 'GET',
    path: '/exec/{id}/json',
    handler: ({ res }) => writeJson(res, 200, { ID: 'exec1', Running: false, ExitCode: 3, ProcessConfig: { tty: false } }),
  },
];

let engine: TestEngine;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mls-'));
  engine = await startTestEngine({ groups: [fakeContainers] });
});
after(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

/** A GET over a raw socket: the head, the de-chunked body, and how many chunks it came in. */
function get(path: string, onHead?: () => void): Promise<{ head: string; body: Buffer; chunks: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(engine.socketPath, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    let raw = Buffer.alloc(0);
    let headSeen = false;
    socket.on('data', (chunk) => {
      raw = Buffer.concat([raw, chunk]);
      if (!headSeen && raw.includes('\r\n\r\n')) {
        headSeen = true;
        onHead?.();
      }
      if (raw.includes('\r\n0\r\n\r\n') || (headSeen && raw.subarray(raw.indexOf('\r\n\r\n') + 4).toString('latin1').startsWith('0\r\n\r\n'))) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const at = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, at).toString('latin1');
      const body: Buffer[] = [];
      let chunks = 0;
      let p = at + 4;
      while (p < raw.length) {
        const eol = raw.indexOf('\r\n', p);
        const size = Number.parseInt(raw.subarray(p, eol).toString('latin1'), 16);
        if (!(size > 0)) break;
        body.push(raw.subarray(eol + 2, eol + 2 + size));
        chunks++;
        p = eol + 2 + size + 2;
      }
      resolve({ head, body: Buffer.concat(body), chunks });
    });
  });
}

test('writeLogStream sends frames without a TTY, with the multiplexed type from 1.42 and raw-stream below', async () => {
  const c = addContainer('plain');
  await writeFile(c.path, line('out1\n', 'stdout', '2026-11-23T16:39:57.447708546Z') + line('err1\n', 'stderr', '2026-11-23T16:39:57.44774Z'));
  const res = await get('/v1.47/containers/plain/logs?stderr=1&stdout=1&tail=all');
  assert.match(res.head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(res.head, /\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream\r\n/);
  assert.match(res.head, /\r\nTransfer-Encoding: chunked/);
  assert.deepEqual(res.body, Buffer.concat([encodeFrame(1, 'out1\n'), encodeFrame(2, 'err1\n')]));
  const old = await get('/v1.41/containers/plain/logs?stderr=1&stdout=1');
  assert.match(old.head, /\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
  assert.deepEqual(old.body, res.body);
  // `logs -t`: RFC3339NanoFixed and a space, as captured: 2c = 8 + 0x24
  const stamped = await get('/v1.47/containers/plain/logs?stderr=1&stdout=1&timestamps=1');
  assert.deepEqual(stamped.body, Buffer.concat([encodeFrame(1, '2026-11-23T16:39:57.447708546Z out1\n'), encodeFrame(2, '2026-11-23T16:39:57.447740000Z err1\n')]));
  assert.equal(encodeFrame(1, '2026-11-23T16:39:57.447708546Z out1\n').length, 0x2c);
  const onlyErr = await get('/v1.47/containers/plain/logs?stderr=1');
  assert.deepEqual(onlyErr.body, encodeFrame(2, 'err1\n'));
});

test('writeLogStream writes raw bytes with a TTY', async () => {
  const c = addContainer('tty', true);
  await writeFile(c.path, line('tty-line\r\n', 'stdout', '2026-12-02T01:02:03Z') + line('tty-err\r\n', 'stdout', '2026-12-02T01:02:04Z'));
  const res = await get('/v1.47/containers/tty/logs?stderr=1&stdout=1');
  assert.match(res.head, /\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
  assert.equal(res.body.toString(), 'tty-line\r\ntty-err\r\n');
});

test('writeLogStream coalesces many lines into few big writes', async () => {
  const c = addContainer('many');
  const n = 20_000;
  await writeFile(c.path, Array.from({ length: n }, (_, i) => line(`line ${i}\n`, i % 3 ? 'stdout' : 'stderr', '2026-12-02T01:02:03.5Z')).join(''));
  const res = await get('/v1.47/containers/many/logs?stderr=1&stdout=1&tail=all');
  const frames = decodeFrames(res.body);
  // Runs of one stream share a frame: stderr, stdout×2, stderr, stdout×2, …
  const runs = Array.from({ length: n }, (_, i) => (i % 3 ? 1 : 2)).filter((s, i, all) => i === 0 || all[i - 1] !== s).length;
  // (a run cut by the end of a 256 KiB write starts a new frame in the next)
  assert.ok(frames.length >= runs && frames.length <= runs + 5, `${frames.length} frames for ${runs} runs`);
  assert.deepEqual(frames.slice(0, 3).map((f) => [f.stream, f.payload.toString()]), [[2, 'line 0\n'], [1, 'line 1\nline 2\n'], [2, 'line 3\n']]);
  const of = (stream: number) => Buffer.concat(frames.filter((f) => f.stream === stream).map((f) => f.payload)).toString();
  const want = (stream: number) => Array.from({ length: n }, (_, i) => i).filter((i) => (i % 3 ? 1 : 2) === stream).map((i) => `line ${i}\n`).join('');
  assert.equal(of(1), want(1));
  assert.equal(of(2), want(2));
  assert.ok(res.chunks <= 5, `${res.chunks} chunks for ${res.body.length} bytes`);
  const tail = await get('/v1.47/containers/many/logs?stdout=1&stderr=1&tail=2');
  assert.deepEqual(decodeFrames(tail.body).map((f) => f.payload.toString()), [`line ${n - 2}\n`, `line ${n - 1}\n`]); // stderr, then stdout
});

test('writeLogStream merges a run of one stream into frames of at most 256 KiB; a follow keeps one frame per entry', async () => {
  const c = addContainer('runs');
  const n = 10_000; // 50 bytes a line: 500 kB in all, so more than one frame
  const text = (i: number) => `${String(i).padStart(48, '.')}\n`;
  await writeFile(c.path, Array.from({ length: n }, (_, i) => line(text(i), 'stdout', '2026-12-02T01:02:03.5Z')).join(''));
  const merged = decodeFrames((await get('/v1.47/containers/runs/logs?stdout=1&stderr=1')).body);
  assert.ok(merged.length >= 2 && merged.length <= 3, `${merged.length} frames`);
  assert.ok(merged.every((f) => f.stream === 1 && f.payload.length <= 256 * 1024));
  assert.equal(Buffer.concat(merged.map((f) => f.payload)).toString(), Array.from({ length: n }, (_, i) => text(i)).join(''));
  const pending = get('/v1.47/containers/runs/logs?stdout=1&stderr=1&follow=1&tail=3');
  await sleep(200);
  c.stop();
  assert.deepEqual(decodeFrames((await pending).body).map((f) => f.payload.toString()), [text(n - 3), text(n - 2), text(n - 1)]);
});

test('writeLogStream follows: headers at once, new lines as written, the end when the container stops', async () => {
  const c = addContainer('follow');
  await writeFile(c.path, line('first\n', 'stdout', '2026-12-02T01:02:03Z'));
  let headAt = 0;
  const pending = get('/v1.47/containers/follow/logs?stdout=1&stderr=1&follow=1&tail=0', () => (headAt = Date.now()));
  await sleep(200);
  assert.ok(headAt > 0, 'the head came before any entry');
  await appendFile(c.path, line('second\n', 'stderr', '2026-12-02T01:02:04Z'));
  await sleep(100);
  await appendFile(c.path, line('third\n', 'stdout', '2026-12-02T01:02:05Z'));
  await sleep(100);
  c.stop();
  const res = await pending;
  assert.deepEqual(decodeFrames(res.body).map((f) => [f.stream, f.payload.toString()]), [
    [2, 'second\n'],
    [1, 'third\n'],
  ]);
});

test('writeLogStream stops following when the client goes away', async () => {
  const c = addContainer('gone');
  await writeFile(c.path, line('x\n', 'stdout', '2026-12-02T01:02:03Z'));
  await new Promise<void>((resolve) => {
    const socket = connect(engine.socketPath, () => socket.write('GET /containers/gone/logs?stdout=1&follow=1 HTTP/1.1\r\nHost: x\r\n\r\n'));
    socket.once('data', () => socket.destroy());
    socket.on('close', () => resolve());
  });
  // The follow ends (its reader released) although the container still runs.
  for (let i = 0; i < 200 && !finished.has('gone'); i++) await sleep(10);
  assert.ok(finished.has('gone'));
});

test('writeLogStream reports an error after the head in band, as a systemerr frame', async () => {
  addContainer('broken');
  const res = await get('/v1.47/containers/broken/logs?stdout=1&stderr=1');
  assert.deepEqual(res.body, Buffer.concat([encodeFrame(1, 'before\n'), encodeFrame(3, 'Error grabbing logs: boom\n')]));
});

test('attrsText writes details as moby does', () => {
  assert.equal(attrsText({ tag: 'web app', env: 'a=b&c' }), 'env=a%3Db%26c,tag=web+app');
  assert.equal(attrsText(undefined), '');
});

// ---- the real docker CLI ----

const dockerPath = (process.env.PATH ?? '').split(':').map((d) => join(d, 'docker')).find((p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
const skip = dockerPath === undefined && 'the docker CLI is not installed';

function docker(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, DOCKER_CONFIG: join(dir, 'docker-config'), DOCKER_HOST: `unix://${engine.socketPath}` };
    const child = execFile(dockerPath!, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin ?? '');
  });
}

test('docker logs prints what the log holds, -t with fixed nanoseconds, --tail', { skip }, async () => {
  const c = addContainer('cli');
  await writeFile(c.path, line('out1\n', 'stdout', '2026-11-23T16:39:57.4477Z') + line('err1\n', 'stderr', '2026-11-23T16:39:58Z') + line('out2\n', 'stdout', '2026-11-23T16:39:59Z'));
  const all = await docker(['logs', 'cli']);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, 'out1\nout2\n');
  assert.equal(all.stderr, 'err1\n');
  const stamped = await docker(['logs', '-t', '--tail', '2', 'cli']);
  assert.equal(stamped.stdout, '2026-11-23T16:39:59.000000000Z out2\n');
  assert.equal(stamped.stderr, '2026-11-23T16:39:58.000000000Z err1\n');
});

test('docker exec -i goes through a hijack: stdin, half-close, frames, exit code', { skip }, async () => {
  addContainer('execbox');
  const res = await docker(['exec', '-i', 'execbox', 'cat'], 'piped stdin\n');
  assert.equal(res.stdout, 'got: piped stdin\n');
  assert.equal(res.stderr, 'err line\n');
  assert.equal(res.code, 3);
});
