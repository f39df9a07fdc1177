import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { parseAddress, PluginClient, PLUGIN_MEDIA_TYPE } from './plugin-client.js';

type Seen = { method?: string; url?: string; accept?: string; body: string };
type Reply = (seen: Seen, res: http.ServerResponse) => void;

/** An HTTP server on `<tmp>/p.sock` (or tcp) that records requests and answers with `reply`. */
async function withServer(reply: Reply, fn: (addr: string, seen: Seen[], socketPath: string) => Promise<void>, tcp = false): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plugin-client-'));
  const socketPath = join(dir, 'p.sock');
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method, url: req.url, accept: req.headers.accept, body };
      seen.push(s);
      reply(s, res);
    });
  });
  try {
    await new Promise<void>((resolve) => (tcp ? server.listen(0, '127.0.0.1', resolve) : server.listen(socketPath, resolve)));
    const port = (server.address() as { port?: number }).port;
    await fn(tcp ? `tcp://127.0.0.1:${port}` : `unix://${socketPath}`, seen, socketPath);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const json = (status: number, body: unknown): Reply => (_s, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('PluginClient', () => {
  it('POSTs JSON to /<Method> with the plugin media type over a unix socket', () =>
    withServer(json(200, { Implements: ['VolumeDriver'] }), async (addr, seen) => {
      const client = new PluginClient(addr);
      try {
        assert.deepEqual(await client.call('Plugin.Activate'), { Implements: ['VolumeDriver'] });
        await client.call('VolumeDriver.Get', { Name: 'v' });
      } finally {
        client.close();
      }
      assert.deepEqual(seen, [
        { method: 'POST', url: '/Plugin.Activate', accept: PLUGIN_MEDIA_TYPE, body: '' },
        { method: 'POST', url: '/VolumeDriver.Get', accept: PLUGIN_MEDIA_TYPE, body: '{"Name":"v"}' },
      ]);
    }));

  it('talks tcp too', () =>
    withServer(json(200, { ok: true }), async (addr) => {
      const client = new PluginClient(addr);
      try {
        assert.deepEqual(await client.call('X.Y', {}), { ok: true });
      } finally {
        client.close();
      }
    }, true));

  it('turns an {"Err"} answer into a MobyError with that text, whatever the status', async () => {
    for (const [status, kind] of [[500, 'internal'], [404, 'not-found'], [200, 'internal']] as const) {
      await withServer(json(status, { Err: 'volume x is sad' }), async (addr) => {
        const client = new PluginClient(addr);
        try {
          await assert.rejects(client.call('VolumeDriver.Remove', { Name: 'x' }), (err) => isKind(err, kind) && (err as Error).message === 'volume x is sad');
        } finally {
          client.close();
        }
      });
    }
  });

  it('reports a non-JSON error body with the method', () =>
    withServer((_s, res) => { res.writeHead(500); res.end('boom'); }, async (addr) => {
      const client = new PluginClient(addr);
      try {
        await assert.rejects(client.call('A.B'), { message: 'A.B: boom' });
      } finally {
        client.close();
      }
    }));

  it('retries while the socket does not exist yet, then gives up as unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugin-client-'));
    const client = new PluginClient(`unix://${join(dir, 'never.sock')}`, { retryMs: 300 });
    try {
      const start = Date.now();
      await assert.rejects(client.call('Plugin.Activate'), (err) => isKind(err, 'unavailable') && /ENOENT/.test((err as Error).message));
      assert.ok(Date.now() - start >= 100, 'it retried');
    } finally {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reaches a plugin that starts listening during the retries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugin-client-'));
    const socketPath = join(dir, 'late.sock');
    const server = http.createServer((_req, res) => res.end('{"Implements":["VolumeDriver"]}'));
    const client = new PluginClient(`unix://${socketPath}`, { retryMs: 5000 });
    try {
      const call = client.call<{ Implements: string[] }>('Plugin.Activate');
      setTimeout(() => server.listen(socketPath), 150);
      assert.deepEqual((await call).Implements, ['VolumeDriver']);
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('times out a plugin that does not answer', () =>
    withServer(() => { /* never answers */ }, async (addr) => {
      const client = new PluginClient(addr, { timeoutMs: 100 });
      try {
        await assert.rejects(client.call('Slow.Call'), (err) => isKind(err, 'deadline-exceeded'));
      } finally {
        client.close();
      }
    }));
});

describe('parseAddress', () => {
  it('understands unix and tcp URLs and refuses https and others', () => {
    assert.deepEqual(parseAddress('unix:///run/docker/plugins/x.sock'), { socketPath: '/run/docker/plugins/x.sock' });
    assert.deepEqual(parseAddress('tcp://127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseAddress('http://[::1]:8080'), { host: '::1', port: 8080 });
    assert.throws(() => parseAddress('https://h:443'), (err) => isKind(err, 'not-implemented'));
    assert.throws(() => parseAddress('ftp://h:21'), (err) => isKind(err, 'invalid-argument'));
    assert.throws(() => parseAddress('tcp://h'), (err) => isKind(err, 'invalid-argument'));
  });
});
