/**
 * Test support: a scripted HTTP server on 127.0.0.1 standing in for a
 * registry (or a storage backend, or a token realm) where a real one cannot
 * show a behaviour: redirects, ignored ranges, odd challenges. Each request
 * is logged with its headers; `route` answers it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';

export interface LoggedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Route = (req: LoggedRequest, res: ServerResponse) => void;

export interface FakeServer {
  host: string;
  origin: string;
  requests: LoggedRequest[];
}

export async function startFakeServer(t: TestContext, route: Route): Promise<FakeServer> {
  const requests: LoggedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const logged = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(logged);
      route(logged, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return { host, origin: `http://${host}`, requests };
}

/** Sends a JSON body with a status. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
