import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { filesystemName, filesystemNameOf } from './filesystem-name.js';

test('filesystemNameOf names filesystems as Docker does and "<unknown>" otherwise', () => {
  assert.equal(filesystemNameOf(0xef53), 'extfs');
  assert.equal(filesystemNameOf(0x58465342), 'xfs');
  assert.equal(filesystemNameOf(0x12345), '<unknown>');
});

test('filesystemName examines an existing path and says "<unknown>" for a missing one', async () => {
  assert.notEqual(await filesystemName(tmpdir()), '');
  assert.equal(await filesystemName('/nonexistent/moby-test-path'), '<unknown>');
});
