import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKillSignal, parseSignal, signalName, stopSignalOf, validSignalForPlatform } from './signals.js';

describe('signals', () => {
  it('parses names in any case, with or without SIG, and numbers', () => {
    for (const s of ['KILL', 'SIGKILL', 'kill', 'sigkill', '9']) assert.equal(parseSignal(s), 9, s);
    assert.equal(parseSignal('sigusr1'), 10);
    assert.equal(parseSignal('TERM'), 15);
    assert.equal(parseSignal('RTMIN'), 34);
    assert.equal(parseSignal('SIGRTMIN+3'), 37);
    assert.equal(parseSignal('rtmax-1'), 63);
    assert.equal(parseSignal('IOT'), 6);
    assert.equal(parseSignal('99'), 99); // Docker's parser takes any non-zero number
  });

  it('refuses bad names and 0 with Docker\'s text', () => {
    for (const s of ['NOPE', 'SIG', '0', '', 'KILL9']) {
      assert.throws(() => parseSignal(s), { message: `Invalid signal: ${s}` });
    }
  });

  it('refuses numbers Linux lacks for kill; empty kill is SIGKILL', () => {
    assert.equal(parseKillSignal(undefined), 9);
    assert.equal(parseKillSignal(''), 9);
    assert.equal(parseKillSignal('HUP'), 1);
    assert.throws(() => parseKillSignal('99'), { message: 'the linux daemon does not support signal 99' });
    assert.throws(() => parseKillSignal('32'), { message: 'the linux daemon does not support signal 32' });
    assert.ok(validSignalForPlatform(64) && !validSignalForPlatform(65) && !validSignalForPlatform(33));
  });

  it('names numbers', () => {
    assert.equal(signalName(9), 'SIGKILL');
    assert.equal(signalName(6), 'SIGABRT');
    assert.equal(signalName(17), 'SIGCHLD');
    assert.equal(signalName(37), 'SIGRTMIN+3');
    assert.equal(signalName(60), 'SIGRTMAX-4');
    assert.equal(signalName(32), undefined);
    assert.equal(stopSignalOf(''), 15);
    assert.equal(stopSignalOf('SIGQUIT'), 3);
  });
});
