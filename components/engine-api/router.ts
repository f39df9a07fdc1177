/**
 * A small table router for the engine API.
 *
 * Patterns are literal segments and parameters: `/containers/{id}/json` (`{id}` is one path
 * segment) or `/images/{name*}/json` (`{name*}` is greedy: one or more segments, so image
 * names such as `127.0.0.1:5055/bb` fit). Paths are matched percent-decoded, like Go's mux.
 * Every path may carry a `/vX.Y` prefix; `match` strips it and reports the version.
 * Literal routes win over parameter routes, single-segment parameters over greedy ones;
 * otherwise the first route added wins. HEAD is not mapped to GET: add it where Docker has it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** A request that asked to switch protocols (`Upgrade: tcp`), for attach and exec start. */
export interface Upgrade {
  /** Bytes the client sent after the request head (and after its body, once `readBody` took it). */
  readonly head: Buffer;
  /** The request's body (its Content-Length bytes), which on an upgraded connection is not parsed by node:http. */
  readBody(): Promise<Buffer>;
  /**
   * Takes the raw socket: the handler then writes its own `101` head and owns the socket until
   * it ends it. Half-close is normal (the client ends its side when it has no stdin).
   * Before `hijack()`, `ctx.res` answers the request like any other (errors, 404s).
   */
  hijack(): Duplex;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Path parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The API version of this request: its `/vX.Y` prefix, or the version we advertise. */
  readonly apiVersion: string;
  /**
   * Present for requests with an `Upgrade` header, and for every request to a `hijack: true`
   * route (see hijack.ts: `hijack(ctx, …)` takes the connection either way).
   */
  readonly upgrade: Upgrade | undefined;
}

/** Answers one request; a thrown error becomes Docker's `{"message":…}` with its kind's status. */
export type Handler = (ctx: RequestContext) => void | Promise<void>;

export interface Route {
  method: Method;
  path: string;
  handler: Handler;
  /** The handler may take over the connection (attach, exec start), with or without `Upgrade`. */
  hijack?: boolean;
}

export interface RouteMatch {
  handler: Handler;
  hijack: boolean;
  params: Record<string, string>;
  /** The `/vX.Y` prefix's version, undefined for an unversioned path. */
  version: string | undefined;
}

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  hijack: boolean;
}

const versionPrefix = /^\/v([0-9.]+)(\/.*)$/;

export class Router {
  readonly #literal = new Map<string, Route>();
  readonly #single: CompiledRoute[] = [];
  readonly #greedy: CompiledRoute[] = [];

  add(route: Route): this {
    if (!route.path.includes('{')) {
      this.#literal.set(`${route.method} ${route.path}`, route);
      return this;
    }
    const compiled = compile(route);
    (route.path.includes('*}') ? this.#greedy : this.#single).push(compiled);
    return this;
  }

  addAll(routes: Iterable<Route>): this {
    for (const route of routes) this.add(route);
    return this;
  }

  /** The route for `method` and the raw (still percent-encoded, query-less) `rawPath`, if any. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
    const versioned = versionPrefix.exec(path);
    const version = versioned?.[1];
    if (versioned) path = versioned[2]!;
    const literal = this.#literal.get(`${method} ${path}`);
    if (literal) return { handler: literal.handler, hijack: literal.hijack === true, params: {}, version };
    for (const route of [...this.#single, ...this.#greedy]) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, found[i + 1]!]));
      return { handler: route.handler, hijack: route.hijack, params, version };
    }
    return undefined;
  }
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(\*?)\}|[^{]+/g, (part, name, greedy) => {
    if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { method: route.method, pattern: new RegExp(`^${source}$`), names, handler: route.handler, hijack: route.hijack === true };
}
