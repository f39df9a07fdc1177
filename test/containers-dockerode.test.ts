/**
 * End to end: the container lifecycle through dockerode 5 (docker-modem's HTTP and hijack
 * code, not the docker CLI's). Runs against our engine, or with `MOBY_TEST_TARGET=dockerd`
 * against Debian's dockerd 20.10.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Duplex } from 'node:stream';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { tarOf } from '../core/archive/tar-fixture.js';
import { leaksOutside, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';

const TEST_TIMEOUT = 90_000;

interface DockerodeError extends Error {
  statusCode?: number;
  json?: { message?: string } | null;
}

/** Splits a multiplexed (non-TTY) stream body into stdout and stderr. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const type = buf[i]!;
    const len = buf.readUInt32BE(i + 4);
    const payload = buf.subarray(i + 8, i + 8 + len);
    assert.equal(payload.length, len, 'a whole frame');
    if (type === 1) out.push(payload);
    else if (type === 2) err.push(payload);
    else assert.fail(`unexpected stream type ${type}: ${payload.toString()}`);
    i += 8 + len;
  }
  assert.equal(i, buf.length, 'no trailing bytes after the last frame');
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Collects a hijacked stream demultiplexed by docker-modem until it ends. */
function collect(docker: Docker, stream: Duplex): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve({ stdout, stderr }));
    stream.on('close', () => resolve({ stdout, stderr }));
    stream.on('error', reject);
  });
}

