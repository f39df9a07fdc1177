import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemVersion, type SystemVersionInput } from './system-version.js';
import { fakeHost } from './test-engine.js';

const input: SystemVersionInput = {
  version: '0.1.0',
  revision: 'abc1234',
  buildTime: '2026-01-02T03:04:05.000000000+00:00',
  host: fakeHost,
  components: [{ name: 'image-store', version: '0.1.1', services: ['image-store', 'layer-store'], health: 'SERVING', pid: 42 }],
};

test('systemVersion names the platform "Moby Core" and fills the top-level fields', () => {
  const v = systemVersion(input);
  assert.deepEqual(v.Platform, { Name: 'Moby Core' });
  assert.equal(v.Version, '0.1.0');
  assert.equal(v.ApiVersion, '1.47');
  assert.equal(v.MinAPIVersion, '1.24');
  assert.equal(v.GitCommit, 'abc1234');
  assert.equal(v.GoVersion, `node ${process.version}`);
  assert.equal(v.Os, 'linux');
  assert.equal(v.Arch, 'amd64');
  assert.equal(v.KernelVersion, '6.1.0-test');
  assert.equal(v.BuildTime, '2026-01-02T03:04:05.000000000+00:00');
});

test('systemVersion lists the Engine first with the details the docker CLI prints', () => {
  assert.deepEqual(systemVersion(input).Components[0], {
    Name: 'Engine',
    Version: '0.1.0',
    Details: {
      ApiVersion: '1.47',
      Arch: 'amd64',
      BuildTime: '2026-01-02T03:04:05.000000000+00:00',
      Experimental: 'false',
      GitCommit: 'abc1234',
      GoVersion: `node ${process.version}`,
      KernelVersion: '6.1.0-test',
      MinAPIVersion: '1.24',
      Os: 'linux',
    },
  });
});

test('systemVersion lists each component with string-only details, then runc', () => {
  const [, component, runtime] = systemVersion(input).Components;
  assert.deepEqual(component, {
    Name: 'image-store',
    Version: '0.1.1',
    Details: { Health: 'SERVING', Pid: '42', Services: 'image-store,layer-store' },
  });
  assert.deepEqual(runtime, { Name: 'runc', Version: '1.1.5+ds1', Details: { GitCommit: '1.1.5+ds1-1+deb12u1' } });
});

test('systemVersion leaves out runc when none was found and BuildTime when unknown', () => {
  const v = systemVersion({ ...input, buildTime: '', components: [], host: { ...fakeHost, runtime: undefined } });
  assert.deepEqual(v.Components.map((c) => c.Name), ['Engine']);
  assert.equal('BuildTime' in v, false);
});
