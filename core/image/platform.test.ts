import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Descriptor, ImageIndex, Platform } from './oci.js';
import { compatiblePlatforms, formatPlatform, normalizePlatform, parsePlatform, selectManifest } from './platform.js';

const hexOf = (n: number) => n.toString(16).padStart(64, '0');
const entry = (n: number, platform?: Platform): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${hexOf(n)}`, size: 1, ...(platform ? { platform } : {}),
});
const indexOf = (...manifests: Descriptor[]): ImageIndex => ({ schemaVersion: 2, manifests });
const p = (s: string) => parsePlatform(s);

describe('parsePlatform', () => {
  it('normalises aliases and default variants', () => {
    assert.deepEqual(p('linux/amd64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(p('Linux/x86_64'), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(p('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    assert.deepEqual(p('linux/aarch64/v8'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(p('linux/armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it('accepts a lone OS or architecture', () => {
    assert.deepEqual(p('arm64'), { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(p('windows'), { os: 'windows', architecture: 'amd64' });
  });

  it('refuses unknown names and malformed specifiers', () => {
    assert.throws(() => p('nonsense'), { kind: 'invalid-argument', message: '"nonsense": unknown operating system or architecture: invalid argument' });
    assert.throws(() => p('linux//amd64'), { kind: 'invalid-argument' });
    assert.throws(() => p('plan10/amd64'), { kind: 'invalid-argument' });
    assert.throws(() => p('a/b/c/d'), { kind: 'invalid-argument' });
  });
});

describe('compatiblePlatforms', () => {
  it('lists what a platform also runs, best first', () => {
    assert.deepEqual(compatiblePlatforms(p('linux/amd64')).map(formatPlatform), ['linux/amd64', 'linux/386']);
    assert.deepEqual(compatiblePlatforms(p('linux/arm/v7')).map(formatPlatform), ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
    assert.deepEqual(compatiblePlatforms(p('linux/arm64')).map(formatPlatform), ['linux/arm64', 'linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5']);
    assert.deepEqual(compatiblePlatforms(normalizePlatform({ os: 'linux', architecture: 'amd64', variant: 'v3' })).map(formatPlatform),
      ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386']);
  });
});

describe('selectManifest', () => {
  const amd64 = entry(1, { os: 'linux', architecture: 'amd64' });
  const arm64 = entry(2, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const i386 = entry(3, { os: 'linux', architecture: '386' });
  const armv6 = entry(4, { os: 'linux', architecture: 'arm', variant: 'v6' });
  const armv7 = entry(5, { os: 'linux', architecture: 'arm', variant: 'v7' });
  const attestation = entry(6, { os: 'unknown', architecture: 'unknown' });

  it('defaults to linux/amd64 and prefers it over 386', () => {
    assert.equal(selectManifest(indexOf(attestation, i386, arm64, amd64)), amd64);
    assert.equal(selectManifest(indexOf(arm64, i386)), i386);
  });

  it('matches variants after normalisation and falls back to older ones', () => {
    assert.equal(selectManifest(indexOf(amd64, arm64), p('linux/arm64')), arm64);
    assert.equal(selectManifest(indexOf(armv6, armv7), p('linux/arm')), armv7);
    assert.equal(selectManifest(indexOf(armv6), p('linux/arm/v7')), armv6);
    assert.equal(selectManifest(indexOf(armv7, amd64), p('linux/arm64')), armv7);
  });

  it('uses an entry without a platform only when nothing better matches', () => {
    const bare = entry(7);
    assert.equal(selectManifest(indexOf(bare, amd64)), amd64);
    assert.equal(selectManifest(indexOf(bare, arm64)), bare);
  });

  it('fails with Docker\'s message when nothing matches', () => {
    assert.throws(() => selectManifest(indexOf(arm64, attestation)), {
      kind: 'not-found', message: 'no matching manifest for linux/amd64 in the manifest list entries',
    });
  });
});