/** `p`, or a failure naming the step that did not finish within `ms`. */
async function within<T>(p: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function rejectsWith(p: Promise<unknown>, status: number, message: RegExp): Promise<DockerodeError> {
  try {
    await p;
  } catch (e) {
    const err = e as DockerodeError;
    assert.equal(err.statusCode, status, `${err.message}`);
    assert.match(err.json?.message ?? err.message, message);
    return err;
  }
  assert.fail(`expected an error with status ${status}`);
}

describe(`containers through dockerode (target: ${targetKind()})`, { timeout: 600_000 }, () => {
  let target: ContainerTarget;
  let docker: Docker;
  /** A label per test, so one test's leftovers (after a failure) do not upset another's lists. */
  const label = (test: string) => ({ 'moby.test': test });

  before(async () => {
    target = await startContainerTarget();
    docker = new Docker({ socketPath: target.socket });
  });
  after(async () => {
    await target?.cleanup();
  });

  it('create, attach (hijack, stdin), start, wait → StatusCode, inspect, logs, list, remove', { timeout: TEST_TIMEOUT }, async () => {
    const container = await docker.createContainer({
      name: 'dockerode-life',
      Image: 'busybox',
      Cmd: ['sh', '-c', 'read line; echo got:$line; echo to-err >&2; exit 4'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: true,
      StdinOnce: true,
      Labels: label('life'),
    });
    assert.match(container.id, /^[0-9a-f]{64}$/);
    const created = await container.inspect();
    assert.equal(created.State.Status, 'created');
    assert.equal(created.State.Running, false);
    assert.equal(created.Name, '/dockerode-life');

    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    const output = collect(docker, stream);
    const waited = container.wait({ condition: 'next-exit' });
    stream.write('hello\n'); // before start: the engine buffers it
    stream.end();
    await container.start();
    const result = (await within(waited, 'wait?condition=next-exit')) as { StatusCode: number; Error?: unknown };
    assert.equal(result.StatusCode, 4);
    assert.deepEqual(await within(output, 'the attach stream to end after the container exited'), { stdout: 'got:hello\n', stderr: 'to-err\n' });

    const info = await container.inspect();
    assert.equal(info.State.Status, 'exited');
    assert.equal(info.State.Running, false);
    assert.equal(info.State.ExitCode, 4);
    assert.deepEqual(info.Config.Cmd, ['sh', '-c', 'read line; echo got:$line; echo to-err >&2; exit 4']);
    assert.equal(info.Config.OpenStdin, true);
    assert.ok(Date.parse(info.State.FinishedAt) >= Date.parse(info.State.StartedAt));

    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    assert.deepEqual(demux(Buffer.from(logs)), { stdout: 'got:hello\n', stderr: 'to-err\n' });
    const onlyErr = (await container.logs({ stdout: false, stderr: true, follow: false })) as unknown as Buffer;
    assert.deepEqual(demux(Buffer.from(onlyErr)), { stdout: '', stderr: 'to-err\n' });

    const byName = await docker.listContainers({ all: true, filters: { name: ['dockerode-life'] } });
    assert.equal(byName.length, 1);
    assert.equal(byName[0]!.Id, container.id);
    assert.deepEqual(byName[0]!.Names, ['/dockerode-life']);
    assert.equal(byName[0]!.State, 'exited');
    assert.match(byName[0]!.Status, /^Exited \(4\)/);
    assert.equal(byName[0]!.Image, 'busybox');
    assert.deepEqual(byName[0]!.Labels, label('life'));
    assert.equal((await docker.listContainers({ all: true, filters: { status: ['exited'], label: ['moby.test=life'] } })).length, 1);
    assert.equal((await docker.listContainers({ all: true, filters: { status: ['running'], label: ['moby.test=life'] } })).length, 0);
    assert.equal((await docker.listContainers({ filters: { name: ['dockerode-life'] } })).length, 0, 'not listed without all');

    await container.remove();
    await rejectsWith(container.inspect(), 404, /No such container/);
    assert.equal((await docker.listContainers({ all: true, filters: { name: ['dockerode-life'] } })).length, 0);
  });

  it('exec with start hijack: stdin in, stdout/stderr apart, inspect ExitCode; a TTY exec; stop; remove', { timeout: TEST_TIMEOUT }, async () => {
    const container = await docker.createContainer({
      name: 'dockerode-exec',
      Image: 'busybox',
      Cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
      Labels: label('exec'),
    });
    await container.start();
    const running = await container.inspect();
    assert.equal(running.State.Running, true);
    assert.ok(running.State.Pid > 0);
    const listed = await docker.listContainers({ filters: { label: ['moby.test=exec'], status: ['running'] } });
    assert.deepEqual(
      listed.map((c) => c.Names[0]),
      ['/dockerode-exec'],
    );

    const exec = await container.exec({ Cmd: ['sh', '-c', 'cat; echo to-err >&2; exit 3'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
    const output = collect(docker, stream);
    stream.end('hello');
    assert.deepEqual(await within(output, 'the exec stream to end after stdin was closed'), { stdout: 'hello', stderr: 'to-err\n' });
    const done = await exec.inspect();
    assert.equal(done.Running, false);
    assert.equal(done.ExitCode, 3);
    assert.equal(done.ContainerID, container.id);
    assert.equal(done.ProcessConfig.entrypoint, 'sh');

    const tty = await container.exec({ Cmd: ['tty'], AttachStdout: true, AttachStderr: true, Tty: true });
    const ttyStream = (await tty.start({ hijack: true, stdin: false, Tty: true })) as Duplex;
    let raw = '';
    ttyStream.on('data', (d) => (raw += d));
    await within(new Promise((resolve) => ttyStream.on('end', resolve).on('close', resolve)), 'the TTY exec stream to end');
    assert.match(raw, /^\/dev\/pts\/\d+\r\n$/, 'a TTY exec is a raw, unframed stream');
    assert.equal((await tty.inspect()).ExitCode, 0);

    await rejectsWith(docker.getExec('nosuchexec').inspect(), 404, /No such exec instance/);

    await container.stop();
    const stopped = await container.inspect();
    assert.equal(stopped.State.Running, false);
    assert.equal(stopped.State.ExitCode, 0, 'the TERM trap exited 0');
    await rejectsWith(container.stop(), 304, /./);
    assert.equal(((await container.wait()) as { StatusCode: number }).StatusCode, 0, 'wait on an exited container answers at once');
    await rejectsWith(container.exec({ Cmd: ['true'], AttachStdout: true }), 409, /is not running/);
    await container.remove();
    await rejectsWith(container.remove(), 404, /No such container/);
  });

  it('putArchive and getArchive copy files; a hostile archive writes nothing outside', { timeout: TEST_TIMEOUT }, async () => {
    const container = await docker.createContainer({ name: 'dockerode-archive', Image: 'busybox', Cmd: ['sleep', '1000'], Labels: label('archive') });
    await container.start();
    await container.putArchive(await tarOf([{ name: 'put.txt', content: 'put-content\n' }]), { path: '/tmp' });
    const got = (await container.getArchive({ path: '/tmp/put.txt' })) as NodeJS.ReadableStream;
    const entries = new Map<string, string>();
    const extract = tar.extract();
    extract.on('entry', (h, s, next) => {
      let body = '';
      s.on('data', (d: unknown) => (body += String(d)));
      s.on('end', () => {
        entries.set(h.name, body);
        next();
      });
    });
    await new Promise((resolve, reject) => {
      extract.on('finish', () => resolve(undefined)).on('error', reject);
      got.pipe(extract);
    });
    assert.deepEqual([...entries], [['put.txt', 'put-content\n']]);
    const stat = await container.infoArchive({ path: '/tmp/put.txt' });
    assert.ok(stat, 'HEAD archive answers');

    const tag = `dockerode-escape-${process.pid}-${Date.now()}`;
    const hostile = await tarOf([
      ...Array.from({ length: 12 }, (_, i) => ({ name: `${'../'.repeat(i + 1)}${tag}-${i + 1}`, content: 'x' })),
      { name: `${tag}-link`, type: 'symlink' as const, linkname: '/tmp' },
      { name: `${tag}-link/${tag}-sym`, content: 'x' },
    ]);
    let outcome = 'accepted';
    await container.putArchive(hostile, { path: '/tmp' }).catch((e: DockerodeError) => {
      outcome = `${e.statusCode} ${e.json?.message ?? e.message}`;
      assert.ok(e.statusCode !== undefined && e.statusCode >= 400, outcome);
    });
    assert.deepEqual(await leaksOutside(target, 'dockerode-archive', tag), [], `nothing outside (${outcome})`);
    await container.remove({ force: true });
  });

  it('errors: missing container, name in use, no command, bad signal', { timeout: TEST_TIMEOUT }, async () => {
    await rejectsWith(docker.getContainer('nosuch').inspect(), 404, /No such container: nosuch/);
    const first = await docker.createContainer({ name: 'dockerode-dup', Image: 'busybox', Cmd: ['sleep', '1000'], Labels: label('errors') });
    await rejectsWith(docker.createContainer({ name: 'dockerode-dup', Image: 'busybox', Cmd: ['true'] }), 409, /is already in use/);
    await rejectsWith(docker.createContainer({ Image: 'nocmd' }), 400, /No command specified/);
    await first.start();
    const bad = await rejectsWith(first.kill({ signal: 'NOSIG' }), 400, /Invalid signal: NOSIG/);
    assert.ok(bad);
    await rejectsWith(first.remove(), 409, /cannot remove a running container|container is running/i);
    await first.remove({ force: true });
    await rejectsWith(docker.createContainer({ Image: 'no/such-image:here', Cmd: ['true'] }), 404, /No such image/);
  });
});
