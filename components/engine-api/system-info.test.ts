import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { rfc3339Nano, systemInfo, type SystemInfoInput } from './system-info.js';
import { fakeHost } from './test-engine.js';

const input: SystemInfoInput = {
  id: 'e1d2',
  version: '0.1.0',
  dataRoot: '/var/lib/moby',
  backingFilesystem: 'extfs',
  host: fakeHost,
  counts: { containers: 3, running: 1, paused: 0, stopped: 2, images: 5 },
  now: new Date('2026-11-23T16:38:09.631Z'),
  env: {},
};

/**
 * The property names of SystemInfo in the reference OpenAPI file, which lives outside the
 * repository (`<ancestor>/shared/reference/`); found from here or from the compiled copy.
 */
function openApiInfoFields(): string[] {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'shared/reference/docker-engine-api.yaml'))) {
    if (dirname(dir) === dir) throw new Error('reference spec not found');
    dir = dirname(dir);
  }
  const text = readFileSync(join(dir, 'shared/reference/docker-engine-api.yaml'), 'utf8');
  const spec = parse(text) as { definitions: { SystemInfo: { properties: object } } };
  return Object.keys(spec.definitions.SystemInfo.properties);
}

const specFields = specFieldsOrUndefined();

test('systemInfo has every field the OpenAPI SystemInfo lists', { skip: !specFields && 'reference spec not present' }, () => {
  const info = systemInfo(input);
  const missing = specFields!.filter((field) => !(field in info));
  assert.deepEqual(missing, []);
});

test('systemInfo reports the ID, counts, root, driver and host facts', () => {
  const info = systemInfo(input);
  assert.equal(info.ID, 'e1d2');
  assert.deepEqual(
    [info.Containers, info.ContainersRunning, info.ContainersPaused, info.ContainersStopped, info.Images],
    [3, 1, 0, 2, 5],
  );
  assert.equal(info.DockerRootDir, '/var/lib/moby');
  assert.equal(info.Driver, 'overlay2');
  assert.deepEqual(info.DriverStatus, [['Backing Filesystem', 'extfs']]);
  assert.equal(info.NCPU, 3);
  assert.equal(info.MemTotal, 1234567);
  assert.equal(info.Name, 'testhost');
  assert.equal(info.OperatingSystem, 'Test OS 1 (fake)');
  assert.equal(info.CgroupVersion, '1');
  assert.equal(info.ServerVersion, '0.1.0');
  assert.equal(info.SystemTime, '2026-11-23T16:38:09.631Z');
  assert.deepEqual(info.Runtimes, { runc: { path: 'runc' } });
  assert.deepEqual(info.RuncCommit, { ID: '1.1.5+ds1-1+deb12u1', Expected: '1.1.5+ds1-1+deb12u1' });
  assert.deepEqual((info.RegistryConfig as { InsecureRegistryCIDRs: string[] }).InsecureRegistryCIDRs, ['127.0.0.0/8']);
  assert.equal((info.Swarm as { LocalNodeState: string }).LocalNodeState, 'inactive');
  assert.deepEqual(info.SecurityOptions, ['name=seccomp,profile=builtin']);
});

test('systemInfo has null Warnings when the host supports everything', () => {
  assert.equal(systemInfo(input).Warnings, null);
});

test('systemInfo warns in Docker\'s words about missing support and failed counts', () => {
  const host = { ...fakeHost, ipv4Forwarding: false, cgroup: { ...fakeHost.cgroup, swapLimit: false } };
  const info = systemInfo({ ...input, host, counts: undefined, countsError: 'image-store unavailable' });
  assert.deepEqual(info.Warnings, [
    'WARNING: No swap limit support',
    'WARNING: IPv4 forwarding is disabled',
    'WARNING: could not count containers and images: image-store unavailable',
  ]);
  assert.equal(info.Containers, 0);
});

test('systemInfo reports proxies from the environment with credentials masked', () => {
  const env = { HTTP_PROXY: 'http://user:secret@proxy:3128', https_proxy: 'https://proxy:3129/', NO_PROXY: 'localhost' };
  const info = systemInfo({ ...input, env });
  assert.equal(info.HttpProxy, 'http://xxxxx:xxxxx@proxy:3128');
  assert.equal(info.HttpsProxy, 'https://proxy:3129/');
  assert.equal(info.NoProxy, 'localhost');
});

test('rfc3339Nano trims trailing zeros of the fraction and drops a zero fraction', () => {
  assert.equal(rfc3339Nano(new Date('2026-11-23T16:38:09.630Z')), '2026-11-23T16:38:09.63Z');
  assert.equal(rfc3339Nano(new Date('2026-11-23T16:38:09.000Z')), '2026-11-23T16:38:09Z');
});

function specFieldsOrUndefined(): string[] | undefined {
  try {
    return openApiInfoFields();
  } catch {
    return undefined;
  }
}
