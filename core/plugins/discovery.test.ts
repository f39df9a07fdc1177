import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { findPlugin, scanPlugins, type PluginDirs } from './discovery.js';

/** Plugin directories in a temp dir, with listening sockets closed and everything removed afterwards. */
async function withDirs(fn: (dirs: PluginDirs, listen: (path: string) => Promise<void>) => Promise<void>): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'plugins-discovery-'));
  const dirs: PluginDirs = { socketDirs: [join(base, 'run')], specDirs: [join(base, 'etc'), join(base, 'lib')] };
  for (const d of [...dirs.socketDirs, ...dirs.specDirs]) mkdirSync(d);
  const servers: net.Server[] = [];
  const listen = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const server = net.createServer();
      servers.push(server);
      server.once('error', reject);
      server.listen(path, resolve);
    });
  try {
    await fn(dirs, listen);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(base, { recursive: true, force: true });
  }
}

describe('findPlugin', () => {
  it('finds <name>.sock and <name>/<name>.sock sockets first', () =>
    withDirs(async (dirs, listen) => {
      const [run] = dirs.socketDirs as [string];
      await listen(join(run, 'flat.sock'));
      mkdirSync(join(run, 'nested'));
      await listen(join(run, 'nested', 'nested.sock'));
      writeFileSync(join(dirs.specDirs[0]!, 'flat.spec'), 'tcp://127.0.0.1:1');
      assert.deepEqual(await findPlugin('flat', dirs), { Name: 'flat', Addr: `unix://${join(run, 'flat.sock')}` });
      assert.deepEqual(await findPlugin('nested', dirs), { Name: 'nested', Addr: `unix://${join(run, 'nested', 'nested.sock')}` });
    }));

  it('ignores a regular file named like a socket', () =>
    withDirs(async (dirs) => {
      writeFileSync(join(dirs.socketDirs[0]!, 'fake.sock'), '');
      assert.equal(await findPlugin('fake', dirs), undefined);
    }));

  it('reads .spec URLs and .json Addr, in directory order', () =>
    withDirs(async (dirs) => {
      const [etc, lib] = dirs.specDirs as [string, string];
      writeFileSync(join(etc, 'spec1.spec'), '  unix:///run/x.sock\n');
      writeFileSync(join(lib, 'spec1.spec'), 'tcp://10.0.0.1:9');
      writeFileSync(join(lib, 'json1.json'), JSON.stringify({ Name: 'json1', Addr: 'tcp://127.0.0.1:8080', TLSConfig: { InsecureSkipVerify: true } }));
      assert.deepEqual(await findPlugin('spec1', dirs), { Name: 'spec1', Addr: 'unix:///run/x.sock' });
      assert.deepEqual(await findPlugin('json1', dirs), { Name: 'json1', Addr: 'tcp://127.0.0.1:8080' });
    }));

  it('refuses a spec without a protocol and TLS settings', () =>
    withDirs(async (dirs) => {
      const [etc] = dirs.specDirs as [string];
      writeFileSync(join(etc, 'noproto.spec'), 'localhost:8080');
      writeFileSync(join(etc, 'tls.json'), JSON.stringify({ Addr: 'tcp://h:1', TLSConfig: { CAFile: '/ca.pem' } }));
      await assert.rejects(findPlugin('noproto', dirs), (err) => isKind(err, 'invalid-argument') && /Unknown protocol/.test((err as Error).message));
      await assert.rejects(findPlugin('tls', dirs), (err) => isKind(err, 'not-implemented'));
    }));

  it('finds nothing for names that would leave the directories', () =>
    withDirs(async (dirs) => {
      writeFileSync(join(dirs.specDirs[0]!, 'ok.spec'), 'tcp://h:1');
      for (const name of ['', '../etc/ok', 'a/b', '.hidden']) assert.equal(await findPlugin(name, dirs), undefined, name);
      assert.equal(await findPlugin('missing', dirs), undefined);
    }));
});

describe('scanPlugins', () => {
  it('lists sockets then specs, a name once, skipping broken specs and missing directories', () =>
    withDirs(async (dirs, listen) => {
      const [run] = dirs.socketDirs as [string];
      const [etc, lib] = dirs.specDirs as [string, string];
      await listen(join(run, 'both.sock'));
      writeFileSync(join(etc, 'both.spec'), 'tcp://h:1');
      writeFileSync(join(etc, 'tcp1.spec'), 'tcp://h:2');
      writeFileSync(join(lib, 'broken.json'), '{');
      writeFileSync(join(lib, 'notes.txt'), 'not a plugin');
      const found = await scanPlugins({ ...dirs, specDirs: [...dirs.specDirs, '/nonexistent-plugin-dir'] });
      assert.deepEqual(found, [
        { Name: 'both', Addr: `unix://${join(run, 'both.sock')}` },
        { Name: 'tcp1', Addr: 'tcp://h:2' },
      ]);
    }));
});
