import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../lib/errdefs/index.js';
import { pathMatch } from './path-match.js';

test('pathMatch matches as Go\'s path.Match: * and ? stop at /, classes, escapes', () => {
  const cases: [string, string, boolean][] = [
    ['busy*', 'busybox:latest', true],
    ['busy*', 'library/busybox', false],
    ['*/*', 'user/app', true],
    ['b?sybox', 'busybox', true],
    ['b?sybox', 'b/sybox', false],
    ['[a-c]pp', 'app', true],
    ['[^a-c]pp', 'app', false],
    ['[^a-c]pp', 'zpp', true],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['*:1', 'app:1', true],
    ['[z-a]', 'q', false],
    ['a.b', 'axb', false],
  ];
  for (const [pattern, name, want] of cases) assert.equal(pathMatch(pattern, name), want, `${pattern} ~ ${name}`);
});

test('pathMatch refuses a malformed pattern with Go\'s message', () => {
  for (const pattern of ['[x', 'a\\', '[]', '[a-]']) {
    assert.throws(() => pathMatch(pattern, 'x'), (e: Error) => isKind(e, 'invalid-argument') && e.message === 'syntax error in pattern', pattern);
  }
});
