/**
 * End to end: running containers outlive the engine. Three containers run; the engine is
 * stopped with SIGTERM and started again on the same data root (and, separately, the component
 * hosting `container-runtime` is killed with SIGKILL and restarted by init); afterwards the same
 * three are still running with the same pids, their logs continue (lines from before and after),
 * and `docker wait` / `docker stop` work on them.
 *
 * With `MOBY_TEST_TARGET=dockerd` only the baseline (the same checks, no restart) runs: the
 * reference harness cannot restart a dockerd on its data root (and dockerd would need
 * --live-restore for this), and dockerd has no components.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { State } from '../api/moby/component_registry/v1/component_registry.js';
import { waitUntil } from './support/wait.js';
import { dockerHard as docker, inspect, ok, spawnDocker, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';

const TEST_TIMEOUT = 120_000;

interface Running {
  name: string;
  id: string;
  pid: number;
}

describe(`running containers survive the engine (target: ${targetKind()})`, { timeout: 600_000 }, () => {
  let target: ContainerTarget;

  before(async () => {
    target = await startContainerTarget();
  });
  after(async () => {
    await target?.cleanup();
  });

  /**
   * Three containers that each log `before-<i>`, then wait for /tmp/go, log `after-<i>` and
   * exec `sleep 1000` (same pid throughout: the shell is replaced, not forked).
   */
  async function startThree(prefix: string): Promise<Running[]> {
    const env = target.dockerEnv;
    const running: Running[] = [];
    for (const i of [1, 2, 3]) {
      const name = `${prefix}-${i}`;
      const script = `echo before-${i}; until cat /tmp/go >/dev/null 2>&1; do sleep 0.1; done; echo after-${i}; exec sleep 1000`;
      const id = (await ok(env, ['run', '-d', '--name', name, 'busybox', 'sh', '-c', script])).trim();
      const c = await inspect(env, name);
      assert.equal(c.State.Running, true);
      running.push({ name, id, pid: c.State.Pid });
    }
    for (const { name } of running) {
      await waitUntil(async () => (await docker(env, ['logs', name])).stdout !== '', { timeoutMs: 20_000, what: `${name} to log its first line` });
    }
    return running;
  }

  /** The checks after whatever the engine went through. */
  async function assertSurvived(containers: Running[]): Promise<void> {
    const env = target.dockerEnv;
    const ps = await ok(env, ['ps', '--format', '{{.ID}} {{.Names}} {{.State}}']);
    for (const { name, id } of containers) assert.match(ps, new RegExp(`^${id.slice(0, 12)} ${name} running$`, 'm'), `ps after:\n${ps}`);
    for (const { name, id, pid } of containers) {
      const c = await inspect(env, name);
      assert.equal(c.Id, id);
      assert.equal(c.State.Running, true, `${name} running`);
      assert.equal(c.State.Pid, pid, `${name} keeps State.Pid`);
      assert.ok(existsSync(`/proc/${pid}`), `${name}'s process ${pid} is alive`);
    }
    // the logs go on: lines from before, and lines written now
    for (const [i, { name }] of containers.entries()) {
      assert.equal(await ok(env, ['logs', name]), `before-${i + 1}\n`);
      await ok(env, ['exec', name, 'touch', '/tmp/go']);
      await waitUntil(async () => (await ok(env, ['logs', name])) === `before-${i + 1}\nafter-${i + 1}\n`, {
        timeoutMs: 20_000,
        what: `${name} to log after-${i + 1} after its before-${i + 1}`,
      });
      assert.equal((await inspect(env, name)).State.Pid, pid(containers, name), 'exec sleep kept the pid');
    }
    // wait and stop: sleep as pid 1 ignores SIGTERM, so stop -t 1 kills it: 137
    const waits = containers.map(({ name }) => spawnDocker(env, ['wait', name]));
    try {
      for (const { name } of containers) {
        const r = await docker(env, ['stop', '-t', '1', name]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), name);
      }
      for (const [i, w] of waits.entries()) {
        const r = await w.done;
        assert.equal(r.code, 0, `docker wait ${containers[i]!.name}: ${r.stderr}`);
        assert.equal(r.stdout, '137\n', `docker wait ${containers[i]!.name}`);
      }
    } finally {
      for (const w of waits) w.child.kill('SIGKILL');
    }
    for (const { name, pid: p } of containers) {
      const c = await inspect(env, name);
      assert.equal(c.State.Running, false);
      assert.equal(c.State.ExitCode, 137);
      await waitUntil(() => !existsSync(`/proc/${p}`), { timeoutMs: 10_000, what: `${name}'s process ${p} to be gone` }).catch(async (err: Error) => {
        // a zombie waiting for its reaper also counts as gone
        const { readFile } = await import('node:fs/promises');
        const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
        if (!/^\d+ \(.*\) Z /.test(stat)) throw err;
      });
    }
    assert.equal((await ok(env, ['run', '--rm', 'busybox', 'echo', 'still-works'])), 'still-works\n');
    await ok(env, ['rm', ...containers.map((c) => c.name)]);
  }

  function pid(containers: Running[], name: string): number {
    return containers.find((c) => c.name === name)!.pid;
  }

  it('baseline: three running containers keep their pids and logs, and wait/stop work (no restart)', { timeout: TEST_TIMEOUT }, async () => {
    const three = await startThree('base');
    await assertSurvived(three);
  });

  it('after the engine is stopped with SIGTERM and started again on the same data root', { timeout: TEST_TIMEOUT }, async (t) => {
    if (!target.restart) {
      t.skip(target.restartUnsupported);
      return;
    }
    const three = await startThree('restart');
    await target.restart();
    await assertSurvived(three);
  });

  it('after kill -9 of the component hosting container-runtime', { timeout: TEST_TIMEOUT }, async (t) => {
    if (target.kind !== 'moby') {
      t.skip('dockerd has no components (our engine only)');
      return;
    }
    const engine = target.engine!;
    const three = await startThree('crash');
    const host = (await engine.components()).find((c) => c.services.includes('container-runtime'));
    assert.ok(host, 'a component hosts container-runtime');
    assert.ok(host.pid > 0 && host.pid !== engine.daemon.pid, `container-runtime runs in its own process (pid ${host.pid})`);
    process.kill(host.pid, 'SIGKILL');
    await waitUntil(
      async () => {
        const now = (await engine.components()).find((c) => c.name === host.name);
        return now !== undefined && now.state === State.STATE_RUNNING && now.pid !== host.pid;
      },
      { timeoutMs: 30_000, what: `component ${host.name} to be restarted after kill -9` },
    );
    await waitUntil(async () => (await docker(target.dockerEnv, ['ps'])).code === 0, { timeoutMs: 30_000, what: 'docker ps to answer again' });
    await assertSurvived(three);
  });
});
