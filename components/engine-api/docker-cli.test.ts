/** The real docker CLI against our server: what users run must work unchanged. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestEngine, type TestEngine } from './test-engine.js';

const dockerPath = findOnPath('docker');
const skip = dockerPath === undefined && 'the docker CLI is not installed';

let engine: TestEngine;
before(async () => {
  if (skip) return;
  engine = await startTestEngine({ host: undefined }); // the real host facts, runc included
});
after(() => engine?.close());

interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

function docker(args: string[], env: Record<string, string> = {}): Promise<DockerResult> {
  return new Promise((resolve) => {
    const fullEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: engine.dir,
      DOCKER_CONFIG: join(engine.dir, 'docker-config'),
      DOCKER_HOST: `unix://${engine.socketPath}`,
      ...env,
    };
    execFile(dockerPath!, args, { env: fullEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('docker version shows the Moby Core server and negotiates API 1.47', { skip }, async () => {
  const res = await docker(['version', '--format', '{{json .}}']);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.Server.Platform.Name, 'Moby Core');
  assert.equal(out.Server.Version, '0.1.0-test');
  assert.equal(out.Server.ApiVersion, '1.47');
  assert.equal(out.Client.ApiVersion, '1.47');
  assert.equal(out.Server.Components[0].Name, 'Engine');
});

test('docker info shows our server version, root and ID', { skip }, async () => {
  const res = await docker(['info', '--format', '{{json .}}']);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.ServerVersion, '0.1.0-test');
  assert.equal(out.DockerRootDir, engine.dataRoot);
  assert.match(out.ID, /^[0-9a-f-]{36}$/);
  assert.equal(out.ServerErrors, undefined);
});

test('docker version with DOCKER_API_VERSION=1.44 talks API 1.44', { skip }, async () => {
  const res = await docker(['version', '--format', '{{.Client.APIVersion}} {{.Server.Platform.Name}}'], {
    DOCKER_API_VERSION: '1.44',
  });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout.trim(), '1.44 Moby Core');
});

test('docker version with DOCKER_API_VERSION=1.99 is refused with our message', { skip }, async () => {
  const res = await docker(['version'], { DOCKER_API_VERSION: '1.99' });
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /client version 1\.99 is too new\. Maximum supported API version is 1\.47/);
});

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
