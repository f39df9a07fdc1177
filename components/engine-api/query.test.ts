import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boolValue, boolValueOrDefault } from './query.js';

test('boolValue is false only for a missing key, "", "0", "no", "false", "none" in any case', () => {
  const q = new URLSearchParams('a=&b=0&c=no&d=FALSE&e=None&f=%20false%20');
  for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'missing']) assert.equal(boolValue(q, key), false, key);
});

test('boolValue is true for 1, true, docker-py\'s True and any other value', () => {
  const q = new URLSearchParams('a=1&b=true&c=True&d=yes&e=anything');
  for (const key of ['a', 'b', 'c', 'd', 'e']) assert.equal(boolValue(q, key), true, key);
});

test('boolValueOrDefault uses the default only when the key is missing or empty', () => {
  const q = new URLSearchParams('set=0&empty=');
  assert.equal(boolValueOrDefault(q, 'missing', true), true);
  assert.equal(boolValueOrDefault(q, 'empty', true), true);
  assert.equal(boolValueOrDefault(q, 'set', true), false);
});
