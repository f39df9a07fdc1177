import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exitFromWaitStatus, readExitRecord, waitExit, writeExitRecord } from './exit-record.js';

describe('exit records', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'moby-exit-'))));
  after(() => rm(dir, { recursive: true, force: true }));
  const at = new Date('2026-01-02T03:04:05.000Z');

  it('exitFromWaitStatus decodes a normal exit and a death by signal as Docker numbers them', () => {
    assert.deepEqual(exitFromWaitStatus(7 << 8, at), { exitCode: 7, finishedAt: '2026-01-02T03:04:05.000Z' });
    assert.deepEqual(exitFromWaitStatus(9, at), { exitCode: 137, signal: 'SIGKILL', finishedAt: '2026-01-02T03:04:05.000Z' });
    assert.deepEqual(exitFromWaitStatus(15 | 0x80, at), { exitCode: 143, signal: 'SIGTERM', finishedAt: '2026-01-02T03:04:05.000Z' });
  });

  it('waitExit resolves with a record written after the call, and at once with one already there', async () => {
    const file = join(dir, 'c.exit');
    assert.equal(await readExitRecord(file), undefined);
    const waiting = waitExit(file);
    await writeExitRecord(file, { exitCode: 3, finishedAt: at.toISOString() });
    assert.equal((await waiting).exitCode, 3);
    assert.equal((await waitExit(file)).exitCode, 3);
  });
});
