import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { buildSpec } from './build-spec.js';
import type { BundleContext, HostConfig } from './container-options.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import type { RuntimeSpec } from './oci-types.js';
import { parseSecurityOpts } from './security-opts.js';
import { fakeContext, fakeHost, SH_IMAGE } from './test-fixtures.js';

const build = (hc: HostConfig, ctx: Partial<BundleContext> = {}): RuntimeSpec =>
  buildSpec(SH_IMAGE, { HostConfig: hc }, fakeContext(ctx));

describe('withCapabilities', () => {
  it('gives the 14 defaults as bounding, effective and permitted, and no inheritable set', () => {
    const caps = build({}).process.capabilities;
    assert.deepEqual(caps, { bounding: [...DEFAULT_CAPABILITIES], effective: [...DEFAULT_CAPABILITIES], permitted: [...DEFAULT_CAPABILITIES] });
  });

  it('applies CapAdd and CapDrop', () => {
    const caps = build({ CapAdd: ['NET_ADMIN'], CapDrop: ['ALL'] }).process.capabilities;
    assert.deepEqual(caps?.bounding, ['CAP_NET_ADMIN']);
  });
});

describe('privileged containers', () => {
  const hostDevices = [{ type: 'c' as const, path: '/dev/kvm', major: 10, minor: 232 }];
  const spec = build({ Privileged: true }, { hostDevices });

  it('get every capability the host has, no seccomp, no masked or read-only paths', () => {
    assert.deepEqual(spec.process.capabilities?.bounding, fakeHost().capabilities);
    assert.equal(spec.linux.seccomp, undefined);
    assert.equal(spec.linux.maskedPaths, undefined);
    assert.equal(spec.linux.readonlyPaths, undefined);
  });

  it("get all devices allowed and the host's device nodes", () => {
    assert.deepEqual(spec.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
    assert.deepEqual(spec.linux.devices, hostDevices);
  });
});

describe('unprivileged containers', () => {
  const spec = build({});

  it("get Docker's masked and read-only paths", () => {
    assert.ok(spec.linux.maskedPaths?.includes('/proc/kcore'));
    assert.ok(spec.linux.maskedPaths?.includes('/sys/firmware'));
    assert.deepEqual(spec.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it("get Docker's device rules: deny all, a few allowed, tun denied", () => {
    const rules = spec.linux.resources?.devices ?? [];
    assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
    assert.ok(rules.some((r) => r.allow && r.major === 1 && r.minor === 3));
    assert.deepEqual(rules.at(-1), { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' });
    assert.deepEqual(spec.linux.devices, []);
  });

  it("get Docker's default seccomp profile, and may privilege-escalate unless no-new-privileges", () => {
    assert.equal(spec.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(spec.process.noNewPrivileges, false);
    assert.equal(build({ SecurityOpt: ['no-new-privileges'] }).process.noNewPrivileges, true);
    assert.equal(build({ SecurityOpt: ['no-new-privileges=false'] }).process.noNewPrivileges, false);
  });
});

describe('withSeccomp', () => {
  it('sets none for seccomp=unconfined or a kernel without seccomp', () => {
    assert.equal(build({ SecurityOpt: ['seccomp=unconfined'] }).linux.seccomp, undefined);
    assert.equal(build({}, { host: fakeHost({ seccomp: false }) }).linux.seccomp, undefined);
  });

  it('uses a custom profile given as JSON and refuses one that does not parse', () => {
    const profile = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }] });
    assert.deepEqual(build({ SecurityOpt: [`seccomp=${profile}`] }).linux.seccomp, {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }],
    });
    assert.throws(() => build({ SecurityOpt: ['seccomp={nope'] }), (err) => isKind(err, 'invalid-argument'));
  });
});

describe('parseSecurityOpts', () => {
  it('reads the bare, = and deprecated : forms', () => {
    assert.deepEqual(parseSecurityOpts(['no-new-privileges', 'seccomp:unconfined', 'apparmor=unconfined', 'label=disable']), {
      noNewPrivileges: true,
      seccomp: 'unconfined',
      writableCgroups: false,
    });
  });

  it("refuses an unknown option with Docker's message", () => {
    assert.throws(() => parseSecurityOpts(['bogus']), /invalid --security-opt 1: "bogus"/);
    assert.throws(() => parseSecurityOpts(['bogus=1']), /invalid --security-opt 2: "bogus=1"/);
    assert.throws(() => parseSecurityOpts(['no-new-privileges=maybe']), (err) => isKind(err, 'invalid-argument'));
  });
});
