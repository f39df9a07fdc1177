import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { goArchOf, LocalHostFacts } from './host-facts.js';

async function fakeRoot(t: { after(fn: () => Promise<void>): void }): Promise<{ root: string; runtime: string; calls: string }> {
  const root = await mkdtemp(join(tmpdir(), 'hf-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'etc'));
  await writeFile(join(root, 'etc/os-release'), 'PRETTY_NAME="Fake Linux 7"\nVERSION_ID="7"\n');
  await mkdir(join(root, 'proc/sys/net/ipv4'), { recursive: true });
  await writeFile(join(root, 'proc/sys/net/ipv4/ip_forward'), '1\n');
  await mkdir(join(root, 'proc/self/fd'), { recursive: true });
  for (const fd of ['0', '1', '2']) await writeFile(join(root, 'proc/self/fd', fd), '');
  await writeFile(join(root, 'proc/self/status'), 'Name:\tnode\nSeccomp:\t0\n');
  await mkdir(join(root, 'sys/fs/cgroup/memory'), { recursive: true });
  await writeFile(join(root, 'sys/fs/cgroup/memory/memory.limit_in_bytes'), '');
  const calls = join(root, 'calls');
  const runtime = join(root, 'fake-runc');
  await writeFile(runtime, `#!/bin/sh\necho x >> '${calls}'\nprintf 'runc version 1.2.3\\ncommit: v1.2.3-0\\n'\n`);
  await chmod(runtime, 0o755);
  return { root, runtime, calls };
}

test('LocalHostFacts reads os-release, forwarding, fds, seccomp and cgroups under its root', async (t) => {
  const { root, runtime } = await fakeRoot(t);
  const facts = await new LocalHostFacts({ root, runtimePath: runtime }).read();
  assert.equal(facts.operatingSystem, 'Fake Linux 7');
  assert.equal(facts.osVersion, '7');
  assert.equal(facts.ipv4Forwarding, true);
  assert.equal(facts.openFds, 3);
  assert.equal(facts.seccomp, true);
  assert.equal(facts.cgroupVersion, '1');
  assert.equal(facts.cgroup.memoryLimit, true);
  assert.equal(facts.cgroup.swapLimit, false);
  assert.deepEqual(facts.runtime, { name: 'runc', version: '1.2.3', commit: 'v1.2.3-0' });
});

test('LocalHostFacts takes kernel, CPUs, memory, hostname and architecture from this machine', async (t) => {
  const { root, runtime } = await fakeRoot(t);
  const facts = await new LocalHostFacts({ root, runtimePath: runtime }).read();
  assert.equal(facts.kernelVersion, os.release());
  assert.equal(facts.ncpu, os.availableParallelism());
  assert.equal(facts.memTotal, os.totalmem());
  assert.equal(facts.hostname, os.hostname());
  assert.equal(facts.architecture, os.machine());
  assert.equal(facts.osType, 'linux');
});

test('LocalHostFacts asks the runtime for its version once per instance', async (t) => {
  const { root, runtime, calls } = await fakeRoot(t);
  const host = new LocalHostFacts({ root, runtimePath: runtime });
  await host.read();
  await host.read();
  await Promise.all([host.read(), host.read()]);
  assert.equal((await readFile(calls, 'utf8')).trim().split('\n').length, 1);
});

test('LocalHostFacts reports no runtime and no forwarding when they are missing', async (t) => {
  const { root } = await fakeRoot(t);
  await rm(join(root, 'proc/sys/net/ipv4/ip_forward'));
  const facts = await new LocalHostFacts({ root, runtimePath: join(root, 'missing-runc') }).read();
  assert.equal(facts.runtime, undefined);
  assert.equal(facts.ipv4Forwarding, false);
});

test('goArchOf spells Node architectures the way Go does', () => {
  assert.equal(goArchOf('x64'), 'amd64');
  assert.equal(goArchOf('arm64'), 'arm64');
  assert.equal(goArchOf('ia32'), '386');
});
