import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import type { ContainerOptions } from './container-options.js';
import { mergeConfig } from './merge-config.js';
import type { ImageExecConfig } from './oci-types.js';
import { FAKE_ID } from './test-fixtures.js';

const args = (image: ImageExecConfig, opts: ContainerOptions): string[] => {
  const merged = mergeConfig(image, opts, FAKE_ID);
  return [...merged.Entrypoint, ...merged.Cmd];
};

describe('mergeConfig entrypoint and cmd', () => {
  const image: ImageExecConfig = { Entrypoint: ['/entry', '-x'], Cmd: ['default'] };
  const cases: [string, ImageExecConfig, ContainerOptions, string[]][] = [
    ['image entrypoint and cmd when the user sets neither', image, {}, ['/entry', '-x', 'default']],
    ['user cmd replaces the image cmd, keeps the entrypoint', image, { Cmd: ['mine'] }, ['/entry', '-x', 'mine']],
    ['user entrypoint drops the image cmd', image, { Entrypoint: ['/other'] }, ['/other']],
    ['user entrypoint and cmd are used together', image, { Entrypoint: ['/other'], Cmd: ['a'] }, ['/other', 'a']],
    ['an empty entrypoint list keeps the image cmd', image, { Entrypoint: [] }, ['default']],
    ['[""] entrypoint clears it and uses the user cmd', image, { Entrypoint: [''], Cmd: ['sh'] }, ['sh']],
    ['null entrypoint and cmd mean "not set"', image, { Entrypoint: null, Cmd: null }, ['/entry', '-x', 'default']],
    ['image cmd only', { Cmd: ['sh', '-c', 'x'] }, {}, ['sh', '-c', 'x']],
    ['image entrypoint only', { Entrypoint: ['/e'] }, {}, ['/e']],
    ['user cmd with no image config', {}, { Cmd: ['echo', 'hi'] }, ['echo', 'hi']],
  ];
  for (const [name, img, opts, expected] of cases) {
    it(name, () => assert.deepEqual(args(img, opts), expected));
  }

  it('refuses a container with no command at all as invalid-argument "No command specified"', () => {
    assert.throws(() => mergeConfig({}, {}, FAKE_ID), (err) => isKind(err, 'invalid-argument') && /^No command specified$/.test((err as Error).message));
  });

  it('refuses [""] entrypoint with no user cmd, since it drops the image cmd', () => {
    assert.throws(() => mergeConfig(image, { Entrypoint: [''] }, FAKE_ID), /No command specified/);
  });
});

describe('mergeConfig env, user, working dir and hostname', () => {
  it('puts user env first and keeps image entries whose keys the user did not set', () => {
    const merged = mergeConfig({ Cmd: ['x'], Env: ['A=1', 'B=2'] }, { Env: ['B=3', 'C=4'] }, FAKE_ID);
    assert.deepEqual(merged.Env, ['B=3', 'C=4', 'A=1']);
  });

  it('takes the image env whole when the user gives none', () => {
    assert.deepEqual(mergeConfig({ Cmd: ['x'], Env: ['A=1'] }, {}, FAKE_ID).Env, ['A=1']);
  });

  it('falls back to the image user and working dir, and the id prefix as hostname', () => {
    const merged = mergeConfig({ Cmd: ['x'], User: 'nobody', WorkingDir: '/srv' }, {}, FAKE_ID);
    assert.equal(merged.User, 'nobody');
    assert.equal(merged.WorkingDir, '/srv');
    assert.equal(merged.Hostname, FAKE_ID.slice(0, 12));
  });

  it('prefers the user values over the image ones', () => {
    const merged = mergeConfig({ Cmd: ['x'], User: 'nobody', WorkingDir: '/srv' }, { User: '1000', WorkingDir: '/tmp', Hostname: 'h' }, FAKE_ID);
    assert.deepEqual([merged.User, merged.WorkingDir, merged.Hostname], ['1000', '/tmp', 'h']);
  });
});
