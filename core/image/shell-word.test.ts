import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { processWord, processWords } from './shell-word.js';

const env = ['A=1', 'EMPTY=', 'SP=x  y'];
const invalid = (message: string) => ({ kind: 'invalid-argument', message });

describe('processWord', () => {
  it('removes quotes and backslashes the way the Dockerfile shell does', () => {
    assert.equal(processWord(`'$A "x"'`, env), '$A "x"');
    assert.equal(processWord('"a \\"b\\" \\$A \\n"', env), 'a "b" $A \\n');
    assert.equal(processWord('a\\ b\\$A\\', env), 'a b$A');
    assert.equal(processWord('  spaced  ', env), '  spaced  ');
  });

  it('expands $VAR and ${VAR}, unset as empty, also inside double quotes', () => {
    assert.equal(processWord('$A-${A}-"$A"-$NOPE-$', env), '1-1-1--$');
    assert.equal(processWord('${A}x$Ax', env), '1x');
    assert.equal(processWord('$1$$', env), '');
  });

  it('applies the modifiers with and without a colon', () => {
    assert.equal(processWord('${NOPE:-d}|${EMPTY:-d}|${EMPTY-d}|${A:-d}', env), 'd|d||1');
    assert.equal(processWord('${NOPE:+s}|${EMPTY:+s}|${EMPTY+s}|${A:+s}', env), '||s|s');
    assert.equal(processWord('${NOPE:-"q w"}', env), 'q w');
    assert.throws(() => processWord('${NOPE:?must be set}', env), invalid('NOPE: must be set'));
    assert.throws(() => processWord('${EMPTY:?}', env), invalid('EMPTY: is not allowed to be empty'));
    assert.throws(() => processWord('${NOPE?}', env), invalid('NOPE: is not allowed to be unset'));
  });

  it('reports unbalanced quotes and bad substitutions', () => {
    assert.throws(() => processWord('"open', env), invalid('unexpected end of statement while looking for matching double-quote'));
    assert.throws(() => processWord("'open", env), invalid('unexpected end of statement while looking for matching single-quote'));
    assert.throws(() => processWord('${', env), invalid("syntax error: missing '}'"));
    assert.throws(() => processWord('${}', env), invalid('syntax error: bad substitution'));
    assert.throws(() => processWord('${A:x}', env), invalid('unsupported modifier (x) in substitution'));
    assert.throws(() => processWord('${A:-x', env), invalid('unexpected end of statement while looking for matching }'));
  });
});

describe('processWords', () => {
  it('splits at unquoted whitespace, including inside unquoted variables', () => {
    assert.deepEqual(processWords('a "b c" $SP', env), ['a', 'b c', 'x', 'y']);
    assert.deepEqual(processWords('"$SP"', env), ['x  y']);
    assert.deepEqual(processWords('  ', env), []);
  });
});
