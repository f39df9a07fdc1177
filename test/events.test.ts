/**
 * End to end: `docker events` from the real docker CLI against `moby daemon` with its real
 * components: the component events init publishes (`Type: "daemon"`, see
 * components/init/component-event-publisher.ts), image operations in between, the events
 * component killed in the split packaging, and the log across a whole-engine restart.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Health, State, type Component } from '../api/moby/component_registry/v1/component_registry.js';
import { formatEventTime } from '../core/events/event-time.js';
import { repoRoot } from '../lib/component/paths.js';
import { writeBusyboxRootfs } from './support/busybox-rootfs.js';
import { docker } from './support/docker-cli.js';
import { startEngine, type TestEngine } from './support/engine.js';
import { waitUntil } from './support/wait.js';

/** No health probe during a test (the first would come after ten minutes): the sequences are exact. */
const noProbes = { MOBY_HEALTHCHECK_INTERVAL_MS: '600000' };
const splitManifest = join(repoRoot, 'manifests', 'split.yaml');

interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  /** Read from the JSON text: past what a number holds exactly. */
  timeNano: bigint;
}

/** Nanoseconds since the epoch, as `docker events --since/--until` takes them. */
function now(): string {
  return formatEventTime(BigInt(Date.now()) * 1_000_000n);
}

