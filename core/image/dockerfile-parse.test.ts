import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInstructions, parseJsonArray, parseWords, splitInstruction, splitWhitespace } from './dockerfile-parse.js';

describe('parseInstructions', () => {
  it('joins continuation lines and drops comments and blank lines', () => {
    const parsed = parseInstructions('# c\nENV A=1 \\\n  # inside\n\n  B=2\n\n  cmd  x  \r\n');
    assert.deepEqual(parsed.map((i) => [i.name, i.rest]), [['ENV', 'A=1   B=2'], ['cmd', 'x']]);
  });

  it('refuses text without instructions', () => {
    assert.throws(() => parseInstructions('# only a comment\n\n'), { kind: 'invalid-argument', message: 'file with no instructions' });
  });
});

describe('splitInstruction', () => {
  it('takes leading --flags, quotes processed, and stops at --', () => {
    assert.deepEqual(splitInstruction('HEALTHCHECK --interval="5 s" --retries=3 CMD x'), {
      name: 'HEALTHCHECK', flags: ['--interval=5 s', '--retries=3'], rest: 'CMD x', original: 'HEALTHCHECK --interval="5 s" --retries=3 CMD x',
    });
    assert.deepEqual(splitInstruction('CMD -- --not-a-flag').rest, '--not-a-flag');
    assert.deepEqual(splitInstruction('CMD --a').flags, ['--a']);
    assert.deepEqual(splitInstruction('USER').rest, '');
  });
});

describe('parseWords', () => {
  it('splits at unquoted whitespace and keeps quotes and escapes for later', () => {
    assert.deepEqual(parseWords(`a="b c" d='e f' g\\ h "" x`), ['a="b c"', "d='e f'", 'g\\ h', '""', 'x']);
    assert.deepEqual(parseWords('  '), []);
  });
});

describe('splitWhitespace and parseJsonArray', () => {
  it('split plain words and read the first JSON value only', () => {
    assert.deepEqual(splitWhitespace('a  b\tc'), ['a', 'b', 'c']);
    assert.deepEqual(splitWhitespace(''), []);
    assert.deepEqual(parseJsonArray(' ["a","]"] rest'), ['a', ']']);
    assert.equal(parseJsonArray('echo [x]'), undefined);
    assert.equal(parseJsonArray('[unterminated'), undefined);
    assert.equal(parseJsonArray('{"a":1}'), undefined);
    assert.throws(() => parseJsonArray('[1]'), { kind: 'invalid-argument' });
  });
});
