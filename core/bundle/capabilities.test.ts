import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import {
  capabilitiesFromMask,
  capabilityMask,
  DEFAULT_CAPABILITIES,
  KNOWN_CAPABILITIES,
  tweakCapabilities,
} from './capabilities.js';
import { fakeHost } from './test-fixtures.js';

const available = fakeHost().capabilities;

describe('DEFAULT_CAPABILITIES', () => {
  it("is Docker's 14, whose mask is 0xa80425fb", () => {
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    assert.equal(capabilityMask(DEFAULT_CAPABILITIES), 0xa80425fbn);
  });

  it('round-trips through capabilitiesFromMask', () => {
    assert.deepEqual(new Set(capabilitiesFromMask(0xa80425fbn)), new Set(DEFAULT_CAPABILITIES));
  });
});

describe('tweakCapabilities', () => {
  it('gives the defaults when nothing is added or dropped', () => {
    assert.deepEqual(tweakCapabilities({}, available), [...DEFAULT_CAPABILITIES]);
  });

  it('adds and drops names with or without CAP_, in any case', () => {
    const caps = tweakCapabilities({ add: ['net_admin', 'CAP_SYS_PTRACE'], drop: ['CAP_CHOWN', 'kill'] }, available);
    assert.ok(caps.includes('CAP_NET_ADMIN') && caps.includes('CAP_SYS_PTRACE'));
    assert.ok(!caps.includes('CAP_CHOWN') && !caps.includes('CAP_KILL'));
    assert.equal(caps.length, 14);
  });

  it('gives everything available but the dropped ones for add ALL', () => {
    const caps = tweakCapabilities({ add: ['ALL'], drop: ['NET_RAW'] }, available);
    assert.deepEqual(caps, available.filter((c) => c !== 'CAP_NET_RAW'));
  });

  it('gives only the added ones for drop ALL', () => {
    assert.deepEqual(tweakCapabilities({ add: ['chown'], drop: ['all'] }, available), ['CAP_CHOWN']);
    assert.deepEqual(tweakCapabilities({ drop: ['ALL'] }, available), []);
  });

  it('gives a privileged container every capability the host has', () => {
    assert.deepEqual(tweakCapabilities({ privileged: true, drop: ['ALL'] }, available), [...available]);
  });

  it('refuses an unknown capability as invalid-argument', () => {
    assert.throws(
      () => tweakCapabilities({ add: ['CAP_FLY'] }, available),
      (err) => isKind(err, 'invalid-argument') && /unknown capability: "CAP_FLY"/.test((err as Error).message),
    );
  });

  it('refuses a known capability the host cannot grant', () => {
    assert.throws(
      () => tweakCapabilities({ add: ['SYS_RESOURCE'] }, available),
      (err) => isKind(err, 'invalid-argument') && /not available/.test((err as Error).message),
    );
  });

  it('knows the 41 capabilities up to CAP_CHECKPOINT_RESTORE', () => {
    assert.equal(KNOWN_CAPABILITIES.length, 41);
    assert.equal(KNOWN_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
  });
});
