/**
 * Registries for end-to-end tests of pull, push and login: Debian's `docker-registry` on
 * 127.0.0.1 (core/distribution/test-registry.ts) without auth, with htpasswd basic auth, or
 * with bearer tokens from the test token server; and a docker CLI environment with its own
 * config directory, so `docker login` writes credentials where only this test reads them.
 * Everything is removed when the test ends, pass or fail.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { startRegistry, type TestRegistry } from '../../core/distribution/test-registry.js';
import { startTokenServer } from '../../core/distribution/test-token-server.js';

const run = promisify(execFile);

export type RegistryAuthMode = 'none' | 'basic' | 'token';

export interface AuthRegistry {
  registry: TestRegistry;
  /** `127.0.0.1:<port>` */
  host: string;
  /** The credentials it accepts (none for `none`). */
  user?: string;
  password?: string;
}

export const testUser = 'moby';
export const testPassword = 's3cret';

export async function startAuthRegistry(t: TestContext, mode: RegistryAuthMode): Promise<AuthRegistry> {
  if (mode === 'none') {
    const registry = await startRegistry(t);
    return { registry, host: registry.host };
  }
  if (mode === 'basic') {
    const dir = await tempDir(t, 'moby-htpasswd-');
    const path = join(dir, 'htpasswd');
    await writeFile(path, (await run('htpasswd', ['-Bbn', testUser, testPassword])).stdout);
    const registry = await startRegistry(t, { htpasswd: { path } });
    return { registry, host: registry.host, user: testUser, password: testPassword };
  }
  const tokens = await startTokenServer(t, testUser, testPassword);
  const registry = await startRegistry(t, {
    token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.certPath },
  });
  return { registry, host: registry.host, user: testUser, password: testPassword };
}

/** `env` with a fresh, empty `DOCKER_CONFIG` (no credentials, no helpers). */
export async function withOwnDockerConfig(t: TestContext, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  return { ...env, DOCKER_CONFIG: await tempDir(t, 'moby-docker-config-') };
}

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join('/tmp', prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
