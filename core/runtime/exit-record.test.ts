import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readExitRecord, signalName, waitExit } from './exit-record.js';

describe('exit records', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'moby-exit-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('waitExit resolves with a record written (by rename, as the monitor does) after the call, and at once with one already there', async () => {
    const file = join(dir, 'exit.json');
    assert.equal(await readExitRecord(file), undefined);
    const waiting = waitExit(file);
    await writeFile(`${file}.tmp`, '{"exitCode":137,"signal":9,"finishedAt":"2026-01-02T03:04:05.1Z"}\n');
    await rename(`${file}.tmp`, file);
    assert.deepEqual(await waiting, { exitCode: 137, signal: 9, finishedAt: '2026-01-02T03:04:05.1Z' });
    assert.equal((await waitExit(file)).exitCode, 137);
  });

  it('names signals', () => {
    assert.equal(signalName(9), 'SIGKILL');
    assert.equal(signalName(15), 'SIGTERM');
    assert.equal(signalName(999), undefined);
  });
});
