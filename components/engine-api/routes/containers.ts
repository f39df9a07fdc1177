/**
 * The container route group: create, list, inspect, lifecycle, wait, archive, diff, export,
 * commit, exec, top, stats. Attach, exec start and logs are in container-streams.ts.
 */
import type { ServerResponse } from 'node:http';
import type { ContainerEngine, PathStat } from '../../../core/container-engine/container-engine.js';
import { errorOf } from '../../../lib/errdefs/index.js';
import { versionAtLeast } from '../api-version.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { parseFilters, type Filters } from '../filters.js';
import { readJsonObject } from '../json-body.js';
import { boolValue } from '../query.js';
import { goJson, writeEmpty, writeHead, writeJson } from '../respond.js';
import type { RequestContext, Route } from '../router.js';

export function containerRoutes(deps: EngineApiDeps): Route[] {
  const engine = async (): Promise<ContainerEngine> => {
    if (!deps.containers) throw errorOf('not-implemented', 'no container engine in this engine');
    return deps.containers();
  };
  const route = (method: Route['method'], path: string, handler: (ctx: RequestContext, c: ContainerEngine) => Promise<void>): Route => ({
    method,
    path,
    handler: async (ctx) => handler(ctx, await engine()),
  });
  return [
    route('POST', '/containers/create', async ({ req, res, query, apiVersion }, c) => {
      const body = await readJsonObject(req);
      const name = query.get('name') ?? undefined;
      const platform = query.get('platform') ?? undefined;
      writeJson(res, 201, await c.create({ ...(name ? { name } : {}), ...(platform ? { platform } : {}), body, apiVersion }));
    }),
    route('GET', '/containers/json', async ({ res, query }, c) => {
      const limit = Number(query.get('limit') ?? '');
      writeJson(res, 200, await c.list({
        all: boolValue(query, 'all'),
        size: boolValue(query, 'size'),
        ...(Number.isInteger(limit) && limit > 0 ? { limit } : {}),
        filters: plain(parseFilters(query.get('filters'))),
      }));
    }),
    route('POST', '/containers/prune', async ({ res, query }, c) => writeJson(res, 200, await c.prune(plain(parseFilters(query.get('filters')))))),
    route('GET', '/containers/{id}/json', async ({ res, params, query }, c) => writeJson(res, 200, await c.inspect(params.id!, { size: boolValue(query, 'size') }))),
    route('POST', '/containers/{id}/start', async ({ res, params }, c) => {
      await c.start(params.id!);
      writeEmpty(res, 204);
    }),
    route('POST', '/containers/{id}/stop', async ({ res, params, query, apiVersion }, c) => {
      await c.stop(params.id!, stopOptions(query, apiVersion));
      writeEmpty(res, 204);
    }),
    route('POST', '/containers/{id}/restart', async ({ res, params, query, apiVersion }, c) => {
      await c.restart(params.id!, stopOptions(query, apiVersion));
      writeEmpty(res, 204);
    }),
    route('POST', '/containers/{id}/kill', async ({ res, params, query }, c) => {
      await c.kill(params.id!, query.get('signal') || undefined);
      writeEmpty(res, 204);
    }),
    route('POST', '/containers/{id}/pause', async ({ res, params }, c) => {
      await c.pause(params.id!);
      writeEmpty(res, 204);
    }),
    route('POST', '/containers/{id}/unpause', async ({ res, params }, c) => {
      await c.unpause(params.id!);
      writeEmpty(res, 204);
    }),
    route('POST', '/containers/{id}/rename', async ({ res, params, query }, c) => {
      const name = query.get('name') ?? '';
      if (name === '') throw errorOf('invalid-argument', 'Neither old nor new names may be empty');
      await c.rename(params.id!, name);
      writeEmpty(res, 204);
    }),
    route('POST', '/containers/{id}/update', async ({ req, res, params }, c) => writeJson(res, 200, await c.update(params.id!, await readJsonObject(req)))),
    route('POST', '/containers/{id}/wait', async (ctx, c) => wait(ctx, c)),
    route('DELETE', '/containers/{id}', async ({ res, params, query }, c) => {
      await c.remove(params.id!, { force: boolValue(query, 'force'), volumes: boolValue(query, 'v'), link: boolValue(query, 'link') });
      writeEmpty(res, 204);
    }),
    route('GET', '/containers/{id}/top', async ({ res, params, query }, c) => writeJson(res, 200, await c.top(params.id!, query.get('ps_args') || undefined))),
    route('GET', '/containers/{id}/stats', async (ctx, c) => stats(ctx, c)),
    route('POST', '/containers/{id}/resize', async ({ res, params, query }, c) => {
      await c.resize(params.id!, dimension(query, 'h'), dimension(query, 'w'));
      writeEmpty(res, 200);
    }),
    route('GET', '/containers/{id}/changes', async ({ res, params }, c) => writeJson(res, 200, await c.diff(params.id!))),
    route('GET', '/containers/{id}/export', async ({ res, params }, c) => streamBytes(res, 'application/octet-stream', c.export(params.id!))),
    route('HEAD', '/containers/{id}/archive', async ({ res, params, query }, c) => {
      const stat = await c.archiveStat(params.id!, archivePath(query));
      writeHead(res, 200, { 'X-Docker-Container-Path-Stat': encodeStat(stat) });
      res.end();
    }),
    route('GET', '/containers/{id}/archive', async ({ res, params, query }, c) => {
      const { stat, data } = await c.archiveGet(params.id!, archivePath(query));
      res.setHeader('X-Docker-Container-Path-Stat', encodeStat(stat));
      await streamBytes(res, 'application/x-tar', data);
    }),
    route('PUT', '/containers/{id}/archive', async ({ req, res, params, query }, c) => {
      await c.archivePut(params.id!, archivePath(query), req, {
        noOverwriteDirNonDir: boolValue(query, 'noOverwriteDirNonDir'),
        copyUIDGID: boolValue(query, 'copyUIDGID'),
      });
      writeEmpty(res, 200);
    }),
    route('POST', '/commit', async ({ req, res, query }, c) => {
      const container = query.get('container') ?? '';
      if (container === '') throw errorOf('invalid-argument', 'No container name or ID supplied');
      const body = await readJsonObject(req);
      const { Id } = await c.commit(container, {
        ...(query.get('repo') ? { repo: query.get('repo')! } : {}),
        ...(query.get('tag') ? { tag: query.get('tag')! } : {}),
        ...(query.get('comment') ? { comment: query.get('comment')! } : {}),
        ...(query.get('author') ? { author: query.get('author')! } : {}),
        changes: query.getAll('changes').filter((s) => s !== ''),
        pause: query.get('pause') === null || query.get('pause') === '' ? true : boolValue(query, 'pause'),
        ...(Object.keys(body).length > 0 ? { config: body } : {}),
      });
      writeJson(res, 201, { Id });
    }),
    route('POST', '/containers/{id}/exec', async ({ req, res, params }, c) => writeJson(res, 201, await c.execCreate(params.id!, await readJsonObject(req)))),
    route('GET', '/exec/{id}/json', async ({ res, params }, c) => writeJson(res, 200, await c.execInspect(params.id!))),
    route('POST', '/exec/{id}/resize', async ({ res, params, query }, c) => {
      await c.execResize(params.id!, dimension(query, 'h'), dimension(query, 'w'));
      writeEmpty(res, 200);
    }),
  ];
}

