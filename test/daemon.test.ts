/**
 * End to end: `moby daemon` with its real component processes, sockets, the real docker CLI
 * and a gRPC client that is not ours.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../lib/component/paths.js';
import { State, Health } from '../api/moby/component_registry/v1/component_registry.js';
import { probeWithPython } from './clients/grpc-probe.js';
import { RegistryClient } from '../lib/component/registry-client.js';
import { isKind } from '../lib/errdefs/index.js';
import { docker } from './support/docker-cli.js';
import { mobyBin, startEngine, type TestEngine } from './support/engine.js';
import { waitUntil } from './support/wait.js';

const manifests = join(repoRoot, 'manifests');
const run = promisify(execFile);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function componentLsJson(engine: TestEngine) {
  const { stdout } = await run(mobyBin, ['component', 'ls', '--json', '--exec-root', engine.execRoot]);
  return JSON.parse(stdout) as Array<{ name: string; pid: number; restarts: number; health: string; state: string; socket: string; lastReason: string }>;
}

describe('moby daemon, default manifest', () => {
  it('serves docker version and docker info to the real docker CLI, naming Moby Core', async (t) => {
    const engine = await startEngine(t);
    const v = await docker(engine.dockerEnv, ['version', '--format', '{{json .}}']);
    assert.equal(v.code, 0, v.stderr);
    const version = JSON.parse(v.stdout);
    assert.equal(version.Server.Platform.Name, 'Moby Core');
    assert.match(version.Server.Version, /^\d+\.\d+\.\d+/);
    assert.equal(version.Server.ApiVersion, '1.47');
    assert.equal(version.Server.Components[0].Name, 'Engine');
    const i = await docker(engine.dockerEnv, ['info', '--format', '{{json .}}']);
    assert.equal(i.code, 0, i.stderr);
    const info = JSON.parse(i.stdout);
    assert.equal(info.ServerVersion, version.Server.Version);
    assert.equal(info.DockerRootDir, engine.dataRoot);
    // the plain, human form works too
    const plain = await docker(engine.dockerEnv, ['version']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Server: Moby Core/);
  });

  it('answers a standard health check and the Version service on every component socket, from python grpcio', async (t) => {
    const engine = await startEngine(t);
    const components = await engine.components();
    assert.deepEqual(components.map((c) => c.name), ['init', 'core', 'engine-api']);
    for (const c of components) {
      const probe = await probeWithPython(c.socket);
      assert.equal(probe.health, 'SERVING', c.name);
      assert.equal(probe.version.component, c.name);
      assert.equal(probe.version.pid, c.pid);
      assert.deepEqual(probe.version.services.map((s) => s.name), c.services);
    }
  });

  it('lists components with name, services, socket, version, health, pid and restarts', async (t) => {
    const engine = await startEngine(t);
    const { stdout } = await run(mobyBin, ['component', 'ls', '--exec-root', engine.execRoot]);
    const [header, ...rows] = stdout.trim().split('\n');
    assert.match(header!, /^NAME\s+SERVICES\s+SOCKET\s+VERSION\s+HEALTH\s+STATE\s+PID\s+RESTARTS$/);
    assert.equal(rows.length, 3);
    assert.match(rows[2]!, /^engine-api\s+http-api-v1\s+\S+engine-api\.sock\s+\d+\.\d+\.\d+\s+SERVING\s+running\s+\d+\s+0$/);
  });

  it('brings a component killed with SIGKILL back to SERVING within 2 seconds, counting the restart', async (t) => {
    const engine = await startEngine(t);
    const before = (await componentLsJson(engine)).find((c) => c.name === 'engine-api')!;
    process.kill(before.pid, 'SIGKILL');
    const t0 = Date.now();
    await waitUntil(
      async () => {
        const c = (await engine.components()).find((x) => x.name === 'engine-api')!;
        return c.pid !== before.pid && c.state === State.STATE_RUNNING && c.health === Health.HEALTH_SERVING;
      },
      { timeoutMs: 2000, intervalMs: 10, what: 'engine-api to be back' },
    );
    const elapsed = Date.now() - t0;
    const after = (await componentLsJson(engine)).find((c) => c.name === 'engine-api')!;
    assert.equal(after.restarts, 1);
    assert.match(after.lastReason, /SIGKILL/);
    assert.ok(alive(engine.daemon.pid!), 'the daemon stays up');
    assert.equal((await probeWithPython(after.socket)).health, 'SERVING');
    const v = await docker(engine.dockerEnv, ['version', '--format', '{{.Server.Version}}']);
    assert.equal(v.code, 0, v.stderr);
    t.diagnostic(`engine-api back and SERVING ${elapsed} ms after SIGKILL`);
  });

  it('removes every component process and socket within 5 seconds of SIGTERM', async (t) => {
    const engine = await startEngine(t);
    const pids = (await engine.components()).map((c) => c.pid);
    const t0 = Date.now();
    const code = await engine.stop();
    assert.equal(code, 0, engine.output());
    await waitUntil(() => pids.every((p) => !alive(p)), { timeoutMs: 5000 - (Date.now() - t0), what: 'component processes to exit' });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(existsSync(join(engine.execRoot, 'components')), false);
    assert.equal(existsSync(engine.dockerSocket), false);
    assert.equal(existsSync(join(engine.execRoot, 'moby-daemon.json')), false);
  });

  it('restarts a component that stops answering its health checks', async (t) => {
    const engine = await startEngine(t, { env: { MOBY_HEALTHCHECK_INTERVAL_MS: '100', MOBY_HEALTHCHECK_TIMEOUT_MS: '200' } });
    const before = (await componentLsJson(engine)).find((c) => c.name === 'engine-api')!;
    process.kill(before.pid, 'SIGSTOP');
    t.after(() => {
      if (alive(before.pid)) process.kill(before.pid, 'SIGKILL');
    });
    await waitUntil(
      async () => {
        const c = (await componentLsJson(engine)).find((x) => x.name === 'engine-api')!;
        return c.pid !== before.pid && c.state === 'running' && c.health === 'SERVING';
      },
      { timeoutMs: 10_000, what: 'the frozen engine-api to be replaced' },
    );
    const after = (await componentLsJson(engine)).find((c) => c.name === 'engine-api')!;
    assert.equal(after.restarts, 1);
    assert.match(after.lastReason, /health check failed/);
    assert.equal(alive(before.pid), false);
  });

  it('marks a component FAILED when it dies more often than the restart limit, and stays up', async (t) => {
    const engine = await startEngine(t);
    for (let i = 0; i < 6; i++) {
      const c = (await componentLsJson(engine)).find((x) => x.name === 'engine-api')!;
      if (c.state === 'failed') break;
      await waitUntil(async () => (await componentLsJson(engine)).find((x) => x.name === 'engine-api')!.state === 'running', {
        timeoutMs: 10_000,
        what: 'engine-api running',
      });
      const running = (await componentLsJson(engine)).find((x) => x.name === 'engine-api')!;
      process.kill(running.pid, 'SIGKILL');
      await waitUntil(async () => (await componentLsJson(engine)).find((x) => x.name === 'engine-api')!.pid !== running.pid, {
        timeoutMs: 10_000,
        what: 'engine-api to die',
      });
    }
    await waitUntil(async () => (await componentLsJson(engine)).find((x) => x.name === 'engine-api')!.state === 'failed', {
      timeoutMs: 10_000,
      what: 'engine-api to be marked failed',
    });
    const failed = (await engine.components()).find((c) => c.name === 'engine-api')!;
    assert.equal(failed.state, State.STATE_FAILED);
    assert.equal(failed.health, Health.HEALTH_NOT_SERVING);
    assert.match(failed.lastReason, /died 6 times within 60s/);
    assert.ok(alive(engine.daemon.pid!));
  });
});

describe('component-registry', () => {
  it('resolves services to their component and streams health changes to watchers', async (t) => {
    const engine = await startEngine(t);
    const registry = new RegistryClient((await engine.components())[0]!.socket);
    t.after(() => registry.close());
    const api = await registry.resolve('http-api-v1');
    assert.equal(api.name, 'engine-api');
    assert.equal(api.socket, join(engine.execRoot, 'components', 'engine-api.sock'));
    await assert.rejects(registry.resolve('no-such-service'), (e: Error) => isKind(e, 'not-found'));
    const seen: string[] = [];
    const ended = new Promise<void>((resolve) => {
      const cancel = registry.watch(
        (c) => {
          if (c.name === 'engine-api') seen.push(`${State[c.state]}/${Health[c.health]}`);
          if (seen.length > 1 && seen.at(-1) === 'STATE_RUNNING/HEALTH_SERVING') cancel();
        },
        () => resolve(),
      );
    });
    await waitUntil(() => seen.length > 0, { timeoutMs: 5000, what: 'the first watch event' });
    process.kill(api.pid, 'SIGKILL');
    await ended;
    assert.equal(seen[0], 'STATE_RUNNING/HEALTH_SERVING');
    assert.ok(seen.includes('STATE_RESTARTING/HEALTH_NOT_SERVING'), seen.join(' '));
    assert.ok(seen.includes('STATE_STARTING/HEALTH_NOT_SERVING'), seen.join(' '));
  });
});

describe('moby daemon, other packagings', () => {
  it('runs everything in the daemon process with the all-in-one manifest', async (t) => {
    const engine = await startEngine(t, { manifest: join(manifests, 'all-in-one.yaml') });
    const components = await engine.components();
    assert.deepEqual(components.map((c) => c.name), ['engine']);
    assert.equal(components[0]!.pid, engine.daemon.pid);
    assert.equal((await probeWithPython(components[0]!.socket)).health, 'SERVING');
    const v = await docker(engine.dockerEnv, ['version', '--format', '{{.Server.Platform.Name}}']);
    assert.equal(v.stdout.trim(), 'Moby Core', v.stderr);
    assert.equal(await engine.stop(), 0);
    assert.equal(existsSync(engine.dockerSocket), false);
  });

  it('runs one process per service with the split manifest, and brings back any of them killed', async (t) => {
    const engine = await startEngine(t, { manifest: join(manifests, 'split.yaml') });
    const components = await engine.components();
    assert.deepEqual(components.map((c) => c.name), ['init', 'healthcheck', 'events', 'layers', 'images', 'volumes', 'networks', 'containers', 'engine-api']);
    assert.equal(new Set(components.map((c) => c.pid)).size, 9);
    for (const c of components) assert.equal((await probeWithPython(c.socket)).health, 'SERVING');
    const v = await docker(engine.dockerEnv, ['info', '--format', '{{.ServerVersion}}']);
    assert.equal(v.code, 0, v.stderr);
    for (const victim of components.filter((c) => c.pid !== engine.daemon.pid)) {
      process.kill(victim.pid, 'SIGKILL');
      await waitUntil(
        async () => {
          const c = (await engine.components()).find((x) => x.name === victim.name)!;
          return c.pid !== victim.pid && c.state === State.STATE_RUNNING && c.health === Health.HEALTH_SERVING;
        },
        { timeoutMs: 2000, intervalMs: 10, what: `${victim.name} to be back` },
      );
    }
    assert.deepEqual((await engine.components()).map((c) => c.restarts), [0, 1, 1, 1, 1, 1, 1, 1, 1]);
    const after = await docker(engine.dockerEnv, ['images']);
    assert.equal(after.code, 0, after.stderr);
  });
});

describe('moby daemon, refusals', () => {
  it('refuses a manifest with a cycle before starting anything, naming the culprits', async (t) => {
    const dir = join('/tmp', `mcm-${process.pid}`);
    await run('mkdir', ['-p', dir]);
    t.after(() => run('rm', ['-rf', dir]));
    const manifest = join(dir, 'cycle.yaml');
    await writeFile(
      manifest,
      `version: 1\ncomponents:\n  - name: init\n    placement: inline\n    services: [component-init, component-registry]\n  - name: hc\n    services: [component-healthcheck]\n    requires: [component-registry, component-init, http-api-v1]\n  - name: api\n    services: [http-api-v1]\n    requires: [component-registry, component-healthcheck]\n`,
    );
    const execRoot = join(dir, 'run');
    const r = await run(mobyBin, ['daemon', '--manifest', manifest, '--exec-root', execRoot, '--data-root', join(dir, 'data')]).catch((e) => e);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /requirements form a cycle: hc -> api -> hc/);
    assert.equal(existsSync(execRoot), false, 'nothing was started');
  });

  it('refuses an unknown key in the manifest, naming it', async (t) => {
    const dir = join('/tmp', `mcu-${process.pid}`);
    await run('mkdir', ['-p', dir]);
    t.after(() => run('rm', ['-rf', dir]));
    const manifest = join(dir, 'bad.yaml');
    await writeFile(manifest, `version: 1\ncomponents:\n  - name: init\n    placement: inline\n    services: [component-init, component-registry]\n    restart: always\n`);
    const r = await run(mobyBin, ['daemon', '--manifest', manifest, '--exec-root', join(dir, 'run')]).catch((e) => e);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /component "init": unknown key "restart"/);
  });

  it('fails to start, naming the component, when a component never serves, and leaves nothing running', async (t) => {
    const dir = join('/tmp', `mcf-${process.pid}`);
    await run('mkdir', ['-p', dir]);
    t.after(() => run('rm', ['-rf', dir]));
    const manifest = join(dir, 'broken.yaml');
    await writeFile(
      manifest,
      `version: 1\ncomponents:\n  - name: init\n    placement: inline\n    services: [component-init, component-registry, component-healthcheck]\n  - name: api\n    services: [http-api-v1]\n    requires: [component-registry]\n    command: [/bin/false]\n`,
    );
    const execRoot = join(dir, 'run');
    const r = await run(mobyBin, ['daemon', '--manifest', manifest, '--exec-root', execRoot, '--data-root', join(dir, 'data')], { timeout: 60_000 }).catch((e) => e);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /component api: .*exited with code 1/);
    const left = existsSync(join(execRoot, 'components')) ? readdirSync(join(execRoot, 'components')) : [];
    assert.deepEqual(left, []);
  });
});
