/** The volume route group: create, list, inspect, remove, prune. */
import type { VolumeService } from '../../../core/volumes/volume-service.js';
import { errorOf } from '../../../lib/errdefs/index.js';
import { versionAtLeast } from '../api-version.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { parseFilters } from '../filters.js';
import { readJsonObject } from '../json-body.js';
import { boolValue } from '../query.js';
import { writeEmpty, writeJson } from '../respond.js';
import type { RequestContext, Route } from '../router.js';

export function volumeRoutes(deps: EngineApiDeps): Route[] {
  const route = (method: Route['method'], path: string, handler: (ctx: RequestContext, v: VolumeService) => Promise<void>): Route => ({
    method,
    path,
    handler: async (ctx) => {
      if (!deps.volumes) throw errorOf('not-implemented', 'no volume store in this engine');
      await handler(ctx, await deps.volumes());
    },
  });
  return [
    route('GET', '/volumes', async ({ res, query }, v) => {
      const { Volumes, Warnings } = await v.list(parseFilters(query.get('filters')).toRecord());
      writeJson(res, 200, { Volumes, Warnings: Warnings.length ? Warnings : null });
    }),
    route('POST', '/volumes/create', async ({ req, res }, v) => {
      const body = await readJsonObject(req);
      const str = (key: string): string | undefined => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
      const map = (key: string): Record<string, string> | null => (body[key] && typeof body[key] === 'object' ? (body[key] as Record<string, string>) : null);
      const name = str('Name');
      const driver = str('Driver');
      writeJson(res, 201, await v.create({ ...(name ? { Name: name } : {}), ...(driver ? { Driver: driver } : {}), DriverOpts: map('DriverOpts'), Labels: map('Labels') }));
    }),
    route('POST', '/volumes/prune', async ({ res, query, apiVersion }, v) => {
      const filters = parseFilters(query.get('filters')).toRecord();
      // Before API 1.42 prune removed named volumes too.
      if (!versionAtLeast(apiVersion, '1.42') && !filters.all) filters.all = ['true'];
      writeJson(res, 200, await v.prune(filters));
    }),
    route('GET', '/volumes/{name}', async ({ res, params }, v) => writeJson(res, 200, await v.inspect(params.name!))),
    route('DELETE', '/volumes/{name}', async ({ res, params, query }, v) => {
      await v.remove(params.name!, { force: boolValue(query, 'force') });
      writeEmpty(res, 204);
    }),
  ];
}