function plain(filters: Filters): Record<string, string[]> {
  return Object.fromEntries(filters.keys().map((k) => [k, filters.get(k)]));
}

/** `t` (seconds) and, from API 1.42, `signal`. */
function stopOptions(query: URLSearchParams, apiVersion: string): { signal?: string; timeout?: number } {
  const out: { signal?: string; timeout?: number } = {};
  const t = query.get('t');
  if (t !== null && t !== '') {
    const n = Number(t);
    if (!Number.isInteger(n)) throw errorOf('invalid-argument', `invalid value for t: strconv.Atoi: parsing "${t}": invalid syntax`);
    out.timeout = n;
  }
  const signal = query.get('signal');
  if (signal && versionAtLeast(apiVersion, '1.42')) out.signal = signal;
  return out;
}

function dimension(query: URLSearchParams, key: string): number {
  const raw = query.get(key) ?? '';
  const n = Number(raw);
  if (raw === '' || !Number.isInteger(n) || n < 0) throw errorOf('invalid-argument', `invalid resize ${key === 'h' ? 'height' : 'width'} "${raw}"`);
  return n;
}

function archivePath(query: URLSearchParams): string {
  const path = query.get('path') ?? '';
  if (path === '') throw errorOf('invalid-argument', 'Path cannot be empty');
  return path;
}

