/**
 * End to end: `docker push`, `docker pull` and `docker login` with the real docker CLI
 * against `moby daemon`, and Debian's `docker-registry` on 127.0.0.1 without auth, with
 * htpasswd basic auth and with bearer tokens; skopeo checks what the registry holds.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { push } from '../core/distribution/index.js';
import { buildImage, buildIndex, busyboxTar, tempLayerStore } from '../core/distribution/test-image.js';
import { startRegistry } from '../core/distribution/test-registry.js';
import { formatEventTime } from '../core/events/event-time.js';
import { startAuthRegistry, withOwnDockerConfig, type RegistryAuthMode } from './support/auth-registries.js';
import { writeBusyboxRootfs } from './support/busybox-rootfs.js';
import { docker } from './support/docker-cli.js';
import { engineRequest } from './support/engine-http.js';
import { startEngine, type TestEngine } from './support/engine.js';
import { waitUntil } from './support/wait.js';

const run = promisify(execFile);

async function ok(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<string> {
  const r = await docker(env, args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function inspect(env: NodeJS.ProcessEnv, ref: string): Promise<{ Id: string; RepoTags: string[]; RepoDigests: string[]; Architecture: string }> {
  return JSON.parse(await ok(env, ['image', 'inspect', ref]))[0];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Nanoseconds since the epoch, as `docker events --since/--until` take them. */
const now = () => formatEventTime(BigInt(Date.now()) * 1_000_000n);

