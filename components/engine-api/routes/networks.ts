/**
 * The network route group: create, list, inspect, remove, prune over the network store;
 * connect and disconnect go to the container engine, which owns a container's endpoints.
 */
import type { ContainerEngine, Json } from '../../../core/container-engine/container-engine.js';
import type { NetworkService } from '../../../core/networks/network-service.js';
import { errorOf } from '../../../lib/errdefs/index.js';
import type { EngineApiDeps } from '../engine-api-deps.js';
import { parseFilters } from '../filters.js';
import { readJsonObject } from '../json-body.js';
import { boolValue } from '../query.js';
import { writeEmpty, writeJson } from '../respond.js';
import type { RequestContext, Route } from '../router.js';

export function networkRoutes(deps: EngineApiDeps): Route[] {
  const networks = async (): Promise<NetworkService> => {
    if (!deps.networks) throw errorOf('not-implemented', 'no network store in this engine');
    return deps.networks();
  };
  const containers = async (): Promise<ContainerEngine> => {
    if (!deps.containers) throw errorOf('not-implemented', 'no container engine in this engine');
    return deps.containers();
  };
  const route = (method: Route['method'], path: string, handler: (ctx: RequestContext, n: NetworkService) => Promise<void>): Route => ({
    method,
    path,
    handler: async (ctx) => handler(ctx, await networks()),
  });
  const list = route('GET', '/networks', async ({ res, query }, n) => writeJson(res, 200, await n.list(parseFilters(query.get('filters')).toRecord())));
  return [
    list,
    { ...list, path: '/networks/' },
    route('POST', '/networks/create', async ({ req, res }, n) => {
      const body = await readJsonObject(req);
      if (typeof body.Name !== 'string' || body.Name === '') throw errorOf('invalid-argument', 'invalid name:');
      writeJson(res, 201, await n.create(body as never));
    }),
    route('POST', '/networks/prune', async ({ res, query }, n) => writeJson(res, 200, await n.prune(parseFilters(query.get('filters')).toRecord()))),
    route('GET', '/networks/{id}', async ({ res, params, query }, n) => {
      const scope = query.get('scope');
      writeJson(res, 200, await n.inspect(params.id!, { verbose: boolValue(query, 'verbose'), ...(scope ? { scope } : {}) }));
    }),
    route('DELETE', '/networks/{id}', async ({ res, params }, n) => {
      await n.remove(params.id!);
      writeEmpty(res, 204);
    }),
    route('POST', '/networks/{id}/connect', async ({ req, res, params }) => {
      const body = await readJsonObject(req);
      if (typeof body.Container !== 'string' || body.Container === '') throw errorOf('invalid-argument', 'container name or ID is required');
      const endpoint = body.EndpointConfig && typeof body.EndpointConfig === 'object' ? (body.EndpointConfig as Json) : {};
      await (await containers()).networkConnect(body.Container, params.id!, endpoint);
      writeEmpty(res, 200);
    }),
    route('POST', '/networks/{id}/disconnect', async ({ req, res, params }) => {
      const body = await readJsonObject(req);
      if (typeof body.Container !== 'string' || body.Container === '') throw errorOf('invalid-argument', 'container name or ID is required');
      await (await containers()).networkDisconnect(body.Container, params.id!, { force: body.Force === true });
      writeEmpty(res, 200);
    }),
  ];
}
