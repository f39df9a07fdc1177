import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { upperDirOf } from './upper-dir.js';

test('upperDirOf finds the overlay upperdir and the source of a writable bind', () => {
  assert.equal(upperDirOf([{ type: 'overlay', source: 'overlay', options: ['workdir=/s/2/work', 'upperdir=/s/2/fs', 'lowerdir=/s/1/fs'] }]), '/s/2/fs');
  assert.equal(upperDirOf([{ type: 'bind', source: '/s/1/fs', options: ['rw', 'rbind'] }]), '/s/1/fs');
});

test('upperDirOf refuses read-only mounts', () => {
  for (const mounts of [
    [{ type: 'bind', source: '/s/1/fs', options: ['ro', 'rbind'] }],
    [{ type: 'overlay', source: 'overlay', options: ['lowerdir=/s/2/fs:/s/1/fs'] }],
    [],
  ]) {
    assert.throws(() => upperDirOf(mounts), (e: unknown) => isKind(e, 'failed-precondition'));
  }
});
