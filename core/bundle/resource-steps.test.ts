import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import type { BundleContext, HostConfig } from './container-options.js';
import type { RuntimeSpec } from './oci-types.js';
import { cpuResources, memoryResources, withCgroupsPath, withResources, withSysctls } from './resource-steps.js';
import { fakeHost, FAKE_ID, stepInput } from './test-fixtures.js';

const MiB = 1024 * 1024;
const memory = (hc: HostConfig, ctx: Partial<BundleContext> = {}) => memoryResources(stepInput({ HostConfig: hc }, ctx));
const cpu = (hc: HostConfig) => cpuResources(stepInput({ HostConfig: hc }));
const invalid = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err) => isKind(err, 'invalid-argument') && message.test((err as Error).message));
const draft = (): RuntimeSpec => ({ ociVersion: '', process: { user: { uid: 0, gid: 0 }, args: [], env: [], cwd: '/' }, root: { path: '' }, mounts: [], linux: { namespaces: [] } });

describe('memoryResources', () => {
  it('sets no memory section when nothing is asked', () => {
    assert.equal(memory({}), undefined);
  });

  it('limits memory and gives swap twice the memory by default', () => {
    assert.deepEqual(memory({ Memory: 64 * MiB }), { limit: 64 * MiB, swap: 128 * MiB });
  });

  it('keeps an explicit swap, and sets none for -1 or where the host cannot limit swap', () => {
    assert.deepEqual(memory({ Memory: 64 * MiB, MemorySwap: 96 * MiB }), { limit: 64 * MiB, swap: 96 * MiB });
    assert.deepEqual(memory({ Memory: 64 * MiB, MemorySwap: -1 }), { limit: 64 * MiB });
    assert.deepEqual(memory({ Memory: 64 * MiB }, { host: fakeHost({ swapLimit: false }) }), { limit: 64 * MiB });
  });

  it('passes reservation and swappiness through', () => {
    assert.deepEqual(memory({ MemoryReservation: 32 * MiB, MemorySwappiness: 10 }), { reservation: 32 * MiB, swappiness: 10 });
  });

  it("refuses what Docker refuses, with Docker's messages", () => {
    invalid(() => memory({ Memory: 1 * MiB }), /^Minimum memory limit allowed is 6MB$/);
    invalid(() => memory({ Memory: 64 * MiB, MemorySwap: 32 * MiB }), /Minimum memoryswap limit should be larger/);
    invalid(() => memory({ MemorySwap: 64 * MiB }), /always set the Memory limit/);
    invalid(() => memory({ MemorySwappiness: 101 }), /valid memory swappiness range is 0-100/);
  });
});

describe('cpuResources', () => {
  it('turns NanoCpus into a quota over a 100ms period, as Docker does', () => {
    assert.deepEqual(cpu({ NanoCpus: 1_500_000_000 }), { period: 100000, quota: 150000 });
    assert.deepEqual(cpu({ NanoCpus: 10_000_000 }), { period: 100000, quota: 1000 });
  });

  it('passes shares, cpuset, period and quota through', () => {
    assert.deepEqual(cpu({ CpuShares: 512, CpusetCpus: '0-1', CpusetMems: '0', CpuPeriod: 50000, CpuQuota: 25000 }), {
      shares: 512,
      cpus: '0-1',
      mems: '0',
      period: 50000,
      quota: 25000,
    });
  });

  it("refuses conflicting or out-of-range values, with Docker's messages", () => {
    invalid(() => cpu({ NanoCpus: 1e9, CpuPeriod: 100000 }), /Nano CPUs and CPU Period cannot both be set/);
    invalid(() => cpu({ NanoCpus: 1e9, CpuQuota: 100000 }), /Nano CPUs and CPU Quota cannot both be set/);
    invalid(() => cpu({ NanoCpus: 3e9 }), /^range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available$/);
    invalid(() => cpu({ CpuPeriod: 500 }), /CPU cfs period can not be less than 1ms/);
    invalid(() => cpu({ CpuQuota: 999 }), /CPU cfs quota can not be less than 1ms/);
    invalid(() => cpu({ CpuShares: -1 }), /invalid CPU shares/);
  });
});

describe('withResources pids', () => {
  const pids = (limit: number | null | undefined) => {
    const spec = draft();
    withResources(spec, stepInput({ HostConfig: { PidsLimit: limit } }));
    return spec.linux.resources?.pids;
  };

  it('sets the limit when positive, -1 (unlimited) when zero or negative, nothing when unset', () => {
    assert.deepEqual(pids(50), { limit: 50 });
    assert.deepEqual(pids(0), { limit: -1 });
    assert.deepEqual(pids(-5), { limit: -1 });
    assert.equal(pids(null), undefined);
    assert.equal(pids(undefined), undefined);
  });
});

describe('withCgroupsPath', () => {
  it('puts the container under the engine parent, or the user one', () => {
    const spec = draft();
    withCgroupsPath(spec, stepInput({}));
    assert.equal(spec.linux.cgroupsPath, `/moby/${FAKE_ID}`);
    withCgroupsPath(spec, stepInput({ HostConfig: { CgroupParent: 'ci' } }, { cgroupParent: '/engine' }));
    assert.equal(spec.linux.cgroupsPath, `/ci/${FAKE_ID}`);
  });
});

describe('withSysctls', () => {
  const sysctls = (hc: HostConfig, ctx: Partial<BundleContext> = {}) => {
    const spec = draft();
    withSysctls(spec, stepInput({ HostConfig: hc }, ctx));
    return spec.linux.sysctl;
  };

  it("sets Docker's ping and unprivileged-port sysctls in the container's own network namespace", () => {
    assert.deepEqual(sysctls({}), { 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' });
  });

  it('leaves them out on the host network or when the kernel lacks them; user values win', () => {
    assert.deepEqual(sysctls({ NetworkMode: 'host', Sysctls: { 'kernel.msgmax': '1' } }), { 'kernel.msgmax': '1' });
    assert.deepEqual(sysctls({}, { host: fakeHost({ sysctls: [] }) }), {});
    assert.equal(sysctls({ Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '1024' } })?.['net.ipv4.ip_unprivileged_port_start'], '1024');
  });

  it('refuses a net. sysctl on the host network', () => {
    invalid(() => sysctls({ NetworkMode: 'host', Sysctls: { 'net.core.somaxconn': '1' } }), /not allowed in host network mode/);
  });
});
