import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { cgroup2SuperMagic, cgroupVersionOf, detectCgroupFeatures, detectCgroupVersion } from './cgroup-info.js';

async function tree(t: { after(fn: () => Promise<void>): void }, files: string[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cg-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  for (const file of files) {
    if (file.endsWith('/')) {
      await mkdir(join(root, file), { recursive: true });
    } else {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await writeFile(join(root, file), '');
    }
  }
  return root;
}

test('cgroupVersionOf says "2" only for the cgroup2 filesystem magic', () => {
  assert.equal(cgroupVersionOf(cgroup2SuperMagic), '2');
  assert.equal(cgroupVersionOf(0x01021994), '1'); // tmpfs root of a v1 or hybrid host
});

test('detectCgroupVersion reads a non-cgroup2 directory as "1" and a missing one as "1"', async (t) => {
  const root = await tree(t, []);
  assert.equal(await detectCgroupVersion(root), '1');
  assert.equal(await detectCgroupVersion(join(root, 'missing')), '1');
});

test('detectCgroupFeatures on v1 reports each controller file that exists', async (t) => {
  const root = await tree(t, [
    'memory/memory.limit_in_bytes',
    'memory/memory.oom_control',
    'cpu/cpu.cfs_period_us',
    'cpu/cpu.shares',
    'pids/',
  ]);
  assert.deepEqual(await detectCgroupFeatures(root, '1'), {
    memoryLimit: true,
    swapLimit: false,
    oomKillDisable: true,
    cpuCfsPeriod: true,
    cpuCfsQuota: false,
    cpuShares: true,
    cpuSet: false,
    pidsLimit: true,
  });
});

test('detectCgroupFeatures on v2 reads cgroup.controllers and never claims oom-kill-disable', async (t) => {
  const root = await tree(t, []);
  await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
  assert.deepEqual(await detectCgroupFeatures(root, '2'), {
    memoryLimit: true,
    swapLimit: true,
    oomKillDisable: false,
    cpuCfsPeriod: true,
    cpuCfsQuota: true,
    cpuShares: true,
    cpuSet: true,
    pidsLimit: true,
  });
});

test('detectCgroupFeatures on v2 without cgroup.controllers reports nothing supported', async (t) => {
  const root = await tree(t, []);
  const features = await detectCgroupFeatures(root, '2');
  assert.ok(Object.values(features).every((v) => v === false));
});
