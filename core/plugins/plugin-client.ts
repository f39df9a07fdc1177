import http from 'node:http';
import { errorOf, MobyError, type ErrorKind } from '../../lib/errdefs/index.js';

/** The media type every legacy plugin request announces (Docker's `plugins.VersionMimetype`). */
export const PLUGIN_MEDIA_TYPE = 'application/vnd.docker.plugins.v1.2+json';

export interface PluginClientOptions {
  /** Per request, from connect to the last byte of the answer. Default 30 s. */
  timeoutMs?: number;
  /** How long to keep retrying a refused (or not yet created) socket, with backoff. Default 10 s. */
  retryMs?: number;
}

type Target = { socketPath: string } | { host: string; port: number };

/**
 * Docker's legacy plugin client: `POST /<Method>` with a JSON body over a unix socket or
 * tcp. A refused connection is retried with a doubling backoff for `retryMs` (a plugin
 * that is still starting); an answer `{"Err": "..."}` becomes a `MobyError` with that text.
 */
export class PluginClient {
  readonly #target: Target;
  readonly #agent = new http.Agent({ keepAlive: true });
  readonly #timeoutMs: number;
  readonly #retryMs: number;

  constructor(readonly addr: string, options: PluginClientOptions = {}) {
    this.#target = parseAddress(addr);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retryMs = options.retryMs ?? 10_000;
  }

  /** Calls `method` (`Plugin.Activate`, `VolumeDriver.Create`…) and returns the decoded answer. */
  async call<T>(method: string, args?: unknown): Promise<T> {
    const body = args === undefined ? '' : JSON.stringify(args);
    const start = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return decodeAnswer<T>(method, await this.#post(method, body));
      } catch (err) {
        const delay = Math.min(50 * 2 ** attempt, 1000);
        if (!isRetryable(err) || Date.now() - start + delay > this.#retryMs) throw connectError(this.addr, method, err);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #post(method: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        ...this.#target,
        agent: this.#agent,
        method: 'POST',
        path: `/${method}`,
        headers: { Accept: PLUGIN_MEDIA_TYPE, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.end(body);
    });
  }
}

/** `unix:///p.sock`, `tcp://h:p` or `http://h:p`; `https` is refused as not implemented. */
export function parseAddress(addr: string): Target {
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw errorOf('invalid-argument', `plugin address ${JSON.stringify(addr)}: not a URL`);
  }
  switch (url.protocol) {
    case 'unix:':
      if (url.pathname === '' || url.pathname === '/') throw errorOf('invalid-argument', `plugin address ${addr}: no socket path`);
      return { socketPath: decodeURIComponent(url.pathname) };
    case 'tcp:':
    case 'http:':
      if (url.hostname === '' || url.port === '') throw errorOf('invalid-argument', `plugin address ${addr}: host and port required`);
      return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
    case 'https:':
      throw errorOf('not-implemented', `plugin address ${addr}: TLS is not implemented`);
    default:
      throw errorOf('invalid-argument', `plugin address ${addr}: unknown protocol ${url.protocol.replace(/:$/, '')}`);
  }
}

const kindByStatus: Record<number, ErrorKind> = {
  400: 'invalid-argument',
  404: 'not-found',
  409: 'conflict',
  501: 'not-implemented',
  503: 'unavailable',
};

function decodeAnswer<T>(method: string, answer: { status: number; text: string }): T {
  let parsed: unknown;
  try {
    parsed = answer.text.trim() === '' ? {} : JSON.parse(answer.text);
  } catch {
    parsed = undefined;
  }
  const pluginErr = typeof parsed === 'object' && parsed !== null ? (parsed as { Err?: unknown }).Err : undefined;
  if (typeof pluginErr === 'string' && pluginErr !== '') throw errorOf(kindByStatus[answer.status] ?? 'internal', pluginErr);
  if (answer.status !== 200) throw errorOf(kindByStatus[answer.status] ?? 'internal', `${method}: ${answer.text.trim() || `status ${answer.status}`}`);
  if (parsed === undefined) throw errorOf('internal', `${method}: plugin answered with invalid JSON`);
  return parsed as T;
}

function isRetryable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ENOENT';
}

function connectError(addr: string, method: string, err: unknown): MobyError {
  if (err instanceof MobyError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return errorOf('deadline-exceeded', `plugin ${addr}: ${method}: timed out`, err);
  return errorOf('unavailable', `plugin ${addr}: ${method}: ${e.code ?? e.message}`, err);
}
