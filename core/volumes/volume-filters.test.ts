import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listPredicate, prunePredicate, type FilterSubject } from './volume-filters.js';

const vol = (Name: string, Labels: Record<string, string> | null = null, inUse = false): FilterSubject => ({ Name, Driver: 'local', Labels, inUse });

describe('listPredicate', () => {
  it('matches name as Docker\'s unanchored regular expression, an invalid one matching only itself', () => {
    assert.equal(listPredicate({ name: ['^web'] })(vol('web-1')), true);
    assert.equal(listPredicate({ name: ['^web'] })(vol('my-web')), false);
    assert.equal(listPredicate({ name: ['a('] })(vol('a(')), true);
    assert.equal(listPredicate({ name: ['a('] })(vol('ab')), false);
  });

  it('refuses dangling without a value or with both values', () => {
    assert.throws(() => listPredicate({ dangling: [] }), { message: "invalid filter 'dangling'" });
    assert.throws(() => listPredicate({ dangling: ['true', 'false'] }), { message: "invalid filter 'dangling=true,false'" });
  });
});

describe('prunePredicate', () => {
  it('keeps to anonymous volumes unless all is true, and never takes one in use', () => {
    const anon = vol('a', { 'com.docker.volume.anonymous': '' });
    assert.equal(prunePredicate()(anon), true);
    assert.equal(prunePredicate()(vol('named')), false);
    assert.equal(prunePredicate({ all: ['false'] })(vol('named')), false);
    assert.equal(prunePredicate({ all: ['true'] })(vol('named')), true);
    assert.equal(prunePredicate({ all: ['true'] })(vol('named', null, true)), false);
  });

  it('excludes by label! only when every label! pair matches (Docker\'s MatchKVList)', () => {
    const p = prunePredicate({ all: ['1'], 'label!': ['a', 'b=2'] });
    assert.equal(p(vol('x', { a: '1', b: '2' })), false);
    assert.equal(p(vol('y', { a: '1' })), true);
  });

  it('wants exactly one all value', () => {
    assert.throws(() => prunePredicate({ all: ['1', '0'] }), { message: "invalid filter 'all=[1 0]': only one value is expected" });
    assert.throws(() => prunePredicate({ all: ['yes'] }), { message: `invalid filter 'all': strconv.ParseBool: parsing "yes": invalid syntax` });
  });
});
