import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KNOWN_CAPABILITIES } from './capabilities.js';
import { listHostDevices, splitDeviceNumber } from './host-devices.js';
import { parseKernelVersion, parseLimits, probeHost } from './host-info.js';

describe('parseLimits', () => {
  it('reads soft and hard limits by name, unlimited as null', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max open files            1024                 20000                files     ',
      'Max cpu time              unlimited            unlimited            seconds   ',
      'Max processes             96365                96365                processes ',
    ].join('\n');
    assert.deepEqual(parseLimits(text), {
      nofile: { soft: 1024, hard: 20000 },
      cpu: { soft: null, hard: null },
      nproc: { soft: 96365, hard: 96365 },
    });
  });
});

describe('parseKernelVersion', () => {
  it('takes the numeric prefix of a release string', () => {
    assert.deepEqual(parseKernelVersion('6.18.44-fc-v595'), [6, 18, 44]);
    assert.deepEqual(parseKernelVersion('5.10'), [5, 10, 0]);
    assert.deepEqual(parseKernelVersion('weird'), [0, 0, 0]);
  });
});

describe('probeHost', () => {
  it('reports this machine: known capabilities, an open-files limit, a kernel version', async () => {
    const host = await probeHost();
    assert.ok(host.capabilities.length > 0);
    assert.ok(host.capabilities.every((cap) => KNOWN_CAPABILITIES.includes(cap)));
    assert.ok(host.rlimits['nofile'] !== undefined);
    assert.ok((host.kernelVersion[0] ?? 0) >= 3);
    assert.ok(host.cpuCount >= 1);
    assert.equal(host.arch, process.arch);
  });
});

describe('host devices', () => {
  it('splits a dev_t into major and minor as glibc does', () => {
    assert.deepEqual(splitDeviceNumber(0x0103n), { major: 1, minor: 3 });
    // glibc's makedev(0x12345, 0x6789a)
    const major = 0x12345n;
    const minor = 0x6789an;
    const dev = ((major & 0xfffff000n) << 32n) | ((major & 0xfffn) << 8n) | ((minor & 0xffffff00n) << 12n) | (minor & 0xffn);
    assert.deepEqual(splitDeviceNumber(dev), { major: 0x12345, minor: 0x6789a });
  });

  it('lists /dev/null as char device 1:3', async () => {
    const devices = await listHostDevices();
    const nul = devices.find((d) => d.path === '/dev/null');
    assert.deepEqual([nul?.type, nul?.major, nul?.minor], ['c', 1, 3]);
    assert.ok(!devices.some((d) => d.path.startsWith('/dev/pts/')));
  });
});
