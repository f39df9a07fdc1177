import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import type { BundleContext, HostConfig } from './container-options.js';
import { withNamespaces } from './namespace-steps.js';
import type { RuntimeSpec, SpecNamespace } from './oci-types.js';
import { fakeHost, stepInput } from './test-fixtures.js';

const namespaces = (hc: HostConfig, ctx: Partial<BundleContext> = {}): SpecNamespace[] => {
  const spec = { linux: { namespaces: [] } } as unknown as RuntimeSpec;
  withNamespaces(spec, stepInput({ HostConfig: hc }, ctx));
  return spec.linux.namespaces;
};
const types = (list: SpecNamespace[]) => list.map((ns) => ns.type);

describe('withNamespaces', () => {
  it('gives mount, network, uts, pid and ipc namespaces of its own, no cgroup one on v1', () => {
    assert.deepEqual(namespaces({}), [{ type: 'mount' }, { type: 'network' }, { type: 'uts' }, { type: 'pid' }, { type: 'ipc' }]);
  });

  it('adds a cgroup namespace on cgroup v2', () => {
    assert.deepEqual(types(namespaces({}, { host: fakeHost({ cgroupVersion: 2 }) })), ['mount', 'network', 'uts', 'pid', 'ipc', 'cgroup']);
  });

  it('shares the host network, pid, ipc and uts namespaces on request', () => {
    assert.deepEqual(types(namespaces({ NetworkMode: 'host', PidMode: 'host', IpcMode: 'host', UTSMode: 'host' })), ['mount']);
  });

  it('keeps a namespace of its own for network none', () => {
    assert.deepEqual(namespaces({ NetworkMode: 'none' })[1], { type: 'network' });
  });

  it('joins the network namespace the engine made, unless on the host network', () => {
    assert.deepEqual(namespaces({ NetworkMode: 'bridge' }, { netnsPath: '/run/netns/c1' })[1], { type: 'network', path: '/run/netns/c1' });
    assert.ok(!types(namespaces({ NetworkMode: 'host' }, { netnsPath: '/run/netns/c1' })).includes('network'));
  });

  it('refuses an unknown IPC or PID mode as invalid-argument', () => {
    assert.throws(() => namespaces({ IpcMode: 'weird' }), (err) => isKind(err, 'invalid-argument') && /invalid IPC mode: weird/.test((err as Error).message));
    assert.throws(() => namespaces({ PidMode: 'weird' }), (err) => isKind(err, 'invalid-argument'));
  });

  it("says joining another container's namespace is not implemented yet", () => {
    assert.throws(() => namespaces({ PidMode: 'container:abc' }), (err) => isKind(err, 'not-implemented'));
    assert.throws(() => namespaces({ NetworkMode: 'container:abc' }), (err) => isKind(err, 'not-implemented'));
  });
});
