/**
 * End to end: Docker's `network` and `volume` events through the real `docker events` CLI.
 * A network created, used by a `docker run --rm` and removed tells `create`, `connect`,
 * `disconnect`, `destroy`; a volume created, mounted by a `docker run --rm` and removed tells
 * `create`, `mount`, `unmount`, `destroy` — in that order, with Docker's `Actor.Attributes`
 * (moby's daemon/network.go `LogNetworkEventWithAttributes`, daemon/volumes_unix.go and
 * container/container.go for mount and unmount, volume/service for create and destroy).
 * Runs against our engine, or with `MOBY_TEST_TARGET=dockerd` against Debian's dockerd.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { formatEventTime } from '../core/events/event-time.js';
import { dockerHard, ok, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';
import { waitUntil } from './support/wait.js';

const TEST_TIMEOUT = 90_000;

interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: string;
  timeNano: number;
}

/** Nanoseconds since the epoch, as `docker events --since/--until` takes them. */
function now(): string {
  return formatEventTime(BigInt(Date.now()) * 1_000_000n);
}

describe(`network and volume events through docker events (target: ${targetKind()})`, { timeout: 300_000 }, () => {
  let target: ContainerTarget;
  let env: NodeJS.ProcessEnv;
  const tag = randomBytes(3).toString('hex');
  const d = (args: string[]) => dockerHard(env, args, { timeoutMs: 60_000 });
  const must = (args: string[]) => ok(env, args);

  /** `docker events --since --until --filter type=<type>`, parsed. */
  async function events(type: string, since: string, until: string): Promise<DockerEvent[]> {
    const out = await must(['events', '--since', since, '--until', until, '--filter', `type=${type}`, '--format', '{{json .}}']);
    return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DockerEvent);
  }

  /** Events are stamped a moment after what caused them: waits until `want` (the last expected action) is there. */
  async function settled(type: string, since: string, name: string, want: string): Promise<string> {
    let seen: DockerEvent[] = [];
    await waitUntil(async () => {
      seen = await events(type, since, now());
      return seen.some((e) => e.Action === want && (e.Actor.Attributes.name ?? e.Actor.ID) === name);
    }, { timeoutMs: 15_000, intervalMs: 100, what: () => `${type} ${want} ${name} among ${seen.map((e) => `${e.Action} ${e.Actor.ID}`).join(', ')}` });
    return now();
  }

  before(async () => {
    target = await startContainerTarget();
    env = target.dockerEnv;
  });
  after(async () => {
    await target?.cleanup();
  });

  it('network: create, connect, disconnect, destroy, with Docker\'s attributes', { timeout: TEST_TIMEOUT }, async () => {
    const net = `evn-${tag}`;
    const c = `evc-${tag}`;
    try {
      const t0 = now();
      const id = (await must(['network', 'create', net])).trim();
      await must(['run', '--rm', '--name', c, '--network', net, 'busybox', 'true']);
      await must(['network', 'rm', net]);
      const t1 = await settled('network', t0, net, 'destroy');
      const seen = await events('network', t0, t1);
      const ours = seen.filter((e) => e.Actor.ID === id);
      assert.deepEqual(ours.map((e) => e.Action), ['create', 'connect', 'disconnect', 'destroy'], JSON.stringify(seen, null, 1));
      assert.ok(seen.every((e) => e.Type === 'network'), 'the filter keeps only network events');
      assert.ok(seen.every((e) => e.Actor.ID === id), `only our network's events: ${JSON.stringify(seen)}`);
      const [create, connect, disconnect, destroy] = ours;
      assert.deepEqual(create!.Actor.Attributes, { name: net, type: 'bridge' });
      assert.deepEqual(destroy!.Actor.Attributes, { name: net, type: 'bridge' });
      // connect and disconnect name the container by its full ID
      assert.match(connect!.Actor.Attributes.container ?? '', /^[0-9a-f]{64}$/);
      assert.deepEqual(connect!.Actor.Attributes, { container: connect!.Actor.Attributes.container, name: net, type: 'bridge' });
      assert.deepEqual(disconnect!.Actor.Attributes, connect!.Actor.Attributes);
      assert.equal(create!.scope, 'local');
      assert.ok(ours.every((e, i) => i === 0 || e.timeNano >= ours[i - 1]!.timeNano), 'in time order');
    } finally {
      await d(['rm', '-f', c]);
      await d(['network', 'rm', net]);
    }
  });

  it('volume: create, mount, unmount, destroy, with Docker\'s attributes', { timeout: TEST_TIMEOUT }, async () => {
    const vol = `evv-${tag}`;
    const c = `evvc-${tag}`;
    try {
      const t0 = now();
      await must(['volume', 'create', vol]);
      await must(['run', '--rm', '--name', c, '-v', `${vol}:/d`, 'busybox', 'true']);
      await must(['volume', 'rm', vol]);
      const t1 = await settled('volume', t0, vol, 'destroy');
      let seen = await events('volume', t0, t1);
      // dockerd 20.10 tells `create` again when `docker run` finds the named volume already
      // there (its volume service logs every Create, even of an existing volume); ours only
      // tells of a volume made.
      if (target.kind === 'dockerd') seen = seen.filter((e, i) => !(e.Action === 'create' && seen.slice(0, i).some((p) => p.Action === 'create')));
      assert.deepEqual(seen.map((e) => `${e.Action} ${e.Actor.ID}`), ['create', 'mount', 'unmount', 'destroy'].map((a) => `${a} ${vol}`), JSON.stringify(seen, null, 1));
      assert.ok(seen.every((e) => e.Type === 'volume'));
      const [create, mount, unmount, destroy] = seen;
      for (const e of seen) assert.equal(e.Actor.Attributes.driver, 'local', `${e.Action}: driver in ${JSON.stringify(e.Actor.Attributes)}`);
      assert.deepEqual(create!.Actor.Attributes, { driver: 'local' });
      assert.deepEqual(destroy!.Actor.Attributes, { driver: 'local' });
      const container = mount!.Actor.Attributes.container ?? '';
      assert.match(container, /^[0-9a-f]{64}$/, `mount names the container: ${JSON.stringify(mount!.Actor.Attributes)}`);
      assert.equal(container, (await events('container', t0, t1)).find((e) => e.Action === 'create' && e.Actor.Attributes.name === c)?.Actor.ID, 'the container that ran');
      assert.deepEqual(unmount!.Actor.Attributes, { container, driver: 'local' });
      assert.equal(create!.scope, 'local');
      // and where and how it mounts it, as dockerd 20.10 (daemon/volumes_unix.go setupMounts)
      assert.deepEqual(mount!.Actor.Attributes, { container, destination: '/d', driver: 'local', propagation: '', 'read/write': 'true' });
    } finally {
      await d(['rm', '-f', c]);
      await d(['volume', 'rm', '-f', vol]);
    }
  });
});
