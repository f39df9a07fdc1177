/** The image route group: list, inspect, history, tag, remove, import, pull, push, load, save, prune. */
import type { Readable } from 'node:stream';
import { errorOf } from '../../../lib/errdefs/index.js';
import { isDigest } from '../../../core/content/index.js';
import { parseRegistryAuth } from '../../../core/distribution/registry-auth.js';
import type { Filters as StoreFilters, ImageStore, ProgressEvent, RegistryAuth } from '../../../core/image-store/image-store.js';
import { isValidTag, parseNormalizedNamed, referenceString, repoTagReference, type Reference } from '../../../core/image/reference.js';
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
    route('POST', '/images/{name*}/push', async (ctx, images) => push(ctx, images)),
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
  ];
}

/** `POST /images/create`: `fromImage` pulls from a registry, `fromSrc=-` imports the body. */
async function create(ctx: RequestContext, images: ImageStore): Promise<void> {
  const { req, res, query } = ctx;
  const fromImage = query.get('fromImage');
  if (fromImage) return pull(ctx, images, fromImage);
  const fromSrc = query.get('fromSrc');
  if (fromSrc === null || fromSrc === '') throw errorOf('invalid-argument', 'fromImage or fromSrc is required');
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

/**
 * `docker pull`, as moby's `postImagesCreate`: `tag` (a tag or a digest) completes
 * `fromImage`; a name with neither pulls every tag (`--all-tags`). Unreadable credentials
 * pull anonymously, as moby ignores them. Errors before the first message (a missing
 * manifest) are plain error answers; later ones go in the stream. A client that goes away
 * stops the pull.
 */
async function pull({ req, res, query }: RequestContext, images: ImageStore, fromImage: string): Promise<void> {
  const ref = pullReference(fromImage, query.get('tag') ?? '');
  const allTags = ref.tag === undefined && ref.digest === undefined;
  const platform = query.get('platform') ?? '';
  const auth = authOrAnonymous(req.headers['x-registry-auth']);
  await relayUntilGone(res, (signal) => images.pull(referenceString(ref), { auth, allTags, signal, ...(platform ? { platform } : {}) }));
}

/** `docker push`: `tag` names the tag (empty: every tag of the repository); credentials must be readable. */
async function push({ req, res, params, query }: RequestContext, images: ImageStore): Promise<void> {
  const tag = query.get('tag') ?? '';
  const ref = tag !== '' ? repoTagReference(params.name!, tag) : parseNormalizedNamed(params.name!);
  const auth = parseRegistryAuth(headerValue(req.headers['x-registry-auth']));
  await relayUntilGone(res, (signal) => images.push(referenceString(ref), { auth, signal }));
}

/** moby's reading of `fromImage` and `tag`: a trailing `:` is dropped, and `tag` may be a digest. */
function pullReference(fromImage: string, tag: string): Reference {
  const ref = parseNormalizedNamed(fromImage.replace(/:$/, ''));
  if (tag === '') return ref;
  if (tag.includes(':')) {
    if (!isDigest(tag)) throw errorOf('invalid-argument', `invalid reference format: ${tag}`);
    return { domain: ref.domain, path: ref.path, digest: tag };
  }
  if (!isValidTag(tag)) throw errorOf('invalid-argument', 'invalid tag format');
  return { domain: ref.domain, path: ref.path, tag };
}

function authOrAnonymous(header: string | string[] | undefined): RegistryAuth {
  try {
    return parseRegistryAuth(headerValue(header));
  } catch {
    return {};
  }
}

function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/** Relays a progress stream; the operation is cancelled when the client closes the connection first. */
async function relayUntilGone<T>(res: RequestContext['res'], start: (signal: AbortSignal) => AsyncIterable<ProgressEvent<T>>): Promise<void> {
  const controller = new AbortController();
  const gone = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.once('close', gone);
  try {
    await relayProgress(res, start(controller.signal));
  } finally {
    res.off('close', gone);
  }
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