describe('docker pull, push and login through the engine', { timeout: 300_000 }, () => {
  let engine: TestEngine;
  let dir: string;
  let rootfs: string;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    dir = await mkdtemp('/tmp/mcd-');
    rootfs = await writeBusyboxRootfs(join(dir, 'rootfs.tar'));
    engine = await startEngine({ after: (fn) => cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups) await fn();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Imports busybox, tags and pushes it (logging in first when the registry wants it), checks
   * with skopeo that the registry has the digest we reported, removes it, pulls it back and
   * finds the same image with its repo digest.
   */
  async function roundTrip(t: TestContext, mode: RegistryAuthMode): Promise<void> {
    const reg = await startAuthRegistry(t, mode);
    const env = await withOwnDockerConfig(t, engine.dockerEnv);
    const name = `${reg.host}/bb:1`;
    const id = (await ok(env, ['import', rootfs])).trim();
    await ok(env, ['tag', id, name]);
    if (reg.user !== undefined) {
      const refused = await docker(env, ['push', name]);
      assert.notEqual(refused.code, 0, 'a push without credentials is refused');
      assert.match(refused.stdout + refused.stderr, /unauthorized: authentication required/);
      const wrong = await docker(env, ['login', '-u', reg.user, '--password-stdin', reg.host], { input: 'wrong\n' });
      assert.notEqual(wrong.code, 0);
      const refusal = mode === 'basic'
        ? `login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized`
        : `Get "http://${reg.host}/v2/": unauthorized: incorrect username or password`;
      assert.match(wrong.stderr, new RegExp(`Error response from daemon: ${escape(refusal)}`));
      assert.match(await ok(env, ['login', '-u', reg.user, '-p', reg.password!, reg.host]), /Login Succeeded/);
    }
    const pushed = await ok(env, ['push', name]);
    assert.match(pushed, new RegExp(`^The push refers to repository \\[${escape(`${reg.host}/bb`)}\\]$`, 'm'));
    assert.match(pushed, /: Pushed$/m);
    const digest = /^1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(pushed)?.[1];
    assert.ok(digest, pushed);
    const creds = reg.user === undefined ? [] : ['--creds', `${reg.user}:${reg.password}`];
    const remote = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', ...creds, `docker://${name}`])).stdout) as { Digest: string };
    assert.equal(remote.Digest, digest, 'the registry has the digest we reported');
    assert.deepEqual((await inspect(env, name)).RepoDigests, [`${reg.host}/bb@${digest}`]);

    const removed = await ok(env, ['rmi', name]);
    assert.match(removed, new RegExp(`^Deleted: ${id}$`, 'm'));
    assert.notEqual((await docker(env, ['image', 'inspect', id])).code, 0);
    const pulled = await ok(env, ['pull', name]);
    assert.match(pulled, /: Pull complete$/m);
    assert.match(pulled, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.match(pulled, new RegExp(`^Status: Downloaded newer image for ${escape(name)}$`, 'm'));
    const image = await inspect(env, name);
    assert.equal(image.Id, id, 'the same image came back');
    assert.deepEqual(image.RepoTags, [name]);
    assert.deepEqual(image.RepoDigests, [`${reg.host}/bb@${digest}`]);
    assert.match(await ok(env, ['pull', name]), new RegExp(`^Status: Image is up to date for ${escape(name)}$`, 'm'));
    await ok(env, ['rmi', name]);
  }

  it('pushes an imported busybox to a registry without auth, skopeo sees our digest, and pulls it back with its RepoDigests', async (t) => {
    await roundTrip(t, 'none');
  });

  it('with htpasswd basic auth: refused without login, docker login checks the password, then push and pull', async (t) => {
    await roundTrip(t, 'basic');
  });

  it('with bearer tokens from a token server: refused without login, docker login checks the password, then push and pull', async (t) => {
    await roundTrip(t, 'token');
  });

  it('pulls the linux/amd64 entry of a multi-platform index pushed by the library, and another with --platform', async (t) => {
    const registry = await startRegistry(t);
    const store = await tempLayerStore(t);
    const amd64 = { os: 'linux', architecture: 'amd64' };
    const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };
    const forAmd64 = await buildImage(store, [await busyboxTar()], { platform: amd64 });
    const forArm64 = await buildImage(store, [await busyboxTar([{ name: 'etc/arch', content: 'arm64\n' }])], { platform: arm64 });
    const index = await buildIndex(store, [{ image: forAmd64, platform: amd64 }, { image: forArm64, platform: arm64 }]);
    const name = `${registry.host}/multi:1`;
    await push(name, { layers: store, manifest: index.bytes });

    const env = engine.dockerEnv;
    assert.match(await ok(env, ['pull', name]), new RegExp(`^Digest: ${index.digest}$`, 'm'));
    const image = await inspect(env, name);
    assert.equal(image.Id, forAmd64.configDigest);
    assert.equal(image.Architecture, 'amd64');
    assert.deepEqual(image.RepoDigests, [`${registry.host}/multi@${index.digest}`], 'the repo digest is the index\'s');
    await ok(env, ['pull', '--platform', 'linux/arm64', name]);
    const other = await inspect(env, name);
    assert.equal(other.Id, forArm64.configDigest);
    assert.equal(other.Architecture, 'arm64');
    await ok(env, ['rmi', name, forAmd64.configDigest]);
  });

  it('a missing tag answers Docker\'s plain 404 before any stream', async (t) => {
    const registry = await startRegistry(t);
    const message = `manifest for ${registry.host}/bb:nope not found: manifest unknown: manifest unknown`;
    const r = await docker(engine.dockerEnv, ['pull', `${registry.host}/bb:nope`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `Error response from daemon: ${message}`);
    const raw = await engineRequest(engine.dockerSocket, 'POST', `/v1.44/images/create?fromImage=${encodeURIComponent(`${registry.host}/bb`)}&tag=nope`, undefined, { 'X-Registry-Auth': 'e30=' });
    assert.equal(raw.status, 404);
    assert.equal(raw.headers['content-type'], 'application/json');
    assert.equal(raw.body, `${JSON.stringify({ message })}\n`);
  });

  it('docker events shows tag, push and pull in order', async (t) => {
    const registry = await startRegistry(t);
    const env = engine.dockerEnv;
    const before = now();
    const id = (await ok(env, ['import', rootfs])).trim();
    // Events are stamped as the events service takes them: the import's must be in before t0.
    await waitForImageEvents(env, before, (seen) => seen.includes(`import ${id} ${id}`));
    const t0 = now();
    const name = `${registry.host}/ev:1`;
    await ok(env, ['tag', id, name]);
    await ok(env, ['push', name]);
    await ok(env, ['rmi', name]);
    await ok(env, ['pull', name]);
    const seen = await waitForImageEvents(env, t0, (lines) => lines.some((l) => l.startsWith('pull ')));
    assert.deepEqual(seen, [`tag ${id} ${name}`, `push ${name} ${registry.host}/ev`, `untag ${id} ${id}`, `delete ${id} ${id}`, `pull ${name} ${registry.host}/ev`]);
    await ok(env, ['rmi', name]);
  });
});

/** Polls `docker events --since since --until <now> --filter type=image` until `done` holds; returns `action id name` lines. */
async function waitForImageEvents(env: NodeJS.ProcessEnv, since: string, done: (lines: string[]) => boolean): Promise<string[]> {
  let lines: string[] = [];
  await waitUntil(async () => {
    const out = await ok(env, ['events', '--since', since, '--until', now(), '--filter', 'type=image', '--format', '{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "name"}}']);
    lines = out.split('\n').filter((l) => l !== '');
    return done(lines);
  }, { timeoutMs: 15_000, intervalMs: 50, what: () => `image events; seen:\n${lines.join('\n')}` });
  return lines;
}
