/**
 * One request through moby's middleware chain: common headers, route lookup, API version
 * check, the handler, and the error body when it throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusOf } from '../../lib/errdefs/http.js';
import { failHijack, plainTakeover } from './hijack.js';
import { apiHeaders, apiVersion, checkApiVersion, minApiVersion, versionLessThan } from './api-version.js';
import type { EngineApiDeps } from './engine-api-deps.js';
import { writeError, writeJson } from './respond.js';
import type { Router, Upgrade } from './router.js';

/** Never rejects: a failure that cannot be answered is logged and its connection dropped. */
export async function dispatch(
  router: Router,
  deps: EngineApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  upgrade: Upgrade | undefined,
): Promise<void> {
  try {
    await answer(router, deps, req, res, upgrade);
  } catch (err) {
    deps.log?.(`engine-api: ${req.method} ${req.url}: cannot answer: ${describe(err)}`);
    req.socket.destroy();
  }
}

async function answer(
  router: Router,
  deps: EngineApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  upgrade: Upgrade | undefined,
): Promise<void> {
  for (const [name, value] of Object.entries(apiHeaders(deps.version))) res.setHeader(name, value);
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  const found = router.match(req.method ?? 'GET', path);
  if (!found) {
    writeJson(res, 404, { message: 'page not found' });
    return;
  }
  const version = found.version ?? apiVersion;
  try {
    checkApiVersion(version);
    const takeover = upgrade ?? (found.hijack ? plainTakeover(req, res) : undefined);
    await found.handler({ req, res, params: found.params, query, apiVersion: version, upgrade: takeover });
  } catch (err) {
    if (httpStatusOf(err) >= 500) deps.log?.(`engine-api: ${req.method} ${path}: ${describe(err)}`);
    // A hijacked connection: raw-text error before the head, in-band or a close after it.
    if (failHijack(req, err)) return;
    if (res.headersSent || !res.socket) {
      // Too late for an error body: the response (or hijacked stream) is under way.
      req.socket.destroy();
      return;
    }
    writeError(res, err, versionLessThan(version, minApiVersion));
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
