import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyChanges } from './apply-changes.js';
import { emptyContainerConfig } from './container-config.js';

const apply = (...changes: string[]) => applyChanges(emptyContainerConfig(), changes);
const invalid = (message: string) => ({ kind: 'invalid-argument', message });

describe('applyChanges: CMD and ENTRYPOINT', () => {
  it('runs the shell form through /bin/sh -c and keeps the JSON form', () => {
    assert.deepEqual(apply('CMD echo "hi there"').Cmd, ['/bin/sh', '-c', 'echo "hi there"']);
    assert.deepEqual(apply('CMD ["echo", "hi"]').Cmd, ['echo', 'hi']);
    assert.deepEqual(apply('CMD []').Cmd, []);
    assert.deepEqual(apply('CMD [ "a" ] trailing').Cmd, ['a']);
    assert.deepEqual(apply('CMD [not json').Cmd, ['/bin/sh', '-c', '[not json']);
  });

  it('uses the config\'s SHELL for the shell form', () => {
    const config = applyChanges({ Shell: ['/bin/bash', '-ec'] }, ['ENTRYPOINT run']);
    assert.deepEqual(config.Entrypoint, ['/bin/bash', '-ec', 'run']);
  });

  it('clears CMD on ENTRYPOINT unless a CMD came earlier in the same changes', () => {
    const base = { Cmd: ['old'] };
    assert.equal(applyChanges(base, ['ENTRYPOINT ["x"]']).Cmd, null);
    assert.deepEqual(applyChanges(base, ['CMD ["new"]', 'ENTRYPOINT ["x"]']).Cmd, ['new']);
    assert.deepEqual(applyChanges(base, ['ENTRYPOINT ["x"]', 'CMD ["new"]']).Cmd, ['new']);
  });

  it('refuses a JSON array holding anything but strings', () => {
    assert.throws(() => apply('CMD ["a", 1]'), invalid('when using JSON array syntax, arrays must be comprised of strings only'));
  });
});

describe('applyChanges: ENV and LABEL', () => {
  it('reads both forms, removes quotes and expands against the environment before the instruction', () => {
    const config = apply('ENV A=1 B="two words" C=$A', 'ENV D $A-x y');
    assert.deepEqual(config.Env, ['A=1', 'B=two words', 'C=', 'D=1-x y']);
  });

  it('replaces an existing variable in place', () => {
    assert.deepEqual(applyChanges({ Env: ['PATH=/usr/bin', 'X=1'] }, ['ENV PATH=/bin:$PATH']).Env, ['PATH=/bin:/usr/bin', 'X=1']);
  });

  it('sets labels with quoted keys', () => {
    assert.deepEqual(apply('LABEL a=b "c d"=e', 'LABEL a=z').Labels, { a: 'z', 'c d': 'e' });
  });

  it('refuses a lone name and words without "="', () => {
    assert.throws(() => apply('ENV A'), invalid('ENV must have two arguments'));
    assert.throws(() => apply('ENV A=1 B'), invalid('Syntax error - can\'t find = in "B". Must be of the form: name=value'));
    assert.throws(() => apply('LABEL'), invalid('LABEL requires at least one argument'));
  });
});

