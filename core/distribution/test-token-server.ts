/**
 * Test support: a token server for the registry's `auth.token` mode. It makes
 * an RSA key and a self-signed certificate (openssl), and answers
 * `GET /token?service=&scope=` with a JWT signed by that key (RS256, the
 * certificate in `x5c`), granting the requested actions to `user:pass` and
 * nothing to anyone else; wrong credentials get 401. It counts requests per
 * scope so tests can see the token cache at work.
 */
import { execFile } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** Every request's `scope` parameters joined by a space, in arrival order. */
  requests: string[];
}

const run = promisify(execFile);
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export async function startTokenServer(t: TestContext, user = 'user', password = 'pass'): Promise<TokenServer> {
  const dir = await mkdtemp(join(tmpdir(), 'moby-token-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const [keyPath, certPath] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=moby-test-token-issuer']);
  const key = await readFile(keyPath, 'utf8');
  const certDer = Buffer.from((await readFile(certPath, 'utf8')).replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const server: TokenServer = { realm: '', service: 'moby-test-registry', issuer: 'moby-test-issuer', certPath, requests: [] };

  const jwt = (subject: string, access: unknown[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = { iss: server.issuer, sub: subject, aud: server.service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(sign('RSA-SHA256', Buffer.from(input), key))}`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const scopes = url.searchParams.getAll('scope');
    server.requests.push(scopes.join(' '));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [u, p] = basic === undefined ? [] : Buffer.from(basic, 'base64').toString().split(':');
    if (basic !== undefined && (u !== user || p !== password)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const access = basic === undefined ? [] : scopes.map((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop()!.split(',');
      return { type, name: rest.join(':'), actions };
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: jwt(u ?? '', access), expires_in: 300 }));
  };
  const http = createServer(handle);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => http.close(resolve)));
  server.realm = `http://127.0.0.1:${(http.address() as { port: number }).port}/token`;
  return server;
}
