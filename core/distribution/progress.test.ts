import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteProgress, humanSize, progressText, shortId, type JsonMessage } from './progress.js';

test('humanSize writes sizes as go-units does', () => {
  assert.deepEqual([0, 527, 999, 1000, 1800, 1_234_567, 2_097_152, 999_999, 5e9].map(humanSize),
    ['0B', '527B', '999B', '1kB', '1.8kB', '1.235MB', '2.097MB', '1000kB', '5GB']);
});

test('progressText draws the daemon\'s 50-character bar and sizes', () => {
  assert.equal(progressText(1_048_576, 2_097_152), `[${'='.repeat(25)}>${' '.repeat(25)}]  1.049MB/2.097MB`);
  assert.equal(progressText(2_097_152, 2_097_152), `[${'='.repeat(50)}>]  2.097MB/2.097MB`);
  assert.equal(progressText(0, 100), `[>${' '.repeat(50)}]       0B/100B`);
  assert.equal(progressText(0, 0), '');
  assert.equal(progressText(300, 100), `[${'='.repeat(50)}>]     300B`);
});

test('ByteProgress reports every 512 KiB and at the end, in Docker\'s message shape', () => {
  const seen: JsonMessage[] = [];
  const progress = new ByteProgress((m) => seen.push(m), 'Downloading', 'abc', 1_200_000);
  for (let i = 0; i < 12; i++) progress.advance(100_000);
  progress.finish();
  assert.deepEqual(seen.map((m) => m.progressDetail?.current), [600_000, 1_200_000]);
  assert.deepEqual(Object.keys(seen[0]!), ['status', 'progressDetail', 'progress', 'id']);
  assert.equal(shortId('sha256:0123456789abcdef0123'), '0123456789ab');
});
