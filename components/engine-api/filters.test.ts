import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKind } from '../../lib/errdefs/errdefs.js';
import { parseFilters } from './filters.js';

test('parseFilters reads the map form {"key":{"value":true}}', () => {
  const f = parseFilters('{"label":{"a=b":true,"c":true},"dangling":{"true":true}}');
  assert.deepEqual(f.keys(), ['label', 'dangling']);
  assert.deepEqual(f.get('label'), ['a=b', 'c']);
  assert.equal(f.has('dangling'), true);
});

test('parseFilters reads the legacy list form {"key":["value"]} the same way', () => {
  const f = parseFilters('{"label":["a=b","c"]}');
  assert.deepEqual(f.get('label'), ['a=b', 'c']);
});

test('parseFilters treats a missing, empty or null parameter as no filters', () => {
  for (const raw of [null, undefined, '', 'null']) assert.deepEqual(parseFilters(raw).keys(), []);
});

test('parseFilters refuses malformed JSON and wrong shapes as invalid-argument', () => {
  for (const raw of ['{', '[]', '"x"', '{"label":"a"}', '{"label":{"a":"yes"}}', '{"label":[1]}']) {
    assert.throws(() => parseFilters(raw), (err) => isKind(err, 'invalid-argument'), raw);
  }
});

test('Filters.get returns [] for an absent key', () => {
  assert.deepEqual(parseFilters('{}').get('name'), []);
});

test('Filters.exactMatch passes everything when the key is absent and only listed values otherwise', () => {
  const f = parseFilters('{"name":{"web":true}}');
  assert.equal(f.exactMatch('id', 'anything'), true);
  assert.equal(f.exactMatch('name', 'web'), true);
  assert.equal(f.exactMatch('name', 'web2'), false);
});

test('Filters.fuzzyMatch also accepts a value that prefixes the source', () => {
  const f = parseFilters('{"id":{"abc":true}}');
  assert.equal(f.fuzzyMatch('id', 'abcdef'), true);
  assert.equal(f.fuzzyMatch('id', 'xabc'), false);
  assert.equal(f.fuzzyMatch('name', 'x'), true);
});

test('Filters.validate names the first filter that is not accepted', () => {
  const f = parseFilters('{"label":{"a":true},"bogus":{"b":true}}');
  f.validate(['label', 'bogus']);
  assert.throws(
    () => f.validate(['label']),
    (err: Error) => isKind(err, 'invalid-argument') && err.message === "invalid filter 'bogus'",
  );
});
