/**
 * readLogs on the files the real writer makes: a busybox container under moby-monitor and runc,
 * its json-file log rotated every 2000 bytes (max-file 3), followed while it writes.
 */
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { waitExit } from '../runtime/exit-record.js';
import { RuntimeFixture } from '../runtime/runtime-fixture.js';
import { startContainer } from '../runtime/start-container.js';
import { readLogs } from './json-file-reader.js';

const exists = (p: string) => access(p).then(() => true, () => false);
const runnable = process.getuid?.() === 0 && (await exists('/usr/sbin/runc')) && (await exists('/bin/busybox'));
const skip = runnable ? false : 'needs root, runc and busybox';

describe('readLogs on a log written by moby-monitor', { skip, timeout: 120_000 }, () => {
  const fx = new RuntimeFixture();
  before(() => fx.setUp(['sh', 'echo', 'sleep']));
  after(() => fx.cleanup());

  it('follows through rotations without losing or repeating a line, then reads the last files with tail', async () => {
    const script = 'i=0; while [ $i -lt 150 ]; do echo "line-$i <&> \\"q\\""; echo "err-$i" >&2; i=$((i+1)); sleep 0.01; done';
    const c = await fx.container('logs-follow', ['sh', '-c', script]);
    const started = await startContainer({ ...c, logMaxSize: 2000, logMaxFiles: 3 });
    const exited = waitExit(started.exitFile);
    const seen: string[] = [];
    const following = (async () => {
      for await (const e of readLogs(c.logPath!, { follow: true, followUntil: exited.then(() => undefined), pollIntervalMs: 20 })) {
        seen.push(`${e.stream} ${e.line.toString()}`);
      }
    })();
    await fx.runtime.start(c.id);
    assert.equal((await exited).exitCode, 0);
    await following;
    const expected: string[] = [];
    for (let i = 0; i < 150; i++) expected.push(`stdout line-${i} <&> "q"\n`, `stderr err-${i}\n`);
    // stdout and stderr are separate pipes: compare each stream's order.
    assert.deepEqual(seen.filter((s) => s.startsWith('stdout')), expected.filter((s) => s.startsWith('stdout')));
    assert.deepEqual(seen.filter((s) => s.startsWith('stderr')), expected.filter((s) => s.startsWith('stderr')));

    // Afterwards only the last three files are left; tail counts back across them.
    const tail: string[] = [];
    for await (const e of readLogs(c.logPath!, { tail: 4 })) tail.push(e.line.toString());
    assert.equal(tail.length, 4);
    assert.deepEqual(tail.filter((l) => l.startsWith('line-')), ['line-148 <&> "q"\n', 'line-149 <&> "q"\n']);
  });
});
