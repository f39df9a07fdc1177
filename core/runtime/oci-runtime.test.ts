import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { RuntimeFixture, until } from './runtime-fixture.js';

const runnable = process.getuid?.() === 0 && (await exists('/usr/sbin/runc')) && (await exists('/bin/busybox'));
const skip = runnable ? false : 'needs root, runc and busybox';

describe('OciRuntime driving real runc', { skip, timeout: 120_000 }, () => {
  const fx = new RuntimeFixture();
  before(() => fx.setUp(['sh', 'sleep']));
  after(() => fx.cleanup());

  it('creates, starts, pauses, resumes, lists, updates, kills and deletes a container', async () => {
    const c = await fx.container('life', ['sleep', '1000']);
    const rt = fx.runtime;
    await rt.create(c.id, c.bundle, { pidFile: join(fx.dir, 'life.pid') });
    const created = await rt.state(c.id);
    assert.equal(created.status, 'created');
    assert.ok(created.pid > 0);
    await rt.start(c.id);
    assert.equal((await rt.state(c.id)).status, 'running');
    assert.deepEqual(await rt.ps(c.id), [created.pid]);
    assert.deepEqual((await rt.top(c.id)).map((p) => [p.pid, p.command]), [[created.pid, 'sleep 1000']]);
    await rt.pause(c.id);
    assert.equal((await rt.state(c.id)).status, 'paused');
    await rt.resume(c.id);
    assert.equal((await rt.state(c.id)).status, 'running');
    assert.deepEqual((await rt.list()).map((s) => [s.id, s.status]), [[c.id, 'running']]);
    await rt.update(c.id, { pids: { limit: 42 } });
    await rt.kill(c.id, 'KILL');
    await until(async () => (await rt.state(c.id)).status === 'stopped');
    await rt.delete(c.id);
    await assert.rejects(rt.state(c.id), (err) => isKind(err, 'not-found'));
  });

  it('start of a created container whose init died reports it dead instead of waiting', async () => {
    const c = await fx.container('dead-init', ['sleep', '1000']);
    await fx.runtime.create(c.id, c.bundle, { pidFile: join(fx.dir, 'dead-init.pid') });
    process.kill((await fx.runtime.state(c.id)).pid, 'SIGKILL');
    await assert.rejects(fx.runtime.start(c.id), /OCI runtime start failed: .*(already dead|not running|stopped)/);
    await fx.runtime.delete(c.id, { force: true });
  });

  it("reports an unknown container as not-found, in the runtime's words", async () => {
    await assert.rejects(fx.runtime.start('moby-rt-nope'), (err: Error) => {
      assert.ok(isKind(err, 'not-found'));
      assert.equal(err.message, 'OCI runtime start failed: container does not exist');
      return true;
    });
    await assert.rejects(fx.runtime.kill('moby-rt-nope', 'KILL'), (err) => isKind(err, 'not-found'));
  });

  it('reports an operation that does not fit the state as failed-precondition', async () => {
    const c = await fx.container('state', ['sleep', '1000']);
    await fx.runtime.create(c.id, c.bundle, { pidFile: join(fx.dir, 'state.pid') });
    await fx.runtime.start(c.id);
    await fx.runtime.pause(c.id);
    await assert.rejects(fx.runtime.start(c.id), (err: Error) => {
      assert.ok(isKind(err, 'failed-precondition'), err.message);
      assert.match(err.message, /cannot start a container in the paused state/);
      return true;
    });
    await fx.runtime.delete(c.id, { force: true });
    await assert.rejects(fx.runtime.create(c.id, '/nonexistent-bundle', { pidFile: join(fx.dir, 'x.pid') }), /OCI runtime create failed: /);
  });
});

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
