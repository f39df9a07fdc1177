/** The image route group: list, inspect, history, tag, remove, import, load, save, prune, df. */
import type { Readable } from 'node:stream';
import { errorOf } from '../../../lib/errdefs/index.js';
import type { Filters as StoreFilters, ImageStore } from '../../../core/image-store/image-store.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { parseFilters, type Filters } from '../filters.js';
import { relayProgress } from '../json-stream.js';
import { boolValue } from '../query.js';
import { writeHead, writeJson } from '../respond.js';
import type { RequestContext, Route } from '../router.js';

export function imageRoutes(deps: EngineApiDeps): Route[] {
  const store = async (): Promise<ImageStore> => {
    if (!deps.images) throw errorOf('not-implemented', 'no image store in this engine');
    return deps.images();
  };
  const route = (method: Route['method'], path: string, handler: (ctx: RequestContext, images: ImageStore) => Promise<void>): Route => ({
    method,
    path,
    handler: async (ctx) => handler(ctx, await store()),
  });
  return [
    route('GET', '/images/json', async ({ res, query }, images) => {
      const filters = storeFilters(parseFilters(query.get('filters')));
      writeJson(res, 200, await images.list({ all: boolValue(query, 'all'), filters, sharedSize: boolValue(query, 'shared-size') }));
    }),
    route('GET', '/images/get', async ({ res, query }, images) => save(res, images, query.getAll('names'))),
    route('POST', '/images/create', async (ctx, images) => create(ctx, images)),
    route('POST', '/images/load', async ({ req, res, query }, images) => {
      const quiet = boolValue(query, 'quiet');
      await relayProgress(res, images.load(req, { quiet }));
    }),
    route('POST', '/images/prune', async ({ res, query }, images) => {
      writeJson(res, 200, await images.prune({ filters: storeFilters(parseFilters(query.get('filters'))) }));
    }),
    route('GET', '/images/{name*}/json', async ({ res, params }, images) => writeJson(res, 200, await images.inspect(params.name!))),
    route('GET', '/images/{name*}/history', async ({ res, params }, images) => writeJson(res, 200, await images.history(params.name!))),
    route('GET', '/images/{name*}/get', async ({ res, params }, images) => save(res, images, [params.name!])),
    route('POST', '/images/{name*}/tag', async ({ res, params, query }, images) => {
      const repo = query.get('repo') ?? '';
      if (repo === '') throw errorOf('invalid-argument', 'repository name must have at least one component');
      await images.tag(params.name!, repo, query.get('tag') || undefined);
      writeHead(res, 201, { 'Content-Length': '0' });
      res.end();
    }),
    route('DELETE', '/images/{name*}', async ({ res, params, query }, images) => {
      const noprune = boolValue(query, 'noprune');
      writeJson(res, 200, await images.remove(params.name!, { force: boolValue(query, 'force'), prune: !noprune }));
    }),
    route('GET', '/system/df', async ({ res }, images) => {
      const { LayersSize, Images } = await images.diskUsage();
      writeJson(res, 200, { LayersSize, Images, Containers: [], Volumes: [], BuildCache: [] });
    }),
  ];
}

/** `POST /images/create`: `fromSrc=-` imports the body; pulling (`fromImage`) comes with distribution. */
async function create({ req, res, query }: RequestContext, images: ImageStore): Promise<void> {
  const fromSrc = query.get('fromSrc');
  if (fromSrc === null || fromSrc === '') {
    if (query.get('fromImage')) throw errorOf('not-implemented', 'pulling images from a registry is not implemented yet');
    throw errorOf('invalid-argument', 'fromImage or fromSrc is required');
  }
  if (fromSrc !== '-') throw errorOf('not-implemented', `importing from a URL (${fromSrc}) is not supported: send the tarball as the body (fromSrc=-)`);
  const events = images.import(req as Readable, {
    repo: query.get('repo') ?? '',
    tag: query.get('tag') ?? '',
    changes: query.getAll('changes'),
    message: query.get('message') ?? '',
    platform: query.get('platform') ?? '',
  });
  await relayProgress(res, events);
}

async function save(res: RequestContext['res'], images: ImageStore, names: string[]): Promise<void> {
  const chunks = images.save(names)[Symbol.asyncIterator]();
  // The first chunk proves the names resolved: until then an error can still be a 404.
  const first = await chunks.next();
  writeHead(res, 200, { 'Content-Type': 'application/x-tar' });
  if (!first.done) res.write(first.value);
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    if (!res.write(next.value)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

function storeFilters(filters: Filters): StoreFilters {
  return Object.fromEntries(filters.keys().map((k) => [k, filters.get(k)]));
}
