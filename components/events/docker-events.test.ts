/** The real docker CLI's `docker events` against the events route over the real events component. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { formatEventTime } from '../../core/events/event-time.js';
import { draft } from '../../core/events/events-conformance.js';
import type { EventsSubscriber } from '../../core/events/events.js';
import { startComponent } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import { EventsClient } from './client.js';
import { eventsService } from './events-service.js';
import { startEventsEngine, type EventsEngine } from './route-fixture.js';

const dockerPath = findOnPath('docker');
const skip = dockerPath === undefined && 'the docker CLI is not installed';
const format = '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}';

/** The events component, a client of it, and an engine API whose `onSubscribe` fires once the route subscribed. */
async function setup(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'mc-evcli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const component = await startComponent({
    name: 'events', socket: join(dir, 'events.sock'), registrySocket: join(dir, 'registry.sock'), roots: { dataRoot: dir, execRoot: dir },
    services: [{ name: 'events', implementation: 'local', factory: eventsService }], log: createLogger({ component: 'events' }, 'error'), drainMs: 0,
  });
  t.after(() => component.close());
  const client = new EventsClient(component.socket);
  t.after(() => client.close());
  let onSubscribe: () => void = () => undefined;
  const subscriber: EventsSubscriber = {
    subscribe: (options) => {
      const sub = client.subscribe(options);
      sub.ready.then(() => onSubscribe(), () => undefined);
      return sub;
    },
  };
  const engine = await startEventsEngine(async () => subscriber);
  t.after(() => engine.close());
  return { client, engine, subscribed: () => new Promise<void>((resolve) => (onSubscribe = resolve)) };
}

function dockerEnv(engine: EventsEngine): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: engine.dir, DOCKER_CONFIG: join(engine.dir, 'docker-config'), DOCKER_HOST: `unix://${engine.socketPath}` };
}

test('docker events --since … --until … prints the stored events of the window, in order, and exits', { skip, timeout: 60_000 }, async (t) => {
  const { client, engine } = await setup(t);
  await client.publish(draft('container', 'create', 'before', { name: 'early' }));
  const first = await client.publish(draft('container', 'create', '63fe', { image: 'busybox', name: 'web' }));
  await client.publish(draft('network', 'connect', '8a13', { container: '63fe', name: 'bridge', type: 'bridge' }));
  const last = await client.publish(draft('container', 'start', '63fe', { image: 'busybox', name: 'web' }));
  await client.publish(draft('container', 'die', '63fe', { image: 'busybox', name: 'web', exitCode: '0' }));
  const args = ['events', '--since', formatEventTime(first.timeNano), '--until', formatEventTime(last.timeNano), '--format', format];
  const { code, stdout, stderr } = await run(dockerPath!, args, dockerEnv(engine));
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'container create 63fe web\nnetwork connect 8a13 bridge\ncontainer start 63fe web\n');
});

test('docker events --filter type=container --filter event=die shows only the matching live events', { skip, timeout: 60_000 }, async (t) => {
  const { client, engine, subscribed } = await setup(t);
  const ready = subscribed();
  const cli = spawn(dockerPath!, ['events', '--filter', 'type=container', '--filter', 'event=die', '--format', format], { env: dockerEnv(engine) });
  t.after(() => void cli.kill());
  let stdout = '';
  let stderr = '';
  const sawDie = new Promise<void>((resolve, reject) => {
    cli.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('die')) resolve();
    });
    cli.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
    cli.on('exit', (code) => reject(new Error(`docker events exited with ${code}: ${stderr}`)));
  });
  sawDie.catch(() => undefined); // awaited below; a CLI that exits early fails the race at once
  await Promise.race([ready, sawDie]);
  await client.publish(draft('container', 'start', '63fe', { image: 'busybox', name: 'web' }));
  await client.publish(draft('network', 'disconnect', '8a13', { container: '63fe', name: 'bridge' }));
  await client.publish(draft('image', 'die', 'sha256:1'));
  await client.publish(draft('container', 'die', '63fe', { image: 'busybox', name: 'web', exitCode: '0' }));
  await sawDie;
  // Everything published before the die went through the stream first: only the die was printed.
  assert.equal(stdout, 'container die 63fe web\n');
});

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}
