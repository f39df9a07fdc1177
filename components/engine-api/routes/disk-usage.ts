/**
 * `GET /system/df`: what images, containers and volumes use, from each store present.
 * `type` (API 1.42) limits the answer to some of them. Moby Core has no builder, so no build
 * cache: df reports none and `POST /build/prune` (run by `docker system prune`) frees nothing.
 */
import type { Json } from '../../../core/image-store/image-store.js';
import { errorOf } from '../../../lib/errdefs/index.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { writeJson } from '../respond.js';
import type { Route } from '../router.js';

const TYPES = ['image', 'container', 'volume', 'build-cache'];

export function diskUsageRoutes(deps: EngineApiDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/system/df',
      handler: async ({ res, query }) => {
        const asked = query.getAll('type');
        const want = (t: string) => asked.length === 0 || asked.includes(t);
        for (const t of asked) if (!TYPES.includes(t)) throw errorOf('invalid-argument', `unknown object type: ${t}`);
        const [images, containers, volumes] = await Promise.all([
          want('image') && deps.images ? (await deps.images()).diskUsage() : undefined,
          want('container') && deps.containers ? (await deps.containers()).list({ all: true, size: true }) : undefined,
          want('volume') && deps.volumes ? (await deps.volumes()).usage() : undefined,
        ]);
        const out: Record<string, Json> = {};
        if (want('image')) Object.assign(out, { LayersSize: images?.LayersSize ?? 0, Images: (images?.Images ?? []) as Json });
        if (want('container')) out.Containers = (containers ?? []) as Json;
        if (want('volume')) out.Volumes = (volumes ?? []) as unknown as Json;
        if (want('build-cache')) out.BuildCache = [];
        writeJson(res, 200, out);
      },
    },
    { method: 'POST', path: '/build/prune', handler: async ({ res }) => writeJson(res, 200, { CachesDeleted: null, SpaceReclaimed: 0 }) },
  ];
}