async function ok(engine: TestEngine, args: string[]): Promise<string> {
  const r = await docker(engine.dockerEnv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `docker events --since since --until until [filters]`, parsed. */
async function events(engine: TestEngine, since: string, until: string, filters: string[] = []): Promise<DockerEvent[]> {
  const args = ['events', '--since', since, '--until', until, ...filters.flatMap((f) => ['--filter', f]), '--format', '{{json .}}'];
  const out = await ok(engine, args);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ({ ...(JSON.parse(l) as DockerEvent), timeNano: BigInt(/"timeNano":(\d+)/.exec(l)![1]!) }));
}

/** One line per event: `daemon component-die core pid=123`, `image tag busybox:x`. */
function line(e: DockerEvent): string {
  if (e.Type === 'daemon') return `daemon ${e.Action} ${e.Actor.ID}${e.Actor.Attributes.pid ? ` pid=${e.Actor.Attributes.pid}` : ''}`;
  return `${e.Type} ${e.Action} ${e.Actor.Attributes.name ?? e.Actor.ID}`;
}

/**
 * Events are stamped when the events service takes them, a moment after what caused them:
 * waits until `docker events --since since` shows one matching `want`, and returns them all.
 */
async function waitForEvent(engine: TestEngine, since: string, want: string, filters: string[] = []): Promise<DockerEvent[]> {
  let seen: DockerEvent[] = [];
  await waitUntil(
    async () => {
      seen = await events(engine, since, now(), filters);
      return seen.some((e) => line(e) === want);
    },
    { timeoutMs: 15_000, intervalMs: 50, what: () => `"${want}" among the events; seen:\n${seen.map(line).join('\n')}` },
  );
  return seen;
}

async function byName(engine: TestEngine): Promise<Record<string, Component>> {
  return Object.fromEntries((await engine.components()).map((c) => [c.name, c]));
}

/** SIGKILLs a component's process and waits until init has it running and serving again. */
async function killAndWait(engine: TestEngine, c: Component): Promise<Component> {
  process.kill(c.pid, 'SIGKILL');
  return waitBack(engine, c);
}

async function waitBack(engine: TestEngine, c: Component): Promise<Component> {
  let back: Component | undefined;
  await waitUntil(
    async () => {
      back = (await byName(engine))[c.name];
      return !!back && back.pid !== c.pid && back.state === State.STATE_RUNNING && back.health === Health.HEALTH_SERVING;
    },
    { timeoutMs: 15_000, what: `${c.name} to be back after its process ${c.pid} was killed` },
  );
  return back!;
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp('/tmp/mcev-');
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('docker events, end to end', { timeout: 120_000 }, () => {
  it('replays a run with --since and --until: components starting, image operations, a component killed and back, in order', async (t) => {
    const dir = await tempDir(t);
    const rootfs = await writeBusyboxRootfs(join(dir, 'rootfs.tar'));
    const t0 = now();
    const engine = await startEngine(t, { env: noProbes });
    const before = await byName(engine);

    const id = (await ok(engine, ['import', rootfs, 'busybox:events'])).trim();
    await ok(engine, ['tag', 'busybox:events', 'busybox:events2']);
    // The image-store publishes asynchronously: before killing it, its events must be in.
    await waitForEvent(engine, t0, 'image tag busybox:events2');
    const images = await killAndWait(engine, before.core!);
    await ok(engine, ['rmi', 'busybox:events2']);
    await ok(engine, ['rmi', 'busybox:events']);
    await waitForEvent(engine, t0, `daemon component-start core pid=${images.pid}`);
    await waitForEvent(engine, t0, `image delete ${id}`);
    const t1 = now();

    const seen = await events(engine, t0, t1);
    assert.deepEqual(seen.map(line), [
      `daemon component-start init pid=${before.init!.pid}`,
      `daemon component-start core pid=${before.core!.pid}`,
      `daemon component-start engine-api pid=${before['engine-api']!.pid}`,
      // Docker's image events (moby's ImportImage, TagImage, ImageDelete): `name` is the
      // reference for tags, the image ID otherwise.
      'image tag busybox:events',
      `image import ${id}`,
      'image tag busybox:events2',
      `daemon component-die core pid=${before.core!.pid}`,
      'daemon component-restart core',
      `daemon component-start core pid=${images.pid}`,
      `image untag ${id}`,
      `image untag ${id}`,
      `image delete ${id}`,
    ]);
    const die = seen.find((e) => e.Action === 'component-die')!;
    assert.deepEqual(die.Actor.Attributes, { name: 'core', services: 'layer-store,image-store,plugin-store,volume-store,volume-runtime,network-store,network-runtime,container-store,container-rootfs,container-logs,container-runtime', pid: String(before.core!.pid), reason: 'killed by SIGKILL' });
    assert.equal(seen.find((e) => e.Action === 'component-restart')!.Actor.Attributes.reason, 'killed by SIGKILL');
    assert.ok(seen.every((e, i) => i === 0 || e.timeNano > seen[i - 1]!.timeNano), 'in stamp order');
    // Both ends of the window are honoured, to the nanosecond.
    const dieAt = formatEventTime(die.timeNano);
    const d = seen.indexOf(die);
    assert.deepEqual((await events(engine, t0, dieAt)).map(line), seen.slice(0, d + 1).map(line));
    assert.deepEqual((await events(engine, dieAt, t1)).map(line), seen.slice(d).map(line));
  });

  it('streams live with --filter type=daemon --filter event=component-die: only the deaths, as they happen', async (t) => {
    const engine = await startEngine(t, { env: noProbes });
    const format = '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.pid}}';
    // --since closes the race between the CLI subscribing and the first kill; the second kill
    // comes after the first death was printed, so it can only reach the CLI live.
    const args = ['events', '--since', now(), '--filter', 'type=daemon', '--filter', 'event=component-die', '--format', format];
    const cli = spawn('docker', args, { env: engine.dockerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    t.after(async () => {
      if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const printed = (n: number) =>
      waitUntil(
        () => {
          if (cli.exitCode !== null) throw new Error(`docker events exited with ${cli.exitCode}: ${stderr}`);
          return stdout.split('\n').length > n;
        },
        { timeoutMs: 15_000, what: () => `${n} line(s) from docker events; got ${JSON.stringify(stdout)} ${stderr}` },
      );

    const first = (await byName(engine)).core!;
    const second = await killAndWait(engine, first);
    await printed(1);
    assert.equal(stdout, `daemon component-die core ${first.pid}\n`);
    await killAndWait(engine, second);
    await printed(2);
    cli.kill('SIGTERM');
    await exited;
    // Each death exactly once; the restarts and starts between them were filtered out.
    assert.equal(stdout, `daemon component-die core ${first.pid}\ndaemon component-die core ${second.pid}\n`);
  });

  it('split packaging: events killed with SIGKILL comes back, nothing else restarts, what was published meanwhile arrives, publishers reconnect', async (t) => {
    const t0 = now();
    const engine = await startEngine(t, { manifest: splitManifest, env: noProbes });
    const before = await byName(engine);
    assert.deepEqual(Object.keys(before), ['init', 'healthcheck', 'events', 'layers', 'images', 'volumes', 'networks', 'containers', 'engine-api']);

    const events2 = await killAndWait(engine, before.events!);
    // The death of `events` was published while it was down: init's publisher kept it, and
    // delivered it, in order, once the registry had events serving again.
    await waitForEvent(engine, t0, `daemon component-start events pid=${events2.pid}`);
    const aboutEvents = await events(engine, t0, now(), ['type=daemon', 'daemon=events']);
    assert.deepEqual(aboutEvents.map(line), [
      `daemon component-start events pid=${before.events!.pid}`,
      `daemon component-die events pid=${before.events!.pid}`,
      'daemon component-restart events',
      `daemon component-start events pid=${events2.pid}`,
    ]);

    const after = await byName(engine);
    for (const name of ['init', 'healthcheck', 'layers', 'images', 'volumes', 'networks', 'containers', 'engine-api']) {
      assert.equal(after[name]!.pid, before[name]!.pid, `${name} kept its process`);
      assert.equal(after[name]!.restarts, 0, name);
      assert.equal(after[name]!.state, State.STATE_RUNNING, name);
    }
    assert.equal(after.events!.restarts, 1);

    // Both publishers reconnected: init's (a new death is seen) and the image-store's, in a
    // process of its own (an import is seen).
    const t1 = now();
    const healthcheck2 = await killAndWait(engine, after.healthcheck!);
    const id = (await ok(engine, ['import', await writeBusyboxRootfs(join(await tempDir(t), 'rootfs.tar')), 'busybox:after-restart'])).trim();
    const daemonEvents = await waitForEvent(engine, t1, `daemon component-start healthcheck pid=${healthcheck2.pid}`, ['type=daemon']);
    assert.deepEqual(daemonEvents.map(line), [
      `daemon component-die healthcheck pid=${after.healthcheck!.pid}`,
      'daemon component-restart healthcheck',
      `daemon component-start healthcheck pid=${healthcheck2.pid}`,
    ]);
    const imageEvents = await waitForEvent(engine, t1, `image import ${id}`, ['type=image']);
    assert.deepEqual(imageEvents.map(line), ['image tag busybox:after-restart', `image import ${id}`]);
  });

  it('keeps the events log across a whole-engine restart on the same data root', async (t) => {
    const dataRoot = await mkdtemp('/tmp/mcev-data-');
    const cleanups: (() => Promise<void>)[] = [];
    t.after(async () => {
      for (const fn of cleanups) await fn();
      await rm(dataRoot, { recursive: true, force: true });
    });
    const hooks = { after: (fn: () => Promise<void>) => void cleanups.push(fn) };

    const t0 = now();
    const first = await startEngine(hooks, { dataRoot, env: noProbes });
    const a = await byName(first);
    await waitForEvent(first, t0, `daemon component-start engine-api pid=${a['engine-api']!.pid}`);
    assert.equal(await first.stop(), 0, first.output());

    const second = await startEngine(hooks, { dataRoot, env: noProbes });
    assert.equal(second.dataRoot, first.dataRoot);
    const b = await byName(second);
    await waitForEvent(second, t0, `daemon component-start engine-api pid=${b['engine-api']!.pid}`);
    const seen = await events(second, t0, now());
    assert.deepEqual(seen.map(line), [
      `daemon component-start init pid=${a.init!.pid}`,
      `daemon component-start core pid=${a.core!.pid}`,
      `daemon component-start engine-api pid=${a['engine-api']!.pid}`,
      // Stopped in reverse order; init's own stop is past what the events service can hear.
      `daemon component-stop engine-api pid=${a['engine-api']!.pid}`,
      `daemon component-stop core pid=${a.core!.pid}`,
      `daemon component-start init pid=${b.init!.pid}`,
      `daemon component-start core pid=${b.core!.pid}`,
      `daemon component-start engine-api pid=${b['engine-api']!.pid}`,
    ]);
  });

  it('tells of a component failing its health checks: unhealthy, then its death, restart and start', async (t) => {
    const t0 = now();
    const engine = await startEngine(t, { env: { MOBY_HEALTHCHECK_INTERVAL_MS: '100', MOBY_HEALTHCHECK_TIMEOUT_MS: '500' } });
    const frozen = (await byName(engine)).core!;
    process.kill(frozen.pid, 'SIGSTOP');
    let replaced = false;
    t.after(() => {
      if (replaced) return;
      try {
        process.kill(frozen.pid, 'SIGKILL');
      } catch {
        // gone with the engine's cleanup already
      }
    });
    const back = await waitBack(engine, frozen);
    replaced = true; // init saw the frozen process exit: its pid is no longer ours to signal
    const seen = await waitForEvent(engine, t0, `daemon component-start core pid=${back.pid}`, ['daemon=core']);
    const upToBack = seen.slice(0, seen.findIndex((e) => line(e) === `daemon component-start core pid=${back.pid}`) + 1);
    assert.deepEqual(upToBack.map(line), [
      `daemon component-start core pid=${frozen.pid}`,
      `daemon component-health: unhealthy core pid=${frozen.pid}`,
      `daemon component-die core pid=${frozen.pid}`,
      'daemon component-restart core',
      `daemon component-start core pid=${back.pid}`,
    ]);
    assert.match(upToBack[2]!.Actor.Attributes.reason ?? '', /^health check failed 3 times/);
    // --filter event=component-health selects the health actions by prefix.
    const health = await events(engine, t0, now(), ['event=component-health']);
    assert.deepEqual(health.map(line).slice(0, 1), [`daemon component-health: unhealthy core pid=${frozen.pid}`]);
  });
});