describe('applyChanges: EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, ONBUILD', () => {
  it('opens ports, ranges and protocols', () => {
    assert.deepEqual(Object.keys(apply('EXPOSE 80 443/udp 1000-1001', 'EXPOSE 1.2.3.4:80:8080/UDP').ExposedPorts!),
      ['80/tcp', '443/udp', '1000/tcp', '1001/tcp', '8080/udp']);
    assert.deepEqual(Object.keys(apply('ENV P="81 82"', 'EXPOSE $P').ExposedPorts!), ['81/tcp', '82/tcp']);
    assert.throws(() => apply('EXPOSE abc'), invalid('invalid containerPort: abc'));
    assert.throws(() => apply('EXPOSE 80/ftp'), invalid('invalid proto: ftp'));
  });

  it('adds volumes from both forms and refuses empty ones', () => {
    assert.deepEqual(apply('VOLUME /a /b', 'VOLUME ["/v 1"]').Volumes, { '/a': {}, '/b': {}, '/v 1': {} });
    assert.throws(() => apply('VOLUME [""]'), invalid('VOLUME specified can not be an empty string'));
  });

  it('resolves WORKDIR against the current one and cleans it', () => {
    assert.equal(apply('WORKDIR /a', 'WORKDIR b/../c/').WorkingDir, '/a/c');
    assert.equal(apply('WORKDIR rel').WorkingDir, '/rel');
    assert.equal(apply('ENV D=/data', 'WORKDIR $D//x').WorkingDir, '/data/x');
  });

  it('sets USER and STOPSIGNAL, checking the signal', () => {
    const config = apply('USER nobody:nogroup', 'STOPSIGNAL SIGKILL');
    assert.equal(config.User, 'nobody:nogroup');
    assert.equal(config.StopSignal, 'SIGKILL');
    assert.throws(() => apply('STOPSIGNAL FOO'), invalid('invalid signal: FOO'));
    assert.throws(() => apply('USER'), invalid('USER requires exactly one argument'));
  });

  it('records ONBUILD triggers as written and refuses the forbidden ones', () => {
    assert.deepEqual(apply('ONBUILD RUN echo "x"', 'onbuild ENV A=1').OnBuild, ['RUN echo "x"', 'ENV A=1']);
    assert.throws(() => apply('ONBUILD ONBUILD x'), invalid('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed'));
    assert.throws(() => apply('ONBUILD FROM x'), invalid('FROM isn\'t allowed as an ONBUILD trigger'));
  });
});

describe('applyChanges: HEALTHCHECK', () => {
  it('builds the health config from flags and command', () => {
    assert.deepEqual(apply('HEALTHCHECK --interval=5s --timeout=1m30s --retries=3 CMD curl x').Healthcheck,
      { Test: ['CMD-SHELL', 'curl x'], Interval: 5e9, Timeout: 90e9, Retries: 3 });
    assert.deepEqual(apply('HEALTHCHECK CMD ["true"]').Healthcheck, { Test: ['CMD', 'true'] });
    assert.deepEqual(apply('HEALTHCHECK NONE').Healthcheck, { Test: ['NONE'] });
  });

  it('refuses unknown flags and types with BuildKit\'s messages', () => {
    assert.throws(() => apply('HEALTHCHECK --foo=1 CMD x'), invalid('unknown flag: foo'));
    assert.throws(() => apply('HEALTHCHECK FOO x'), invalid('Unknown type "FOO" in HEALTHCHECK (try CMD)'));
    assert.throws(() => apply('HEALTHCHECK CMD'), invalid('Missing command after HEALTHCHECK CMD'));
    assert.throws(() => apply('HEALTHCHECK --interval=1us CMD x'), invalid('Interval "interval" cannot be less than 1ms'));
    assert.throws(() => apply('HEALTHCHECK --retries=-1 CMD x'), invalid('--retries cannot be negative (-1)'));
    assert.throws(() => apply('HEALTHCHECK NONE x'), invalid('HEALTHCHECK NONE takes no arguments'));
  });
});

describe('applyChanges: validation', () => {
  it('names an instruction that is not allowed, as written', () => {
    assert.throws(() => apply('FROM x'), invalid('FROM is not a valid change command'));
    assert.throws(() => apply('run x'), invalid('run is not a valid change command'));
  });

  it('checks every change before applying any, and leaves the input alone', () => {
    const base = { Env: ['A=1'] };
    assert.throws(() => applyChanges(base, ['ENV A=2', 'RUN x']), invalid('RUN is not a valid change command'));
    assert.deepEqual(base, { Env: ['A=1'] });
    assert.deepEqual(applyChanges(base, ['ENV A=2']).Env, ['A=2']);
    assert.deepEqual(base.Env, ['A=1']);
  });

  it('refuses flags where none are allowed, and an empty change', () => {
    assert.throws(() => apply('CMD --x=1 echo'), invalid('unknown flag: x'));
    assert.throws(() => apply(''), invalid('file with no instructions'));
  });

  it('returns the config unchanged (but complete) without changes', () => {
    assert.deepEqual(applyChanges({ User: 'u' }, []), { ...emptyContainerConfig(), User: 'u' });
  });
});
