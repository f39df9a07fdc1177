import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { buildSpec } from './build-spec.js';
import type { ContainerOptions } from './container-options.js';
import { replaceOrAppendEnv, withRlimits } from './process-steps.js';
import type { RuntimeSpec } from './oci-types.js';
import { fakeContext, fakeHost, FAKE_ID, SH_IMAGE, stepInput } from './test-fixtures.js';

const build = (opts: ContainerOptions, ctx = fakeContext()): RuntimeSpec => buildSpec(SH_IMAGE, opts, ctx);

describe('withEnv', () => {
  it('starts with PATH and HOSTNAME and lets the image PATH replace the default in place', () => {
    const spec = buildSpec({ config: { Cmd: ['x'], Env: ['PATH=/bin', 'A=1'] } }, { Env: ['B=2'] }, fakeContext());
    assert.deepEqual(spec.process.env, ['PATH=/bin', `HOSTNAME=${FAKE_ID.slice(0, 12)}`, 'B=2', 'A=1']);
  });

  it('uses the default PATH when neither image nor user sets one', () => {
    const spec = buildSpec({ config: { Cmd: ['x'] } }, {}, fakeContext());
    assert.equal(spec.process.env[0], 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  });

  it('lets a user key override the image value for the same key', () => {
    const spec = buildSpec({ config: { Cmd: ['x'], Env: ['MODE=image'] } }, { Env: ['MODE=user'] }, fakeContext());
    assert.deepEqual(spec.process.env.filter((e) => e.startsWith('MODE=')), ['MODE=user']);
  });

  it('adds TERM=xterm with a tty', () => {
    assert.ok(build({ Tty: true }).process.env.includes('TERM=xterm'));
    assert.ok(!build({}).process.env.includes('TERM=xterm'));
  });

  it('unsets a default when an entry has no "="', () => {
    assert.deepEqual(replaceOrAppendEnv(['PATH=/bin', 'HOSTNAME=h'], ['HOSTNAME', 'X=1']), ['PATH=/bin', 'X=1']);
  });
});

describe('withArgs, withCwd, withTerminal, withHostname', () => {
  it('runs entrypoint then cmd, in / by default, without a terminal', () => {
    const spec = build({ Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'] });
    assert.deepEqual(spec.process.args, ['/bin/sh', '-c', 'echo hi']);
    assert.equal(spec.process.cwd, '/');
    assert.equal(spec.process.terminal, false);
  });

  it('refuses a relative working directory', () => {
    assert.throws(() => build({ WorkingDir: 'srv' }), (err) => isKind(err, 'invalid-argument'));
  });

  it('sets hostname and domainname, but none when sharing the host UTS namespace', () => {
    const spec = build({ Hostname: 'web', Domainname: 'example.org' });
    assert.deepEqual([spec.hostname, spec.domainname], ['web', 'example.org']);
    assert.equal(build({ Hostname: 'web', HostConfig: { UTSMode: 'host' } }).hostname, undefined);
  });
});

describe('withUser', () => {
  it('runs as root when no user is given', () => {
    assert.deepEqual(build({}).process.user, { uid: 0, gid: 0, additionalGids: [0] });
  });

  it('takes a numeric uid:gid without a rootfs lookup', () => {
    assert.deepEqual(build({ User: '1000:1001' }).process.user, { uid: 1000, gid: 1001, additionalGids: [1001] });
  });

  it('uses the user the engine resolved', () => {
    const user = { uid: 33, gid: 33, additionalGids: [33, 4] };
    assert.deepEqual(build({ User: 'www-data' }, fakeContext({ user })).process.user, user);
  });

  it('refuses a user name that was not resolved against the rootfs', () => {
    assert.throws(() => build({ User: 'www-data' }), (err) => isKind(err, 'failed-precondition'));
  });
});

describe('withRlimits', () => {
  const rlimits = (opts: ContainerOptions, host = fakeHost()) => {
    const spec = build({}, fakeContext({ host }));
    withRlimits(spec, stepInput(opts, { host }));
    return spec.process.rlimits;
  };

  it('caps the default open-files limit at the host hard limit when it cannot raise it', () => {
    assert.deepEqual(rlimits({}), [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]);
  });

  it('uses 1048576 open files when the host may raise limits', () => {
    const host = fakeHost({ capabilities: ['CAP_SYS_RESOURCE'] });
    assert.deepEqual(rlimits({}, host), [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }]);
  });

  it('turns user ulimits into RLIMIT_ entries, replacing the default for the same name', () => {
    const got = rlimits({ HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }, { Name: 'nproc', Soft: 10, Hard: 20 }] } });
    assert.deepEqual(got, [
      { type: 'RLIMIT_NOFILE', soft: 100, hard: 200 },
      { type: 'RLIMIT_NPROC', soft: 10, hard: 20 },
    ]);
  });

  it('refuses a hard limit above the host one, an unknown name, and soft above hard', () => {
    const refuse = (name: string, soft: number, hard: number, kind: 'invalid-argument' | 'failed-precondition') =>
      assert.throws(() => rlimits({ HostConfig: { Ulimits: [{ Name: name, Soft: soft, Hard: hard }] } }), (err) => isKind(err, kind));
    refuse('nofile', 10, 30000, 'failed-precondition');
    refuse('bogus', 1, 1, 'invalid-argument');
    refuse('nofile', 20, 10, 'invalid-argument');
  });
});

describe('withOomScoreAdj', () => {
  it('sets 0 by default and the given score otherwise', () => {
    assert.equal(build({}).process.oomScoreAdj, 0);
    assert.equal(build({ HostConfig: { OomScoreAdj: 500 } }).process.oomScoreAdj, 500);
  });

  it('refuses a score outside [-1000, 1000]', () => {
    assert.throws(() => build({ HostConfig: { OomScoreAdj: 1001 } }), (err) => isKind(err, 'invalid-argument'));
  });
});
