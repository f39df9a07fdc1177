import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { mergeTmpfsOptions, tmpfsMountOptions } from './tmpfs-options.js';

describe('mergeTmpfsOptions', () => {
  it('lets a later flag override its opposite and a later value the earlier one', () => {
    assert.deepEqual(mergeTmpfsOptions(['noexec', 'size=1m', 'exec', 'size=2m']), ['exec', 'size=2m']);
  });

  it('keeps one propagation mode and drops "defaults"', () => {
    assert.deepEqual(mergeTmpfsOptions(['rprivate', 'defaults', 'shared']), ['shared']);
  });

  it('refuses an option tmpfs does not take', () => {
    assert.throws(() => mergeTmpfsOptions(['size=1m', 'uid']), (err) => isKind(err, 'invalid-argument'));
    assert.throws(() => mergeTmpfsOptions(['foo=bar']), /Invalid tmpfs option "foo=bar"/);
  });
});

describe('tmpfsMountOptions', () => {
  it("starts from Docker's noexec,nosuid,nodev,rprivate", () => {
    assert.deepEqual(tmpfsMountOptions(''), ['noexec', 'nosuid', 'nodev', 'rprivate']);
    assert.deepEqual(tmpfsMountOptions('mode=1777,suid'), ['noexec', 'nodev', 'rprivate', 'mode=1777', 'suid']);
  });
});
