import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { exitStatus, reap, spawnFast } from './spawn.js';

function text(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stream.on('close', () => resolve(out));
  });
}

describe('spawnFast', () => {
  it('runs a program with piped stdout and stderr and reports its exit code', async () => {
    const child = spawnFast('/bin/sh', ['sh', '-c', 'echo out; echo err >&2; exit 3'], { stdio: ['null', 'pipe', 'pipe'] });
    const [out, err] = await Promise.all([text(child.pipes[1]!), text(child.pipes[2]!)]);
    assert.equal(out, 'out\n');
    assert.equal(err, 'err\n');
    assert.deepEqual(await exitStatus(child.pid), { code: 3, signal: null });
  });

  it('resets signal dispositions and the mask, so that the child can be killed and is reaped', async () => {
    // Node ignores SIGPIPE: the child must not inherit that (`trap` prints nothing when nothing is ignored).
    const traps = spawnFast('/bin/sh', ['sh', '-c', 'trap'], { stdio: ['null', 'pipe', 'null'] });
    assert.equal(await text(traps.pipes[1]!), '');
    await exitStatus(traps.pid);
    const sleeper = spawnFast('/bin/sleep', ['sleep', '30'], { stdio: ['null', 'null', 'null'], setsid: true });
    assert.equal(reap(sleeper.pid), undefined);
    process.kill(sleeper.pid, 'SIGTERM');
    assert.deepEqual(await exitStatus(sleeper.pid), { code: null, signal: 15 });
  });

  it('throws ENOENT for a missing program', () => {
    assert.throws(() => spawnFast('/nonexistent/program', ['program'], { stdio: ['null', 'null', 'null'] }), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  });
});
