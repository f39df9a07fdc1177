import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import type { SpecSeccomp } from './oci-types.js';
import { DEFAULT_SECCOMP_PROFILE, type SeccompProfile } from './seccomp-default.js';
import { kernelAtLeast, seccompFromProfile } from './seccomp.js';

const defaultFor = (caps: readonly string[], arch = 'x64', kernelVersion = [6, 1, 0]): SpecSeccomp =>
  seccompFromProfile(DEFAULT_SECCOMP_PROFILE, { capabilities: caps, arch, kernelVersion });

const allowed = (seccomp: SpecSeccomp, name: string): boolean =>
  (seccomp.syscalls ?? []).some((s) => s.action === 'SCMP_ACT_ALLOW' && s.names.includes(name) && !s.args);

describe('seccompFromProfile with the default profile', () => {
  const seccomp = defaultFor(DEFAULT_CAPABILITIES);

  it('denies by default with EPERM and lists the x86 family on amd64', () => {
    assert.equal(seccomp.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(seccomp.defaultErrnoRet, 1);
    assert.deepEqual(seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  });

  it('allows ordinary syscalls and arch_prctl on amd64, not the arm-only ones', () => {
    for (const name of ['read', 'execve', 'openat', 'arch_prctl', 'chroot']) assert.ok(allowed(seccomp, name), name);
    assert.ok(!allowed(seccomp, 'set_tls'));
  });

  it('leaves out mount, unshare, io_uring and module loading without the capabilities for them', () => {
    for (const name of ['mount', 'unshare', 'io_uring_setup', 'init_module', 'bpf', 'reboot']) {
      assert.ok(!(seccomp.syscalls ?? []).some((s) => s.names.includes(name) && s.action === 'SCMP_ACT_ALLOW' && !s.args), name);
    }
  });

  it('allows ptrace on a kernel of 4.8 or later only', () => {
    assert.ok(allowed(defaultFor(DEFAULT_CAPABILITIES, 'x64', [4, 8, 0]), 'ptrace'));
    assert.ok(!allowed(defaultFor(DEFAULT_CAPABILITIES, 'x64', [4, 4, 0]), 'ptrace'));
  });

  it('restricts clone to no namespace flags and makes clone3 fail with ENOSYS without CAP_SYS_ADMIN', () => {
    const clone = seccomp.syscalls?.find((s) => s.names.includes('clone'));
    assert.deepEqual(clone?.args, [{ index: 0, value: 0x7e020000, op: 'SCMP_CMP_MASKED_EQ' }]);
    const clone3 = seccomp.syscalls?.find((s) => s.names.includes('clone3'));
    assert.deepEqual([clone3?.action, clone3?.errnoRet], ['SCMP_ACT_ERRNO', 38]);
  });

  it('allows mount and an unrestricted clone with CAP_SYS_ADMIN', () => {
    const admin = defaultFor([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
    assert.ok(allowed(admin, 'mount') && allowed(admin, 'clone') && allowed(admin, 'clone3'));
    assert.ok(!admin.syscalls?.some((s) => s.names.includes('clone') && s.args));
  });

  it('forbids AF_VSOCK sockets through an argument rule', () => {
    const socket = seccomp.syscalls?.find((s) => s.names.includes('socket'));
    assert.deepEqual(socket?.args, [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]);
  });

  it('picks the arm rules and the aarch64 arch map on arm64', () => {
    const arm = defaultFor(DEFAULT_CAPABILITIES, 'arm64');
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    assert.ok(allowed(arm, 'set_tls') && !allowed(arm, 'arch_prctl'));
  });
});

describe('seccompFromProfile with a custom profile', () => {
  it('keeps its explicit architectures and a single-name rule', () => {
    const profile: SeccompProfile = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ name: 'chmod', action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    };
    const seccomp = seccompFromProfile(profile, { capabilities: [], arch: 'x64', kernelVersion: [6, 1] });
    assert.deepEqual(seccomp, {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    });
  });
});

describe('kernelAtLeast', () => {
  it('compares versions part by part', () => {
    assert.ok(kernelAtLeast([6, 18, 44], '4.8'));
    assert.ok(kernelAtLeast([4, 8, 0], '4.8'));
    assert.ok(!kernelAtLeast([4, 7, 99], '4.8'));
    assert.ok(!kernelAtLeast([3, 99], '4.8'));
  });
});
