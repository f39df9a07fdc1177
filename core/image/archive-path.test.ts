import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { archivePath, blobPath, digestInName, symlinkTarget } from './archive-path.js';

const hex = 'ab'.repeat(32);

describe('archivePath', () => {
  it('normalises ./, repeated and trailing slashes', () => {
    assert.equal(archivePath('./a//b/./c/'), 'a/b/c');
    assert.equal(archivePath('./'), '');
  });

  it('refuses .., absolute names and NUL bytes', () => {
    assert.throws(() => archivePath('a/../b'), { kind: 'invalid-argument', message: 'archive entry "a/../b" has a ".." component' });
    assert.throws(() => archivePath('/a'), { kind: 'invalid-argument' });
    assert.throws(() => archivePath('a\0b'), { kind: 'invalid-argument' });
  });
});

describe('symlinkTarget', () => {
  it('resolves relative targets from the link\'s directory while they stay inside', () => {
    assert.equal(symlinkTarget('a/layer.tar', '../b/layer.tar'), 'b/layer.tar');
    assert.equal(symlinkTarget('a/b/x', './y'), 'a/b/y');
  });

  it('refuses targets that leave the archive', () => {
    assert.throws(() => symlinkTarget('a/x', '../../y'), { kind: 'invalid-argument' });
    assert.throws(() => symlinkTarget('x', '/etc/passwd'), { kind: 'invalid-argument' });
  });
});

describe('digestInName', () => {
  it('reads OCI blob paths for any file and Docker config names for configs only', () => {
    assert.equal(digestInName(`blobs/sha256/${hex}`), `sha256:${hex}`);
    assert.equal(digestInName(`${hex}.json`), undefined);
    assert.equal(digestInName(`${hex}.json`, true), `sha256:${hex}`);
    assert.equal(digestInName(`sha256:${hex}`, true), `sha256:${hex}`);
    assert.equal(digestInName('config.json', true), undefined);
    assert.equal(blobPath(`sha256:${hex}`), `blobs/sha256/${hex}`);
  });
});
