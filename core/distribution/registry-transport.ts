import type { Readable } from 'node:stream';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { errorOf } from '../../lib/errdefs/index.js';
import { Authorizer, type TokenHttp } from './authorizer.js';
import { hostTlsFiles } from './host-tls.js';
import { InsecureRegistries, type HostResolver } from './insecure-registries.js';
import { normalizeAuth, type RegistryAuth } from './registry-auth.js';
import { responseError, transportError } from './registry-errors.js';
import { parseChallenges } from './www-authenticate.js';

export interface RegistryTransportOptions {
  /** The registry as references name it: `docker.io`, `127.0.0.1:5055`, `[::1]:5000`. */
  registry: string;
  auth?: RegistryAuth;
  /** CIDRs and hosts reached without TLS verification, then over plain HTTP; default `127.0.0.0/8`. */
  insecureRegistries?: readonly string[];
  /** Docker's per-registry certificates; default `/etc/docker/certs.d`. */
  certsDir?: string;
  userAgent?: string;
  /** Milliseconds since the epoch, for token expiry. */
  clock?: () => number;
  /** Name resolution for matching insecure CIDRs. */
  resolve?: HostResolver;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';

/** A body that can be sent again after a 401 (a stream is made afresh by its factory). */
export type RequestBody = Buffer | string | (() => Readable | Promise<Readable>);

export interface Call {
  method: HttpMethod;
  /** A path on the registry (`/v2/bb/manifests/1`) or a full URL it handed out (an upload location). */
  target: string;
  /** Token scopes the request needs (`repository:bb:pull`). */
  scopes: string[];
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Statuses that are success; anything else throws the registry's error. */
  expect: number[];
  /** Follow redirects (blob GETs are redirected to storage). */
  redirect?: boolean;
  signal?: AbortSignal;
}

export type Response = Dispatcher.ResponseData;

const maxErrorBody = 64 * 1024;

/**
 * HTTP to one registry: finds its endpoint (HTTPS verified against the host's
 * CA store; for an insecure registry HTTPS unverified then plain HTTP, as
 * Docker tries them), pings `/v2/` once to learn its challenge, and sends
 * each call with the `Authorization` the `Authorizer` gives for its scopes,
 * retrying once after a 401. Unexpected statuses become the registry's
 * errors (`registry-errors.ts`); transport failures are `unavailable`.
 */
export class RegistryTransport {
  private endpoint: Promise<{ base: string }> | undefined;
  private agent: Agent | undefined;
  private redirecting: Dispatcher | undefined;
  readonly authorizer: Authorizer;

  constructor(private readonly options: RegistryTransportOptions) {
    this.authorizer = new Authorizer({ auth: normalizeAuth({ ...options.auth }), clock: options.clock, http: (req) => this.tokenHttp(req) });
  }

  get registry(): string {
    return this.options.registry;
  }

  /** The registry's base URL (`http://127.0.0.1:5055`), pinging it on first use. */
  base(): Promise<string> {
    if (this.endpoint === undefined) {
      const found = this.findEndpoint();
      this.endpoint = found;
      found.catch(() => this.endpoint === found && (this.endpoint = undefined));
    }
    return this.endpoint.then((e) => e.base);
  }

  async call(c: Call): Promise<Response> {
    const base = await this.base();
    const url = new URL(c.target, base);
    const own = url.origin === new URL(base).origin;
    for (let attempt = 0; ; attempt++) {
      const authorization = own ? await this.authorizer.header(c.scopes) : undefined;
      const res = await this.send(c, url.toString(), authorization);
      if (c.expect.includes(res.statusCode)) return res;
      const body = await readText(res, maxErrorBody).catch(() => '');
      if (res.statusCode === 401 && attempt === 0 && own) {
        const challenges = parseChallenges(res.headers['www-authenticate']);
        if (this.authorizer.retryAfter401(challenges, c.scopes, authorization)) continue;
      }
      throw responseError(c.method, url.toString(), res.statusCode, res.statusText, body);
    }
  }

  async close(): Promise<void> {
    await this.agent?.close();
  }

  private async send(c: Call, url: string, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'moby-core', ...c.headers };
    if (authorization !== undefined) headers.authorization = authorization;
    try {
      const body = typeof c.body === 'function' ? await c.body() : c.body;
      const dispatcher = c.redirect ? this.redirecting! : this.agent!;
      return await request(url, { method: c.method, headers, body, dispatcher, signal: c.signal });
    } catch (err) {
      throw transportError(c.method, url, err);
    }
  }

  private async findEndpoint(): Promise<{ base: string }> {
    const { registry } = this.options;
    const insecure = await new InsecureRegistries(this.options.insecureRegistries, this.options.resolve).isInsecure(registry);
    const tls = await hostTlsFiles(registry, this.options.certsDir);
    await this.agent?.close();
    this.agent = new Agent({ connect: { ...tls, rejectUnauthorized: !insecure } });
    this.redirecting = this.agent.compose(interceptors.redirect({ maxRedirections: 5 }));
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    const schemes = insecure ? ['https', 'http'] : ['https'];
    let failure: unknown;
    for (const scheme of schemes) {
      const base = `${scheme}://${host}`;
      try {
        await this.ping(base);
        return { base };
      } catch (err) {
        failure = err;
        if (!isTransportFailure(err)) throw err;
      }
    }
    throw failure;
  }

  /** `GET /v2/`: 200 needs no auth; 401 tells how to authenticate. Anything else is not a v2 registry. */
  private async ping(base: string): Promise<void> {
    const url = `${base}/v2/`;
    const res = await this.send({ method: 'GET', target: url, scopes: [], expect: [] }, url, undefined);
    await res.body.dump().catch(() => undefined);
    if (res.statusCode === 401) this.authorizer.learn(parseChallenges(res.headers['www-authenticate']));
    else if (res.statusCode !== 200) throw responseError('GET', url, res.statusCode, res.statusText, '');
  }

  private async tokenHttp(req: Parameters<TokenHttp>[0]): ReturnType<TokenHttp> {
    const headers = { 'user-agent': this.options.userAgent ?? 'moby-core', ...req.headers };
    let res: Response;
    try {
      res = await request(req.url, { method: req.method, headers, body: req.body, dispatcher: this.agent });
    } catch (err) {
      throw transportError(req.method, req.url, err);
    }
    return { status: res.statusCode, statusText: res.statusText, body: await readText(res, 1024 * 1024) };
  }
}

function isTransportFailure(err: unknown): boolean {
  return err instanceof Error && (err as { kind?: string }).kind === 'unavailable' && !('status' in err);
}

/** Reads a response body as text, refusing more than `limit` bytes. */
export async function readText(res: Response, limit: number): Promise<string> {
  return (await readBytes(res, limit)).toString('utf8');
}

/** Reads a response body, refusing more than `limit` bytes (`invalid-argument`). */
export async function readBytes(res: Response, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.body.destroy();
      throw errorOf('invalid-argument', `response body exceeds ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
