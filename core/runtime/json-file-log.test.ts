import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonFileLog } from './json-file-log.js';

describe('JsonFileLog', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'moby-jsonlog-'))));
  after(() => rm(dir, { recursive: true, force: true }));
  const clock = () => new Date('2026-01-02T03:04:05.678Z');

  it("writes one Docker json-file entry per line, holding partial lines until their newline or the end", async () => {
    const path = join(dir, 'a.log');
    const log = new JsonFileLog(path, clock);
    log.write('stdout', Buffer.from('hi\nha'));
    log.write('stderr', 'err\n');
    log.write('stdout', Buffer.from('lf\nno newline'));
    await log.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    assert.deepEqual(lines, [
      '{"log":"hi\\n","stream":"stdout","time":"2026-01-02T03:04:05.678Z"}',
      '{"log":"err\\n","stream":"stderr","time":"2026-01-02T03:04:05.678Z"}',
      '{"log":"half\\n","stream":"stdout","time":"2026-01-02T03:04:05.678Z"}',
      '{"log":"no newline","stream":"stdout","time":"2026-01-02T03:04:05.678Z"}',
    ]);
  });

  it('keeps a UTF-8 character split across chunks whole, and cuts entries at 16 KiB', async () => {
    const path = join(dir, 'b.log');
    const log = new JsonFileLog(path, clock);
    const euro = Buffer.from('€\n');
    log.write('stdout', euro.subarray(0, 1));
    log.write('stdout', euro.subarray(1));
    log.write('stdout', 'x'.repeat(16 * 1024 + 1));
    await log.close();
    const entries = (await readFile(path, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { log: string }).log);
    assert.deepEqual(entries, ['€\n', 'x'.repeat(16 * 1024), 'x']);
  });
});
