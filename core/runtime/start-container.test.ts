import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attach, collectOutput, STREAM_STDERR, STREAM_STDOUT } from './attach.js';
import { signalThroughMonitor, waitReleased } from './control.js';
import { waitExit } from './exit-record.js';
import { isMonitor, reattach } from './reattach.js';
import { RuntimeFixture, until } from './runtime-fixture.js';
import { startContainer, type StartContainerOptions } from './start-container.js';
import { startExec } from './start-exec.js';

const runnable = process.getuid?.() === 0 && (await exists('/usr/sbin/runc')) && (await exists('/bin/busybox'));
const skip = runnable ? false : 'needs root, runc and busybox';

/** Go's time.RFC3339Nano in UTC: fraction optional, without trailing zeros. */
const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?Z$/;

describe('containers and execs under moby-monitor, with real runc', { skip, timeout: 180_000 }, () => {
  const fx = new RuntimeFixture();
  before(() => fx.setUp(['sh', 'echo', 'sleep', 'cat', 'tty', 'stty', 'printf', 'head', 'tr']));
  after(() => fx.cleanup());

  /** Creates under a monitor, then starts: what the engine does. */
  async function run(c: StartContainerOptions) {
    const started = await startContainer(c);
    await fx.runtime.start(c.id);
    return started;
  }

  it("writes dockerd's json-file lines exactly (escaping, invalid UTF-8, final partial line) and records exit 0", async () => {
    const c = await fx.container('echo', ['sh', '-c', `echo hi; echo oops >&2; printf 'a<b>&"\\\\\\t\\377\\n'; printf tail`]);
    const started = await run(c);
    assert.ok(started.pid > 0 && started.monitorPid > 0 && started.pid !== started.monitorPid);
    const exit = await waitExit(started.exitFile);
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.signal, undefined);
    assert.match(exit.finishedAt, RFC3339_NANO);
    const lines = (await readFile(c.logPath!, 'utf8')).split('\n');
    assert.equal(lines.pop(), '', 'every entry ends with a newline');
    const shape = /^\{"log":(".*"),"stream":"(stdout|stderr)","time":"([^"]+)"\}$/;
    const entries = lines.map((line) => {
      const m = shape.exec(line);
      assert.ok(m, line);
      assert.match(m[3]!, RFC3339_NANO);
      return { log: m[1], stream: m[2] };
    });
    assert.deepEqual(entries.filter((e) => e.stream === 'stdout').map((e) => e.log), [
      '"hi\\n"',
      '"a\\u003cb\\u003e\\u0026\\"\\\\\\u0009\\ufffd\\n"',
      '"tail"',
    ]);
    assert.deepEqual(entries.filter((e) => e.stream === 'stderr').map((e) => e.log), ['"oops\\n"']);
    await waitReleased(dirname(started.exitFile), c.id);
    assert.ok(existsSync(join(dirname(started.exitFile), 'deleted')));
    assert.deepEqual(await fx.runtime.list(), [], 'then the monitor deleted the container from the runtime');
    await until(async () => !(await isMonitor(started.monitorPid, c.id)));
  });

  it('cuts lines at 16 KiB as Docker does, the pieces sharing the first piece’s time', async () => {
    const c = await fx.container('long', ['sh', '-c', `head -c 16385 /dev/zero | tr '\\0' x; echo`]);
    const started = await run(c);
    await waitExit(started.exitFile);
    const entries = (await readFile(c.logPath!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { log: string; time: string });
    assert.deepEqual(entries.map((e) => e.log), ['x'.repeat(16 * 1024), 'x\n']);
    assert.equal(entries[0]!.time, entries[1]!.time);
  });

  it('records the exit code of the command', async () => {
    const c = await fx.container('exit7', ['sh', '-c', 'exit 7']);
    const started = await run(c);
    assert.deepEqual(await waitExit(started.exitFile).then((e) => [e.exitCode, e.signal]), [7, undefined]);
  });

  it('records 143 when SIGTERM ends the command (sh waits on a killed sleep)', async () => {
    const c = await fx.container('term', ['sh', '-c', 'sleep 1000 & wait $!']);
    const started = await run(c);
    await until(async () => (await fx.runtime.ps(c.id)).length === 2);
    await fx.runtime.kill(c.id, 'SIGTERM', { all: true });
    assert.equal((await waitExit(started.exitFile)).exitCode, 143);
  });

  it('signals the init through control.sock: USR1 is trapped, KILL ends the whole namespace, then "not running"', async () => {
    const c = await fx.container('ctl', ['sh', '-c', 'trap "echo got-usr1" USR1; sleep 1000 & while :; do wait; done']);
    const started = await run(c);
    const dir = dirname(started.exitFile);
    await until(async () => (await fx.runtime.ps(c.id)).length === 2);
    assert.equal(await signalThroughMonitor(dir, 10), 'sent');
    await until(async () => (await readFile(c.logPath!, 'utf8')).includes('got-usr1'));
    await assert.rejects(signalThroughMonitor(dir, 99), { kind: 'invalid-argument' });
    assert.equal(await signalThroughMonitor(dir, 9), 'sent');
    const exit = await waitExit(started.exitFile);
    assert.deepEqual([exit.exitCode, exit.signal], [137, 9]);
    await waitReleased(dirname(started.exitFile), c.id);
    assert.deepEqual(await fx.runtime.list(), [], 'the sleep died with its namespace: runc delete had nothing left');
    // Once the init is gone, the socket is too: callers fall back or report "not running".
    await assert.rejects(signalThroughMonitor(dir, 15), { kind: 'unavailable' });
  });

  it('an attach between create and start sees all the output, framed as Docker multiplexes it', async () => {
    const c = await fx.container('attach', ['sh', '-c', 'echo one; echo two >&2; echo three']);
    const started = await startContainer(c);
    const session = await attach(started.attachSocket);
    await fx.runtime.start(c.id);
    const raw: Buffer[] = [];
    for await (const chunk of session.raw()) raw.push(chunk);
    const bytes = Buffer.concat(raw);
    assert.ok([STREAM_STDOUT, STREAM_STDERR].includes(bytes[0]!));
    assert.deepEqual([...bytes.subarray(1, 4)], [0, 0, 0]);
    let stdout = '';
    let stderr = '';
    for (let at = 0; at < bytes.length; ) {
      const length = bytes.readUInt32BE(at + 4);
      const data = bytes.subarray(at + 8, at + 8 + length).toString();
      if (bytes[at] === STREAM_STDOUT) stdout += data;
      else stderr += data;
      at += 8 + length;
    }
    assert.deepEqual([stdout, stderr], ['one\nthree\n', 'two\n']);
    assert.equal((await waitExit(started.exitFile)).exitCode, 0, 'EOF comes after the exit record');
  });

  it('feeds stdin from attach frames: cat echoes, close-stdin ends it', async () => {
    const c = await fx.container('cat', ['cat'], { stdin: true });
    const started = await run(c);
    const session = await attach(started.attachSocket);
    const output = collectOutput(session);
    session.writeStdin('hello\n');
    session.writeStdin(Buffer.from('world\n'));
    await until(async () => (await readFile(c.logPath!, 'utf8').catch(() => '')).includes('world'));
    session.closeStdin();
    const exit = await waitExit(started.exitFile);
    assert.equal(exit.exitCode, 0);
    assert.equal((await output).stdout, 'hello\nworld\n');
  });

  it('with stdinOnce, closes stdin when the first client detaches', async () => {
    const c = await fx.container('once', ['cat'], { stdin: true });
    const started = await run({ ...c, stdinOnce: true });
    const session = await attach(started.attachSocket);
    session.writeStdin('bye\n');
    await until(async () => (await readFile(c.logPath!, 'utf8').catch(() => '')).includes('bye'));
    session.close();
    assert.equal((await waitExit(started.exitFile)).exitCode, 0);
  });

  it('drops a client that does not read instead of blocking the container', async () => {
    const c = await fx.container('flood', ['sh', '-c', 'head -c 4000000 /dev/zero; echo done']);
    const started = await startContainer({ ...c, logPath: undefined });
    const slow = await attach(started.attachSocket);
    slow.socket.pause();
    const fast = await attach(started.attachSocket);
    const output = collectOutput(fast);
    await fx.runtime.start(c.id);
    assert.equal((await waitExit(started.exitFile)).exitCode, 0);
    const { stdout } = await output;
    assert.equal(stdout.length, 4000000 + 'done\n'.length);
    const log = await readFile(join(started.stateDir, 'monitor.log'), 'utf8');
    assert.match(log, /attach client dropped: \d+ bytes unread and none taken for 1000 ms/);
    slow.close();
  });

  it("gives a tty container a pty: /dev/pts/0, sized by a resize sent before start", async () => {
    const c = await fx.container('tty', ['sh', '-c', 'tty; stty size'], { tty: true });
    const started = await startContainer(c);
    const session = await attach(started.attachSocket);
    session.resize(33, 101);
    const output = collectOutput(session);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await fx.runtime.start(c.id);
    const { stdout, stderr } = await output;
    assert.equal(stderr, '', 'a tty has one stream');
    assert.equal(stdout, '/dev/pts/0\r\n33 101\r\n');
    assert.equal((await waitExit(started.exitFile)).exitCode, 0);
    const logged = (await readFile(c.logPath!, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { log: string; stream: string });
    assert.deepEqual(logged.map((e) => [e.log, e.stream]), [['/dev/pts/0\r\n', 'stdout'], ['33 101\r\n', 'stdout']]);
  });

  it('a tty container with stdin: input is written to the pty; close-stdin sends EOF', async () => {
    const c = await fx.container('ttycat', ['cat'], { tty: true, stdin: true });
    const started = await run(c);
    const session = await attach(started.attachSocket);
    const output = collectOutput(session);
    session.writeStdin('ping\n');
    await until(async () => (await readFile(c.logPath!, 'utf8').catch(() => '')).split('ping').length >= 3);
    session.closeStdin();
    assert.equal((await waitExit(started.exitFile)).exitCode, 0);
    assert.equal((await output).stdout, 'ping\r\nping\r\n', 'the echo of the line discipline, then cat');
  });

  it('runs an exec that waits for its attach client: output, then the exit code', async () => {
    const c = await fx.container('execbox', ['sleep', '1000']);
    await run(c);
    const proc = await fx.processOf(c);
    const exec = await startExec({
      id: c.id,
      execId: 'e1',
      process: { ...proc, args: ['sh', '-c', 'echo out; echo err >&2; exit 3'] },
      stateDir: fx.stateDir,
      waitAttach: true,
      runtime: c.runtime!,
    });
    assert.equal(exec.pid, undefined, 'not started before the client attaches');
    const { stdout, stderr } = await collectOutput(await attach(exec.attachSocket));
    assert.deepEqual([stdout, stderr], ['out\n', 'err\n']);
    assert.deepEqual(await waitExit(exec.exitFile).then((e) => [e.exitCode, e.error]), [3, undefined]);

    const tty = await startExec({ id: c.id, execId: 'e2', process: { ...proc, args: ['tty'] }, stateDir: fx.stateDir, tty: true, waitAttach: true, runtime: c.runtime! });
    assert.match((await collectOutput(await attach(tty.attachSocket))).stdout, /^\/dev\/pts\/\d+\r\n$/);

    const bad = await startExec({ id: c.id, execId: 'e3', process: { ...proc, args: ['nope'] }, stateDir: fx.stateDir, waitAttach: true, runtime: c.runtime! });
    await collectOutput(await attach(bad.attachSocket));
    const failed = await waitExit(bad.exitFile);
    assert.equal(failed.exitCode, 127);
    assert.match(failed.error ?? '', /executable file not found/);

    await assert.rejects(
      startExec({ id: c.id, execId: 'e4', process: { ...proc, args: ['nope'] }, stateDir: fx.stateDir, runtime: c.runtime! }),
      /^MobyError: OCI runtime exec failed: .*"nope": executable file not found/,
    );
    const found = (await reattach(fx.stateDir)).find((f) => f.record.id === c.id);
    assert.deepEqual(found?.execs.map((e) => [e.record.execId, e.exit?.exitCode]), [['e1', 3], ['e2', 0], ['e3', 127]]);

    const orphan = await startExec({ id: c.id, execId: 'e5', process: { ...proc, args: ['true'] }, stateDir: fx.stateDir, waitAttach: true, runtime: c.runtime! });
    await fx.runtime.kill(c.id, 'KILL');
    const gone = await waitExit(orphan.exitFile);
    assert.deepEqual([gone.exitCode, gone.error], [126, `container ${c.id} is not running`], 'an exec nobody attached to ends with its container');
    await until(async () => !(await isMonitor(orphan.monitorPid, c.id)));
  });

  it('keeps a container running after the process that started it exits; reattach finds it; its monitor is small', async (t) => {
    const c = await fx.container('survivor', ['sleep', '1000']);
    const started = await startFromChildProcess(c, fx.dir);
    assert.ok(await isMonitor(started.monitorPid, c.id), 'the monitor outlived its starter');
    const found = (await reattach(fx.stateDir)).find((f) => f.record.id === c.id);
    assert.equal(found?.monitorAlive, true);
    assert.equal(found?.state?.status, 'running');
    assert.equal(found?.state?.pid, started.pid);
    assert.equal(found?.record.pid, started.pid);
    assert.equal(found?.record.monitorPid, started.monitorPid);

    const rollup = await readFile(`/proc/${started.monitorPid}/smaps_rollup`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1]);
    const line = `moby-monitor holding sleep 1000: Pss ${kib('Pss')} KiB (Pss_Anon ${kib('Pss_Anon')}, Pss_File ${kib('Pss_File')}), Rss ${kib('Rss')} KiB, Private ${kib('Private_Clean') + kib('Private_Dirty')} KiB`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(kib('Pss') <= 512, line);

    await fx.runtime.kill(c.id, 'SIGKILL');
    const exit = await waitExit(found!.record.exitFile);
    assert.deepEqual([exit.exitCode, exit.signal], [137, 9]);
    const gone = (await reattach(fx.stateDir)).find((f) => f.record.id === c.id);
    assert.equal(gone?.state, undefined);
    assert.equal(gone?.exit?.exitCode, 137);
    await until(async () => !(await isMonitor(started.monitorPid, c.id)));
  });

  it('rotates the json-file log as Docker does: max-size per file, max-file files in all', async () => {
    const c = await fx.container('rotate', ['sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done']);
    const started = await run({ ...c, logMaxSize: 2000, logMaxFiles: 3 });
    await waitExit(started.exitFile);
    const base = c.logPath!.split('/').pop()!;
    const files = (await readdir(fx.dir)).filter((f) => f.startsWith(base)).sort();
    assert.deepEqual(files, [base, `${base}.1`, `${base}.2`]);
    const numbers: number[] = [];
    for (const f of [`${base}.2`, `${base}.1`, base]) {
      const text = await readFile(join(fx.dir, f), 'utf8');
      const entries = text.trim().split('\n');
      // A file is rotated once it has reached max-size: it exceeds it by less than one entry.
      if (f !== base) assert.ok(text.length >= 2000 && text.length - entries.at(-1)!.length - 1 < 2000, `${f}: ${text.length}`);
      numbers.push(...entries.map((l) => Number(/line-(\d+)/.exec(l)![1])));
    }
    assert.equal(numbers.at(-1), 299);
    assert.deepEqual(numbers, numbers.map((_, i) => numbers[0]! + i), 'consecutive lines across the files');
  });

  it("fails with the runtime's words for an unknown executable, a bad bundle or runtime, leaving nothing behind", async () => {
    const c = await fx.container('noexec', ['ls']);
    await assert.rejects(startContainer(c), (err: Error & { kind?: string }) => {
      assert.match(err.message, /^OCI runtime create failed: .*exec: "ls": executable file not found in \$PATH/);
      assert.equal(err.kind, 'invalid-argument');
      return true;
    });
    await assert.rejects(startContainer({ ...c, id: `${c.id}-b`, bundle: join(fx.dir, 'no-bundle') }), /^MobyError: OCI runtime create failed: .*no-bundle/);
    await assert.rejects(startContainer({ ...c, id: `${c.id}-r`, runtime: { binary: '/nonexistent/runc' } }), (err: Error & { kind?: string }) => {
      assert.equal(err.message, 'OCI runtime create failed: exec /nonexistent/runc: No such file or directory');
      return true;
    });
    for (const id of [c.id, `${c.id}-b`, `${c.id}-r`]) {
      assert.equal(await exists(join(fx.stateDir, id)), false);
      assert.deepEqual(await monitorsOf(id), [], 'no monitor left');
    }
    assert.ok(!(await fx.runtime.list()).some((s) => s.id === c.id));
  });
});

/** Creates and starts the container from a separate Node process that exits right after. */
async function startFromChildProcess(c: StartContainerOptions, dir: string): Promise<{ pid: number; monitorPid: number }> {
  const script = join(dir, 'start-child.mjs');
  const start = new URL('./start-container.js', import.meta.url).href;
  const runtime = new URL('./oci-runtime.js', import.meta.url).href;
  await writeFile(
    script,
    `import { startContainer } from ${JSON.stringify(start)};\nimport { OciRuntime } from ${JSON.stringify(runtime)};\n` +
      `const c = ${JSON.stringify(c)};\nconst started = await startContainer(c);\nawait new OciRuntime(c.runtime).start(c.id);\nconsole.log(JSON.stringify(started));\n`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `starter exited with ${code}`);
  return JSON.parse(out) as { pid: number; monitorPid: number };
}

/** Live moby-monitor processes for container `id`, found by command line. */
async function monitorsOf(id: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (await isMonitor(Number(name), id)) pids.push(Number(name));
  }
  return pids;
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
