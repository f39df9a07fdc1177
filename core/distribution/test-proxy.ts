/**
 * Test support: an HTTP proxy on 127.0.0.1 in front of a test registry that
 * logs every request with the body bytes it served, and can misbehave on a
 * blob's GET: corrupt one byte, or stop forwarding after some bytes until
 * the test releases (or cuts) the response. It keeps the client's `Host`, so
 * the registry's upload locations point back at the proxy.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';

export interface ServedRequest {
  method: string;
  path: string;
  range?: string;
  status?: number;
  /** Body bytes sent to the client. */
  bytes: number;
}

interface Hold {
  after: number;
  reached: () => void;
  release?: () => void;
}

export class TestProxy {
  readonly requests: ServedRequest[] = [];
  private readonly corrupted = new Set<string>();
  private readonly holds = new Map<string, Hold>();

  private constructor(readonly port: number, private readonly upstreamPort: number) {}

  static async start(t: TestContext, upstreamPort: number): Promise<TestProxy> {
    let proxy: TestProxy | undefined;
    const server = createServer((req, res) => proxy!.forward(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
    proxy = new TestProxy((server.address() as { port: number }).port, upstreamPort);
    return proxy;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** GETs of this blob get their first byte flipped. */
  corrupt(digest: string): void {
    this.corrupted.add(digest);
  }

  /**
   * The next GET of this blob forwards `after` bytes, then nothing more.
   * `reached` resolves at that point; `cut()` then ends the client's
   * connection (whatever the upstream does).
   */
  holdAfter(digest: string, after: number): { reached: Promise<void>; cut: () => void } {
    let reached!: () => void;
    const promise = new Promise<void>((resolve) => (reached = resolve));
    const hold: Hold = { after, reached };
    this.holds.set(digest, hold);
    return { reached: promise, cut: () => hold.release?.() };
  }

  /** The GETs of a blob, in order. */
  blobGets(digest: string): ServedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${digest}`));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const log: ServedRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, bytes: 0 };
    if (req.headers.range !== undefined) log.range = req.headers.range;
    this.requests.push(log);
    const digest = req.method === 'GET' ? /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(log.path)?.[1] : undefined;
    const upstream = request({ host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      log.status = up.statusCode;
      res.writeHead(up.statusCode ?? 502, up.headers);
      const hold = digest !== undefined && up.statusCode !== undefined && up.statusCode < 300 ? this.holds.get(digest) : undefined;
      if (hold) this.holds.delete(digest!);
      this.relay(up, res, log, digest !== undefined && this.corrupted.has(digest), hold);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  }

  private relay(up: IncomingMessage, res: ServerResponse, log: ServedRequest, corrupt: boolean, hold?: Hold): void {
    let first = true;
    let held = false;
    up.on('data', (chunk: Buffer) => {
      if (held) return;
      let out = chunk;
      if (corrupt && first && out.length > 0) {
        out = Buffer.from(out);
        out[0] = out[0]! ^ 0xff;
      }
      first = false;
      if (hold && log.bytes + out.length >= hold.after) {
        out = out.subarray(0, hold.after - log.bytes);
        held = true;
        up.pause();
        hold.release = () => {
          res.destroy();
          up.destroy();
        };
        hold.reached();
      }
      log.bytes += out.length;
      if (out.length > 0) res.write(out);
    });
    up.on('end', () => !held && res.end());
    up.on('error', () => res.destroy());
    up.on('aborted', () => res.destroy());
  }
}
