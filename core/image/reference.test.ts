import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  familiarize, familiarName, familiarString, isValidTag, normalizeReference, parseAnyReference, parseNormalizedNamed,
  parseReference, referenceString, repoTagReference, withDefaultTag,
} from './reference.js';

const hex = 'a'.repeat(64);
const invalid = (message: string) => ({ name: 'MobyError', kind: 'invalid-argument', message });

describe('normalizeReference', () => {
  it('puts a bare name under docker.io/library with the latest tag', () => {
    assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeReference('user/x'), 'docker.io/user/x:latest');
    assert.equal(normalizeReference('index.docker.io/library/busybox:1'), 'docker.io/library/busybox:1');
  });

  it('keeps registries recognised by a dot, a port or localhost', () => {
    assert.equal(normalizeReference('localhost:5000/x'), 'localhost:5000/x:latest');
    assert.equal(normalizeReference('127.0.0.1:5055/bb:v1'), '127.0.0.1:5055/bb:v1');
    assert.equal(normalizeReference('localhost/foo'), 'localhost/foo:latest');
    assert.equal(normalizeReference('example.com/a/b/c:t'), 'example.com/a/b/c:t');
    assert.equal(normalizeReference('[::1]:5000/x'), '[::1]:5000/x:latest');
  });

  it('adds no tag to a digest reference and keeps tag and digest together', () => {
    assert.equal(normalizeReference(`busybox@sha256:${hex}`), `docker.io/library/busybox@sha256:${hex}`);
    assert.equal(normalizeReference(`busybox:1@sha256:${hex}`), `docker.io/library/busybox:1@sha256:${hex}`);
  });
});

describe('parseNormalizedNamed', () => {
  it('splits domain, path, tag and digest', () => {
    assert.deepEqual(parseNormalizedNamed('127.0.0.1:5055/bb:v1'), { domain: '127.0.0.1:5055', path: 'bb', tag: 'v1' });
    assert.deepEqual(parseNormalizedNamed(`a/b:c@sha256:${hex}`), { domain: 'docker.io', path: 'a/b', tag: 'c', digest: `sha256:${hex}` });
  });

  it('reads an upper-case first component as a registry, as current Docker does', () => {
    assert.deepEqual(parseNormalizedNamed('Registry/x'), { domain: 'Registry', path: 'x' });
  });

  it('refuses upper case in the repository with Docker\'s message', () => {
    assert.throws(() => parseNormalizedNamed('Busybox'), invalid('invalid reference format: repository name (library/Busybox) must be lowercase'));
    assert.throws(() => parseNormalizedNamed('a/B:tag'), invalid('invalid reference format: repository name (a/B) must be lowercase'));
  });

  it('refuses a 64-hex name, which would shadow an image ID', () => {
    assert.throws(() => parseNormalizedNamed(hex), invalid(`invalid repository name (${hex}), cannot specify 64-byte hexadecimal strings`));
  });

  it('refuses malformed references with "invalid reference format"', () => {
    for (const bad of ['busybox:', 'busy box', 'a//b', '-a', 'a:b:c', `a:${'t'.repeat(129)}`, 'a@sha256:', ':tag', 'x/']) {
      assert.throws(() => parseNormalizedNamed(bad), invalid('invalid reference format'), bad);
    }
    assert.equal(parseNormalizedNamed(`a:${'t'.repeat(128)}`).tag!.length, 128);
  });

  it('refuses bad digests with go-digest\'s messages', () => {
    assert.throws(() => parseNormalizedNamed(`a@sha256:${'a'.repeat(32)}`), invalid('invalid checksum digest length'));
    assert.throws(() => parseNormalizedNamed(`a@sha256:${'A'.repeat(64)}`), invalid('invalid checksum digest format'));
    assert.throws(() => parseNormalizedNamed(`a@md5:${'a'.repeat(32)}`), invalid('unsupported digest algorithm'));
  });

  it('refuses repository paths over 255 characters and survives huge input', () => {
    assert.throws(() => parseNormalizedNamed(`x/${'a'.repeat(260)}`), invalid('repository name must not be more than 255 characters'));
    assert.throws(() => parseNormalizedNamed('a'.repeat(100_000)), invalid('invalid reference format'));
    assert.throws(() => parseNormalizedNamed(`${'a-'.repeat(5000)}!`), invalid('invalid reference format'));
  });
});

describe('parseReference', () => {
  it('does not normalise and reports an empty name', () => {
    assert.deepEqual(parseReference('foo/bar'), { domain: 'foo', path: 'bar' });
    assert.throws(() => parseReference(''), invalid('repository name must have at least one component'));
    assert.throws(() => parseReference('Foo'), invalid('repository name must be lowercase'));
  });
});

describe('familiarName and familiarString', () => {
  it('drop docker.io and the library namespace as Docker prints names', () => {
    assert.equal(familiarString(parseNormalizedNamed('docker.io/library/busybox:latest')), 'busybox:latest');
    assert.equal(familiarName(parseNormalizedNamed('docker.io/user/x')), 'user/x');
    assert.equal(familiarName(parseNormalizedNamed('docker.io/library/a/b')), 'library/a/b');
    assert.equal(familiarize('localhost:5000/x:1'), 'localhost:5000/x:1');
    assert.equal(familiarize(`busybox@sha256:${hex}`), `busybox@sha256:${hex}`);
  });
});

describe('parseAnyReference', () => {
  it('reads a bare 64-hex ID and a full digest as digests, anything else as a name', () => {
    assert.deepEqual(parseAnyReference(hex), { kind: 'digest', digest: `sha256:${hex}` });
    assert.deepEqual(parseAnyReference(`sha256:${hex}`), { kind: 'digest', digest: `sha256:${hex}` });
    assert.deepEqual(parseAnyReference('668ffe'), { kind: 'named', ref: { domain: 'docker.io', path: 'library/668ffe' } });
    assert.deepEqual(parseAnyReference('busybox:1'), { kind: 'named', ref: { domain: 'docker.io', path: 'library/busybox', tag: '1' } });
  });
});

describe('repoTagReference', () => {
  it('defaults the tag and lets a tag parameter replace one in the name', () => {
    assert.equal(referenceString(repoTagReference('busybox')), 'docker.io/library/busybox:latest');
    assert.equal(referenceString(repoTagReference('busybox:1', 'v2')), 'docker.io/library/busybox:v2');
    assert.equal(referenceString(repoTagReference('localhost:5000/x', 'y')), 'localhost:5000/x:y');
  });

  it('refuses digests, bad tags and the name sha256', () => {
    assert.throws(() => repoTagReference(`busybox@sha256:${hex}`), invalid('cannot import digest reference'));
    assert.throws(() => repoTagReference('busybox', 'bad tag'), invalid('invalid tag format'));
    assert.throws(() => repoTagReference('sha256'), invalid('refusing to create an ambiguous tag using digest algorithm as name'));
  });
});

describe('withDefaultTag and isValidTag', () => {
  it('tag only name-only references and follow the tag grammar', () => {
    assert.equal(withDefaultTag({ domain: 'docker.io', path: 'x', digest: `sha256:${hex}` }).tag, undefined);
    assert.ok(isValidTag('v1.0-rc_1'));
    assert.ok(!isValidTag('.v1'));
    assert.ok(!isValidTag('a'.repeat(129)));
  });
});
