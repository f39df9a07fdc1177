/**
 * End to end: containers through the real docker CLI. Runs against our engine, or with
 * `MOBY_TEST_TARGET=dockerd` against Debian's dockerd 20.10 (the reference these tests were
 * proved on). One engine for the whole file; every test names its own containers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import tar from 'tar-stream';
import { tarOf } from '../core/archive/tar-fixture.js';
import { engineRequest } from './support/engine-http.js';
import { waitUntil } from './support/wait.js';
import {
  dockerBytes,
  dockerHard,
  leaksOutside,
  inspect,
  ok,
  spawnDocker,
  startContainerTarget,
  targetKind,
  type ContainerTarget,
} from './support/container-target.js';

const run = promisify(execFile);
const TEST_TIMEOUT = 90_000;

/** The entries of a tar: name → content. */
async function untar(buf: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.set(header.name, Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(buf);
  await done;
  return out;
}

describe(`containers through the docker CLI (target: ${targetKind()})`, { timeout: 600_000 }, () => {
  let target: ContainerTarget;
  let env: NodeJS.ProcessEnv;
  const d = (args: string[], opts?: { input?: string; timeoutMs?: number }) => dockerHard(env, args, { timeoutMs: 60_000, ...opts });
  const must = (args: string[], opts?: { input?: string; timeoutMs?: number }) => ok(env, args, opts);
  /** `docker run -d --name <name> busybox …`, returning the ID. */
  const runDetached = async (name: string, ...cmd: string[]) => (await must(['run', '-d', '--name', name, 'busybox', ...cmd])).trim();
  const trapTerm = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'];

  before(async () => {
    target = await startContainerTarget();
    env = target.dockerEnv;
  });
  after(async () => {
    await target?.cleanup();
  });

  it('docker run --rm busybox echo hi prints hi', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['run', '--rm', 'busybox', 'echo', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    // --rm: nothing is left behind
    assert.equal((await must(['ps', '-aq'])).trim(), '');
  });

  it('docker run --rm busybox sh -c "exit 7" exits 7', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['run', '--rm', 'busybox', 'sh', '-c', 'exit 7']);
    assert.equal(r.code, 7, r.stderr);
  });

  it('docker run -d --name web: ps lists it, ps -a --filter status=exited does not', { timeout: TEST_TIMEOUT }, async () => {
    const id = await runDetached('web', 'sleep', '1000');
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = await must(['ps', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.State}}']);
    assert.match(ps, new RegExp(`^${id.slice(0, 12)} web busybox "sleep 1000" running$`, 'm'));
    assert.doesNotMatch(await must(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}']), /^web$/m);
    assert.match(await must(['ps', '--filter', 'name=web', '--filter', 'status=running', '--format', '{{.Names}}']), /^web$/m);
    // the default table too
    assert.match(await must(['ps']), /\bweb\s*$/m);
  });

  it('docker inspect shows State.Running, State.Pid, Name and Config.Cmd', { timeout: TEST_TIMEOUT }, async () => {
    const c = await inspect(env, 'web');
    assert.match(c.Id, /^[0-9a-f]{64}$/);
    assert.equal(c.Name, '/web');
    assert.equal(c.State.Running, true);
    assert.equal(c.State.Status, 'running');
    assert.equal(c.State.Paused, false);
    assert.ok(Number.isInteger(c.State.Pid) && c.State.Pid > 0, `State.Pid ${c.State.Pid}`);
    assert.ok(existsSync(`/proc/${c.State.Pid}`), 'State.Pid is a live host process');
    assert.deepEqual(c.Config.Cmd, ['sleep', '1000']);
    assert.equal(c.Path, 'sleep');
    assert.deepEqual(c.Args, ['1000']);
    assert.equal(c.Config.Image, 'busybox');
    assert.equal(c.Config.Tty, false);
    assert.equal(c.State.ExitCode, 0);
    assert.ok(!Number.isNaN(Date.parse(c.State.StartedAt)), `StartedAt ${c.State.StartedAt}`);
    // a bare `docker inspect` (no type) finds a container first
    const [bare] = JSON.parse(await must(['inspect', 'web'])) as { Id: string }[];
    assert.equal(bare!.Id, c.Id);
    assert.equal((await must(['inspect', '--format', '{{.State.Pid}}', c.Id.slice(0, 12)])).trim(), String(c.State.Pid));
  });

  it('docker logs keeps stdout and stderr apart', { timeout: TEST_TIMEOUT }, async () => {
    await must(['run', '-d', '--name', 'logger', 'busybox', 'sh', '-c', 'echo out1; echo err1 >&2; echo out2; echo err2 >&2; echo out3']);
    assert.equal((await must(['wait', 'logger'])).trim(), '0');
    const r = await d(['logs', 'logger']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'out1\nout2\nout3\n');
    assert.equal(r.stderr, 'err1\nerr2\n');
  });

  it('docker logs --tail 2 gives the last two lines', { timeout: TEST_TIMEOUT }, async () => {
    const id = await runDetached('tailer', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done');
    await must(['wait', id]);
    assert.equal(await must(['logs', '--tail', '2', 'tailer']), 'line4\nline5\n');
    assert.equal(await must(['logs', '--tail', '0', 'tailer']), '');
    assert.equal(await must(['logs', '--tail', '9', 'tailer']), 'line1\nline2\nline3\nline4\nline5\n');
    // the tail counts lines of both streams together (which of stdout and stderr came last is
    // up to the pipes, so only the total is checked)
    const mixed = await d(['logs', '--tail', '2', 'logger']);
    assert.equal(mixed.code, 0, mixed.stderr);
    const lines = [...mixed.stdout.split('\n'), ...mixed.stderr.split('\n')].filter(Boolean);
    assert.equal(lines.length, 2, JSON.stringify(mixed));
    assert.ok(lines.every((l) => ['out2', 'out3', 'err1', 'err2'].includes(l)), JSON.stringify(mixed));
  });

  it('docker logs --timestamps prefixes each line with an RFC 3339 time', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['logs', '--timestamps', 'logger']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.deepEqual(
      lines.map((l) => l.replace(/^\S+ /, '')),
      ['out1', 'out2', 'out3'],
    );
    for (const line of [...lines, ...r.stderr.split('\n').filter(Boolean)]) {
      // dockerd writes a fixed 9-digit fraction (jsonmessage.RFC3339NanoFixed)
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (\S+)$/.exec(line);
      assert.ok(m, `timestamped line: ${JSON.stringify(line)}`);
      assert.ok(Math.abs(Date.parse(m[1]!) - Date.now()) < 3600_000, `a recent time: ${m[1]}`);
    }
    assert.deepEqual(r.stderr.split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, '')), ['err1', 'err2']);
  });

  it('docker logs -f follows and ends when the container exits', { timeout: TEST_TIMEOUT }, async () => {
    await runDetached('follower', 'sh', '-c', 'echo first; until cat /tmp/go >/dev/null 2>&1; do sleep 0.1; done; echo last');
    const follow = spawnDocker(env, ['logs', '-f', 'follower']);
    try {
      await waitUntil(() => follow.stdout().includes('first\n'), { timeoutMs: 20_000, what: () => `"first" from logs -f (got ${JSON.stringify(follow.stdout())}, ${follow.stderr()})` });
      assert.equal(follow.child.exitCode, null, 'logs -f is still following while the container runs');
      await must(['exec', 'follower', 'touch', '/tmp/go']);
      const r = await follow.done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'first\nlast\n');
    } finally {
      follow.child.kill('SIGKILL');
    }
  });

  it('docker exec web ls / lists the root', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['exec', 'web', 'ls', '/']);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout.split('\n');
    for (const n of ['bin', 'etc', 'proc', 'tmp']) assert.ok(names.includes(n), `${n} in ${JSON.stringify(names)}`);
  });

  it('docker exec -i web cat echoes stdin', { timeout: TEST_TIMEOUT }, async () => {
    const r = await dockerHard(env, ['exec', '-i', 'web', 'cat'], { input: 'hello' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello');
  });

  it('docker exec web sh -c "exit 3" exits 3', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['exec', 'web', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'to-out\n');
    assert.equal(r.stderr, 'to-err\n');
  });

  it('docker exec of a missing command prints the runtime\'s reason, as dockerd does, and fails', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['exec', 'web', 'no-such-cmd']);
    assert.equal(r.code, 126, JSON.stringify(r));
    assert.match(r.stdout, /^OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-cmd": executable file not found in \$PATH: unknown\r\n$/);
  });

  it('docker top web lists the container process', { timeout: TEST_TIMEOUT }, async () => {
    const pid = (await inspect(env, 'web')).State.Pid;
    const out = await must(['top', 'web']);
    const [header, ...rows] = out.trim().split('\n');
    assert.match(header!, /\bPID\b/);
    assert.match(header!, /\bCMD\b/);
    const row = rows.find((r) => /sleep 1000\s*$/.test(r));
    assert.ok(row, `a row for sleep 1000 in:\n${out}`);
    const pidColumn = header!.split(/\s+/).indexOf('PID');
    assert.equal(row.trim().split(/\s+/)[pidColumn], String(pid), 'PID is the host pid of State.Pid');
  });

  it('docker stats --no-stream web prints one sample', { timeout: TEST_TIMEOUT }, async () => {
    const id = (await inspect(env, 'web')).Id;
    const out = await must(['stats', '--no-stream', 'web']);
    const [header, ...rows] = out.trim().split('\n');
    assert.match(header!, /CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT/);
    assert.equal(rows.length, 1, out);
    assert.match(rows[0]!, new RegExp(`^${id.slice(0, 12)}\\s+web\\s+\\d+\\.\\d+%\\s+\\S+ / \\S+`));
    const json = JSON.parse(await must(['stats', '--no-stream', '--format', '{{json .}}', 'web'])) as Record<string, string>;
    assert.equal(json.Name, 'web');
    assert.match(json.PIDs ?? '', /^[1-9]\d*$/, 'at least one process');
  });

  it('docker stop of a process honouring SIGTERM returns well before the timeout, exit 0', { timeout: TEST_TIMEOUT }, async () => {
    await runDetached('stopper', ...trapTerm);
    const started = performance.now();
    const r = await d(['stop', 'stopper']);
    const ms = performance.now() - started;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'stopper');
    // a semantic check (SIGTERM was delivered, not the 10 s SIGKILL fallback), not a benchmark
    assert.ok(ms < 8_000, `docker stop took ${Math.round(ms)} ms`);
    const c = await inspect(env, 'stopper');
    assert.equal(c.State.Running, false);
    assert.equal(c.State.Status, 'exited');
    assert.equal(c.State.ExitCode, 0);
    assert.equal(c.State.Pid, 0);
  });

  it('docker kill -s USR1 delivers the signal', { timeout: TEST_TIMEOUT }, async () => {
    await runDetached('signalled', 'sh', '-c', 'trap "echo got-usr1 > /tmp/usr1; echo got-usr1" USR1; while true; do sleep 0.1; done');
    // the trap is set once the shell runs; wait until it has started its loop
    await waitUntil(async () => (await d(['exec', 'signalled', 'ps'])).stdout.includes('sleep'), {
      timeoutMs: 20_000,
      what: 'the signalled container to loop',
    });
    const r = await d(['kill', '-s', 'USR1', 'signalled']);
    assert.equal(r.code, 0, r.stderr);
    await waitUntil(async () => (await d(['exec', 'signalled', 'cat', '/tmp/usr1'])).stdout === 'got-usr1\n', {
      timeoutMs: 20_000,
      what: 'the USR1 trap to write /tmp/usr1',
    });
    assert.match(await must(['logs', 'signalled']), /^got-usr1$/m);
    assert.equal((await inspect(env, 'signalled')).State.Running, true, 'USR1 does not stop it');
    await must(['rm', '-f', 'signalled']);
  });

  it('docker pause / unpause set State.Paused', { timeout: TEST_TIMEOUT }, async () => {
    await runDetached('pausable', 'sleep', '1000');
    assert.equal((await d(['pause', 'pausable'])).code, 0);
    let c = await inspect(env, 'pausable');
    assert.equal(c.State.Paused, true);
    assert.equal(c.State.Status, 'paused');
    assert.equal(c.State.Running, true, 'a paused container is still running');
    assert.match(await must(['ps', '--filter', 'status=paused', '--format', '{{.Names}}']), /^pausable$/m);
    assert.equal((await d(['unpause', 'pausable'])).code, 0);
    c = await inspect(env, 'pausable');
    assert.equal(c.State.Paused, false);
    assert.equal(c.State.Status, 'running');
    await must(['rm', '-f', 'pausable']);
  });

  it('docker cp copies a file in (read back by exec) and a file out', { timeout: TEST_TIMEOUT }, async () => {
    const src = join(target.scratch, 'cp-in.txt');
    await writeFile(src, 'content-in\n');
    await must(['cp', src, 'web:/tmp/cp-in.txt']);
    assert.equal(await must(['exec', 'web', 'cat', '/tmp/cp-in.txt']), 'content-in\n');
    // into a directory, keeping the name
    await must(['cp', src, 'web:/root/']);
    assert.equal(await must(['exec', 'web', 'cat', '/root/cp-in.txt']), 'content-in\n');

    await must(['exec', 'web', 'sh', '-c', 'echo content-out > /tmp/cp-out.txt']);
    const dst = join(target.scratch, 'cp-out.txt');
    await must(['cp', 'web:/tmp/cp-out.txt', dst]);
    assert.equal(await readFile(dst, 'utf8'), 'content-out\n');
    // to stdout as a tar named after the basename
    const r = await dockerBytes(env, ['cp', 'web:/tmp/cp-out.txt', '-']);
    assert.equal(r.code, 0, r.stderr);
    const entries = await untar(r.stdout);
    assert.deepEqual([...entries.keys()], ['cp-out.txt']);
    assert.equal(entries.get('cp-out.txt')!.toString(), 'content-out\n');
    // a missing path
    const missing = await d(['cp', 'web:/nonexistent', join(target.scratch, 'x')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Could not find the file \/nonexistent in container web/);
  });

  it('docker diff shows A, C and D lines', { timeout: TEST_TIMEOUT }, async () => {
    await runDetached('differ', 'sleep', '1000');
    await must(['exec', 'differ', 'sh', '-c', 'echo new > /tmp/added; rm /etc/group; echo extra >> /etc/passwd']);
    const lines = (await must(['diff', 'differ'])).trim().split('\n');
    for (const want of ['A /tmp/added', 'D /etc/group', 'C /etc/passwd', 'C /etc', 'C /tmp']) assert.ok(lines.includes(want), `${want} in:\n${lines.join('\n')}`);
    assert.ok(!lines.some((l) => /^\w \/bin/.test(l)), 'nothing under /bin changed');
  });

  it('docker commit, then docker run of the new image sees the committed file', { timeout: TEST_TIMEOUT }, async () => {
    const id = (await must(['commit', 'differ', 'committed:v1'])).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await must(['run', '--rm', 'committed:v1', 'cat', '/tmp/added']), 'new\n');
    const gone = await d(['run', '--rm', 'committed:v1', 'cat', '/etc/group']);
    assert.notEqual(gone.code, 0, 'the deleted file stays deleted');
    const [img] = JSON.parse(await must(['image', 'inspect', 'committed:v1'])) as { Id: string; RootFS: { Layers: string[] }; Config: { Cmd: string[] } }[];
    assert.equal(img!.Id, id);
    assert.equal(img!.RootFS.Layers.length, 2, 'the base layer plus one');
    // the committed config is the container's: its Cmd
    assert.deepEqual(img!.Config.Cmd, ['sleep', '1000']);
    await must(['rm', '-f', 'differ']);
  });

  it('docker export gives a tar containing bin/busybox', { timeout: TEST_TIMEOUT }, async () => {
    const out = join(target.scratch, 'export.tar');
    await must(['export', '-o', out, 'web']);
    const { stdout } = await run('tar', ['-tf', out]);
    const names = stdout.split('\n').map((n) => n.replace(/^\.\//, ''));
    assert.ok(names.includes('bin/busybox'), `bin/busybox among ${names.length} entries`);
    assert.ok(names.includes('tmp/cp-in.txt'), 'the container layer is included');
    const entries = await untar(await readFile(out));
    assert.ok(entries.get('bin/busybox')!.equals(await readFile('/bin/busybox')), 'bin/busybox is byte-identical');
  });

  it('docker rm -f removes a running container', { timeout: TEST_TIMEOUT }, async () => {
    const id = await runDetached('doomed', 'sleep', '1000');
    const pid = (await inspect(env, 'doomed')).State.Pid;
    const plain = await d(['rm', 'doomed']);
    assert.notEqual(plain.code, 0, 'rm without -f refuses a running container');
    // dockerd 20.10: `You cannot remove a running container <id>. Stop the container before attempting removal or force remove`;
    // current moby: `cannot remove container "/doomed": container is running: stop the container before removing or force remove`
    assert.match(plain.stderr, /cannot remove a running container|cannot remove container "\/doomed": container is running/i);
    const r = await d(['rm', '-f', 'doomed']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'doomed');
    assert.doesNotMatch(await must(['ps', '-a', '--format', '{{.Names}}']), /^doomed$/m);
    const gone = await d(['inspect', id]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /No such object/);
    await waitUntil(() => !existsSync(`/proc/${pid}`) || readFile(`/proc/${pid}/stat`, 'utf8').then((s) => / Z /.test(s), () => true), {
      timeoutMs: 10_000,
      what: `container process ${pid} to be gone`,
    });
  });

  it('docker wait prints the exit code', { timeout: TEST_TIMEOUT }, async () => {
    await runDetached('waited', 'sh', '-c', 'until cat /tmp/go >/dev/null 2>&1; do sleep 0.1; done; exit 5');
    const waiting = spawnDocker(env, ['wait', 'waited']);
    try {
      await must(['exec', 'waited', 'touch', '/tmp/go']);
      const r = await waiting.done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '5\n');
    } finally {
      waiting.child.kill('SIGKILL');
    }
    // on an exited container it answers at once
    assert.equal(await must(['wait', 'waited']), '5\n');
  });

  it('docker restart starts the container again with a new process', { timeout: TEST_TIMEOUT }, async () => {
    await runDetached('restarted', ...trapTerm);
    const before = await inspect(env, 'restarted');
    const r = await d(['restart', 'restarted']);
    assert.equal(r.code, 0, r.stderr);
    const after = await inspect(env, 'restarted');
    assert.equal(after.Id, before.Id);
    assert.equal(after.State.Running, true);
    assert.ok(after.State.Pid > 0 && after.State.Pid !== before.State.Pid, `a new pid: ${before.State.Pid} → ${after.State.Pid}`);
    assert.ok(Date.parse(after.State.StartedAt) >= Date.parse(before.State.StartedAt));
    assert.equal(after.RestartCount, 0, 'a manual restart is not counted by the restart policy');
    await must(['rm', '-f', 'restarted']);
  });

  it('docker rename changes the name', { timeout: TEST_TIMEOUT }, async () => {
    const id = await runDetached('oldname', 'sleep', '1000');
    const r = await d(['rename', 'oldname', 'newname']);
    assert.equal(r.code, 0, r.stderr);
    const c = await inspect(env, 'newname');
    assert.equal(c.Id, id);
    assert.equal(c.Name, '/newname');
    assert.notEqual((await d(['inspect', 'oldname'])).code, 0);
    assert.match(await must(['ps', '--format', '{{.Names}}']), /^newname$/m);
    // the old name is free again
    await runDetached('oldname', 'true');
    await must(['rm', '-f', 'oldname', 'newname']);
  });

  it('docker run -t gives a tty', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['run', '--rm', '-t', 'busybox', 'tty']);
    assert.equal(r.code, 0, r.stderr);
    // raw pty output: the pty turns \n into \r\n
    assert.equal(r.stdout, '/dev/pts/0\r\n');
    const notty = await d(['run', '--rm', 'busybox', 'tty']);
    assert.notEqual(notty.code, 0);
    assert.equal(notty.stdout, 'not a tty\n');
    await must(['run', '-d', '-t', '--name', 'withtty', 'busybox', 'sleep', '1000']);
    assert.equal((await inspect(env, 'withtty')).Config.Tty, true);
    assert.match(await must(['exec', '-t', 'withtty', 'tty']), /^\/dev\/pts\/\d+\r\n$/);
    await must(['rm', '-f', 'withtty']);
  });

  it('docker run --rm -i busybox cat echoes stdin', { timeout: TEST_TIMEOUT }, async () => {
    const r = await dockerHard(env, ['run', '--rm', '-i', 'busybox', 'cat'], { input: 'hello\nworld\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\nworld\n');
    const big = 'x'.repeat(200_000) + '\n';
    const rb = await dockerHard(env, ['run', '--rm', '-i', 'busybox', 'wc', '-c'], { input: big });
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(rb.stdout.trim(), String(big.length));
  });

  it('a name already in use is refused with "is already in use"', { timeout: TEST_TIMEOUT }, async () => {
    const webId = (await inspect(env, 'web')).Id;
    const r = await d(['run', '-d', '--name', 'web', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Conflict\. The container name "\/web" is already in use by container "[0-9a-f]{64}"/);
    assert.ok(r.stderr.includes(webId), 'the message names the holder');
    const c = await d(['create', '--name', 'web', 'busybox']);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /is already in use/);
    assert.equal((await must(['ps', '-a', '--filter', 'name=^/web$', '--format', '{{.ID}}'])).trim().split('\n').length, 1);
  });

  it('docker cp with a path climbing out does not give the host file', { timeout: TEST_TIMEOUT }, async () => {
    const hostShadow = existsSync('/etc/shadow') ? await readFile('/etc/shadow') : undefined;
    const shadow = await dockerBytes(env, ['cp', 'web:/../../../../etc/shadow', '-']);
    if (shadow.code === 0) {
      const entries = await untar(shadow.stdout);
      for (const [name, content] of entries) assert.ok(!hostShadow || !content.equals(hostShadow), `${name} is not the host's /etc/shadow`);
    } else {
      // the image has no /etc/shadow: dockerd says `Could not find the file /../../../../etc/shadow in container web`
      assert.match(shadow.stderr, /Could not find the file|No such file/i);
    }
    // a file the container does have resolves inside it
    const containerPasswd = await must(['exec', 'web', 'cat', '/etc/passwd']);
    for (const path of ['/../../../../etc/passwd', '/tmp/../../../../../etc/passwd']) {
      const r = await dockerBytes(env, ['cp', `web:${path}`, '-']);
      assert.equal(r.code, 0, r.stderr);
      const entries = await untar(r.stdout);
      assert.equal(entries.get('passwd')?.toString(), containerPasswd, `${path} is the container's /etc/passwd`);
    }
    assert.notEqual(containerPasswd, await readFile('/etc/passwd', 'utf8'));
  });

  it('a tar with ../ entries PUT to the archive API writes nothing outside the container', { timeout: TEST_TIMEOUT }, async () => {
    const tag = `escape-${process.pid}-${Date.now()}`;
    const hostile: [string, Buffer][] = [
      ['../ entries', await tarOf(Array.from({ length: 14 }, (_, i) => ({ name: `${'../'.repeat(i + 1)}${tag}-dots-${i + 1}`, content: 'x' })))],
      ['a symlink to /tmp, then a file through it', await tarOf([{ name: `${tag}-link`, type: 'symlink', linkname: '/tmp' }, { name: `${tag}-link/${tag}-sym`, content: 'x' }])],
      ['a hardlink to a path outside', await tarOf([{ name: `${tag}-hard`, type: 'link', linkname: '../../../../../../../../etc/passwd' }])],
      ['an absolute name', await tarOf([{ name: `/tmp/${tag}-abs`, content: 'x' }])],
    ];
    const statuses: string[] = [];
    for (const [what, body] of hostile) {
      const r = await engineRequest(target.socket, 'PUT', '/containers/web/archive?path=%2Ftmp&noOverwriteDirNonDir=true', body, { 'Content-Type': 'application/x-tar' });
      statuses.push(`${what}: ${r.status} ${r.body.trim()}`);
      assert.ok(r.status === 200 || (r.status >= 400 && r.status < 600), `${what}: ${r.status} ${r.body}`);
      if (r.status >= 400) assert.match(JSON.parse(r.body).message, /\S/, what);
    }
    const leaks = await leaksOutside(target, 'web', tag);
    assert.deepEqual(leaks, [], `nothing written outside the container (${statuses.join('; ')})`);
    assert.equal(await readFile('/etc/passwd', 'utf8').then((s) => s.length > 0), true);
    assert.equal((await engineRequest(target.socket, 'GET', '/_ping')).body, 'OK');
    assert.equal((await inspect(env, 'web')).State.Running, true);
  });

  it('--runtime nosuch is refused', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['run', '--rm', '--runtime', 'nosuch', 'busybox', 'true']);
    assert.equal(r.code, 125);
    // current Docker: `unknown or invalid runtime name: nosuch`; dockerd 20.10: `Unknown runtime specified nosuch`
    assert.match(r.stderr, /unknown or invalid runtime name: nosuch|Unknown runtime specified nosuch/);
  });

  it('docker kill -s NOSIG is refused with "Invalid signal"', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['kill', '-s', 'NOSIG', 'web']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Invalid signal: NOSIG/);
    assert.equal((await inspect(env, 'web')).State.Running, true);
  });

  it('an image with no command is refused with "No command specified"', { timeout: TEST_TIMEOUT }, async () => {
    const r = await d(['run', '--rm', 'nocmd']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /No command specified/);
    const c = await d(['create', '--name', 'nocmd-c', 'nocmd']);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /No command specified/);
    assert.doesNotMatch(await must(['ps', '-a', '--format', '{{.Names}}']), /^nocmd-c$/m, 'no container is left');
  });

  it('docker container prune -f removes stopped containers and keeps running ones', { timeout: TEST_TIMEOUT }, async () => {
    const stopped = await runDetached('prunable', 'true');
    await must(['wait', stopped]);
    const out = await must(['container', 'prune', '-f']);
    assert.match(out, /Deleted Containers:/);
    assert.ok(out.includes(stopped), `prune lists ${stopped}:\n${out}`);
    assert.match(out, /Total reclaimed space/);
    const left = await must(['ps', '-a', '--format', '{{.Names}} {{.State}}']);
    assert.doesNotMatch(left, /^prunable /m);
    assert.equal((await must(['ps', '-a', '--filter', 'status=exited', '-q'])).trim(), '', 'no stopped container is left');
    assert.match(left, /^web running$/m);
    assert.match(await must(['container', 'prune', '-f']), /Total reclaimed space: 0B/);
  });
  it('--restart on-failure:2 restarts a failing container twice, then leaves it exited', { timeout: TEST_TIMEOUT }, async () => {
    const id = (await must(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'echo run; exit 3'])).trim();
    await waitUntil(async () => {
      const s = (await inspect(env, id)) as unknown as { RestartCount: number; State: { Status: string } };
      return s.RestartCount === 2 && s.State.Status === 'exited';
    }, { timeoutMs: 30_000, what: () => 'two restarts, then exited' });
    const state = await inspect(env, id);
    assert.equal(state.State.ExitCode, 3);
    assert.equal((await must(['logs', id])).split('\n').filter((l) => l === 'run').length, 3, 'ran three times, one log');
    await must(['rm', id]);
  });

  it('json-file rotation: --log-opt max-size/max-file keep at most max-file files and docker logs reads across them', { timeout: TEST_TIMEOUT }, async () => {
    const id = (await must(['run', '-d', '--name', 'rotator', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 400 ]; do echo line-$i; i=$((i+1)); done'])).trim();
    await must(['wait', id]);
    const logPath = ((await inspect(env, id)) as unknown as { LogPath: string }).LogPath;
    if (targetKind() === 'moby') {
      const files = ['', '.1', '.2', '.3'].filter((suffix) => existsSync(logPath + suffix));
      assert.deepEqual(files, ['', '.1', '.2'], 'three files in all');
    }
    const lines = (await must(['logs', id])).trim().split('\n');
    assert.equal(lines.at(-1), 'line-399');
    assert.ok(lines.length < 400 && lines.length > 50, `older lines rotated away: ${lines.length}`);
    for (let i = 1; i < lines.length; i++) assert.equal(Number(lines[i]!.slice(5)), Number(lines[i - 1]!.slice(5)) + 1, 'continuous');
    await must(['rm', id]);
  });

  it('docker events --since/--until replays a run\'s container events in order', { timeout: TEST_TIMEOUT }, async () => {
    const since = ((Date.now() - 1000) / 1000).toFixed(3);
    const id = (await must(['create', '--name', 'evented', 'busybox', 'sh', '-c', 'exit 2'])).trim();
    await must(['start', id]);
    await must(['wait', id]);
    await must(['rm', id]);
    const until = ((Date.now() + 1000) / 1000).toFixed(3);
    const out = await must(['events', '--since', since, '--until', until, '--filter', 'type=container', '--filter', `container=${id}`, '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}']);
    const actions = out.trim().split('\n').map((l) => l.replace(' <no value>', '').trim());
    assert.deepEqual(actions.filter((a) => /^(create|start|die|destroy)/.test(a)), ['create evented', 'start evented', 'die evented 2', 'destroy evented']);
  });
});