function encodeStat(stat: PathStat): string {
  return Buffer.from(JSON.stringify({ name: stat.name, size: stat.size, mode: stat.mode, mtime: stat.mtime, linkTarget: stat.linkTarget })).toString('base64');
}

/**
 * `POST /containers/{id}/wait`: from API 1.30 the status and headers go out at once and the
 * body follows when the condition is met; a client that goes away is not an error.
 */
async function wait({ req, res, params, query, apiVersion }: RequestContext, c: ContainerEngine): Promise<void> {
  const condition = query.get('condition') || 'not-running';
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw errorOf('invalid-argument', `invalid condition: "${condition}"`);
  const controller = new AbortController();
  const onClose = () => controller.abort();
  res.once('close', onClose);
  const early = versionAtLeast(apiVersion, '1.30');
  // The container must exist before headers go out: a missing one is a plain 404.
  await c.inspect(params.id!);
  const pending = c.wait(params.id!, condition as 'not-running' | 'next-exit' | 'removed', controller.signal);
  if (early) {
    writeHead(res, 200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  }
  let body: unknown;
  try {
    const result = await pending;
    body = { Error: result.Error ?? null, StatusCode: result.StatusCode };
  } catch (err) {
    if (!early) throw err;
    body = { Error: { Message: controller.signal.aborted ? 'context canceled' : (err as Error).message }, StatusCode: -1 };
  } finally {
    res.off('close', onClose);
  }
  void req;
  if (early) res.end(goJson(body));
  else writeJson(res, 200, body);
}

/** `GET /containers/{id}/stats`: one JSON object, or one per second with `stream=1` (the default). */
async function stats({ res, params, query }: RequestContext, c: ContainerEngine): Promise<void> {
  const stream = query.get('stream') === null || query.get('stream') === '' ? true : boolValue(query, 'stream');
  const controller = new AbortController();
  const onClose = () => controller.abort();
  res.once('close', onClose);
  try {
    const items = c.stats(params.id!, { stream, oneShot: boolValue(query, 'one-shot'), signal: controller.signal });
    let started = false;
    for await (const item of items) {
      if (!started) {
        writeHead(res, 200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        started = true;
      }
      if (!res.write(goJson(item))) await new Promise((resolve) => res.once('drain', resolve));
      if (!stream) break;
    }
    if (!started) writeHead(res, 200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.end();
  } catch (err) {
    if (controller.signal.aborted) return;
    throw err;
  } finally {
    res.off('close', onClose);
  }
}

/** Streams bytes chunked; an error before the first byte is a normal error response. */
async function streamBytes(res: ServerResponse, contentType: string, data: AsyncIterable<Uint8Array>): Promise<void> {
  const it = data[Symbol.asyncIterator]();
  const first = await it.next();
  writeHead(res, 200, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked' });
  try {
    for (let next = first; !next.done; next = await it.next()) {
      if (!res.write(next.value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch (err) {
    res.destroy(err as Error);
  }
}
