/**
 * http-api-v1: the Docker Engine API on `<exec-root>/docker.sock`, over the other components'
 * clients. This file is the wiring only: facts come from the registry, routes from routes/.
 */
import { join } from 'node:path';
import { Health, State } from '../../api/moby/component_registry/v1/component_registry.js';
import { buildFacts, buildInfo } from '../../lib/component/version.js';
import type { ServiceContext, ServiceFactory } from '../../lib/component/service.js';
import { closeServer, createEngineApiServer, listenUnix, type EngineFacts } from './engine-api-server.js';

export const dockerSocketName = 'docker.sock';

export const engineApiService: ServiceFactory = (ctx) => {
  const { version, revision } = buildInfo();
  const server = createEngineApiServer({ version, revision, buildTime: buildFacts().time, dataRoot: ctx.roots.dataRoot, facts: registryFacts(ctx) });
  const socket = join(ctx.roots.execRoot, dockerSocketName);
  return {
    start: () => listenUnix(server, socket, 0o660),
    close: () => closeServer(server),
  };
};

/** What the API reports about the engine, read from the component registry. */
function registryFacts(ctx: ServiceContext): EngineFacts {
  return {
    components: async () =>
      (await ctx.registry.list()).map((c) => ({
        name: c.name,
        version: c.version,
        services: c.services,
        health: c.health === Health.HEALTH_SERVING ? 'SERVING' : c.health === Health.HEALTH_NOT_SERVING ? 'NOT_SERVING' : c.state === State.STATE_FAILED ? 'FAILED' : 'UNKNOWN',
        pid: c.pid,
      })),
    // No container-store or image-store exists yet: nothing to count.
    counts: async () => ({ containers: 0, running: 0, paused: 0, stopped: 0, images: 0 }),
  };
}
