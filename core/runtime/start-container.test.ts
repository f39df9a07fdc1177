import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitExit } from './exit-record.js';
import { isMonitor, reattach } from './reattach.js';
import { RuntimeFixture, until } from './runtime-fixture.js';
import { startContainer, type StartContainerOptions } from './start-container.js';

const runnable = process.getuid?.() === 0 && (await exists('/usr/sbin/runc')) && (await exists('/bin/busybox'));
const skip = runnable ? false : 'needs root, runc and busybox';

describe('startContainer under a monitor, with real runc', { skip, timeout: 120_000 }, () => {
  const fx = new RuntimeFixture();
  before(() => fx.setUp(['sh', 'echo', 'sleep']));
  after(() => fx.cleanup());

  it('writes the output to a json-file log and records exit code 0', async () => {
    const c = await fx.container('echo', ['sh', '-c', 'echo hi; echo oops >&2']);
    const { pid, monitorPid } = await startContainer(c);
    assert.ok(pid > 0 && monitorPid > 0 && pid !== monitorPid);
    const exit = await waitExit(c.exitFile);
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.signal, undefined);
    assert.match(exit.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const lines = (await readFile(c.logPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const sorted = lines.sort((a, b) => a.stream!.localeCompare(b.stream!));
    assert.deepEqual(sorted.map(({ log, stream }) => ({ log, stream })), [
      { log: 'oops\n', stream: 'stderr' },
      { log: 'hi\n', stream: 'stdout' },
    ]);
    assert.match(lines[0]!.time!, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.deepEqual(await fx.runtime.list(), [], 'the monitor deleted the container before recording the exit');
  });

  it('records the exit code of the command', async () => {
    const c = await fx.container('exit7', ['sh', '-c', 'exit 7']);
    await startContainer(c);
    assert.equal((await waitExit(c.exitFile)).exitCode, 7);
  });

  it('keeps a container running after the process that started it exits; a fresh reattach finds it', async () => {
    const c = await fx.container('survivor', ['sleep', '1000']);
    const started = await startFromChildProcess(c, fx.dir);
    assert.ok(await isMonitor(started.monitorPid, c.id), 'the monitor outlived its starter');
    const found = (await reattach(fx.stateDir)).find((f) => f.record.id === c.id);
    assert.equal(found?.record.id, c.id);
    assert.equal(found?.monitorAlive, true);
    assert.equal(found?.state?.status, 'running');
    assert.equal(found?.state?.pid, started.pid);
    assert.equal(found?.record.pid, started.pid);
    await fx.runtime.kill(c.id, 'SIGKILL');
    const exit = await waitExit(c.exitFile);
    assert.deepEqual([exit.exitCode, exit.signal], [137, 'SIGKILL']);
    const gone = (await reattach(fx.stateDir)).find((f) => f.record.id === c.id);
    assert.equal(gone?.state, undefined);
    assert.equal(gone?.exit?.exitCode, 137);
    await until(async () => !(await isMonitor(started.monitorPid, c.id)));
  });

  it('records 143 when SIGTERM ends the command (sh waits on a killed sleep)', async () => {
    const c = await fx.container('term', ['sh', '-c', 'sleep 1000 & wait $!']);
    await startContainer(c);
    await until(async () => (await fx.runtime.ps(c.id)).length === 2);
    await fx.runtime.kill(c.id, 'SIGTERM', { all: true });
    assert.equal((await waitExit(c.exitFile)).exitCode, 143);
  });

  it("fails with the runtime's words for an unknown executable and leaves nothing behind", async () => {
    const c = await fx.container('noexec', ['ls']);
    await assert.rejects(startContainer(c), (err: Error & { kind?: string }) => {
      assert.match(err.message, /^OCI runtime create failed: .*exec: "ls": executable file not found in \$PATH/);
      assert.equal(err.kind, 'invalid-argument');
      return true;
    });
    assert.equal(await exists(join(fx.stateDir, c.id)), false);
    assert.equal(await exists(c.exitFile), false);
    assert.ok(!(await fx.runtime.list()).some((s) => s.id === c.id));
  });
});

/** Starts the container from a separate Node process that exits right after. */
async function startFromChildProcess(c: StartContainerOptions, dir: string): Promise<{ pid: number; monitorPid: number }> {
  // Compiled (dist/, plain node) or from source (tsx): the starter imports the same kind of file.
  const compiled = import.meta.url.endsWith('.js');
  const script = join(dir, compiled ? 'start-child.mjs' : 'start-child.mts');
  const module = new URL(compiled ? './start-container.js' : './start-container.ts', import.meta.url).href;
  await writeFile(script, `import { startContainer } from ${JSON.stringify(module)};\nconsole.log(JSON.stringify(await startContainer(${JSON.stringify(c)})));\n`);
  const child = spawn(process.execPath, [...process.execArgv, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `starter exited with ${code}`);
  return JSON.parse(out) as { pid: number; monitorPid: number };
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
