import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { chainId, chainIds } from './chain-id.js';

// Expected values computed with sha256sum: printf 'sha256:aaa sha256:bbb' | sha256sum
const ab = 'sha256:56efb1d4f6c79b745d37d6eff87e3ed8dd2be28104e124ba73fd6e6c4892c792';
const abc = 'sha256:5f37250437ffd4d0a708296d64527afcea82547c8f3683aed2e2e1abbc1999c2';

test('chainId of one layer is its diff id', () => {
  assert.equal(chainId(['sha256:aaa']), 'sha256:aaa');
});

test('chainId hashes the parent chain id, a space and the diff id', () => {
  assert.equal(chainId(['sha256:aaa', 'sha256:bbb']), ab);
  assert.equal(chainId(['sha256:aaa', 'sha256:bbb', 'sha256:ccc']), abc);
});

test('chainIds returns the chain id of every prefix', () => {
  assert.deepEqual(chainIds(['sha256:aaa', 'sha256:bbb', 'sha256:ccc']), ['sha256:aaa', ab, abc]);
});

test('chainId refuses an empty list and values that are not digests', () => {
  assert.throws(() => chainId([]), (err: unknown) => isKind(err, 'invalid-argument'));
  assert.throws(() => chainId(['sha256:aaa', 'not a digest']), (err: unknown) => isKind(err, 'invalid-argument'));
});
