/**
 * http-api-v1: the Docker Engine API on `<exec-root>/docker.sock`, over the other components'
 * clients. This file is the wiring only: facts come from the registry, routes from routes/.
 */
import { join } from 'node:path';
import { Health, State } from '../../api/moby/component_registry/v1/component_registry.js';
import { buildFacts, buildInfo } from '../../lib/component/version.js';
import type { ServiceContext, ServiceFactory } from '../../lib/component/service.js';
import type { ImageStore } from '../../core/image-store/image-store.js';
import { EventsClient } from '../events/client.js';
import { GrpcImageStore } from '../image-store/client.js';
import { GrpcContainerEngine } from '../containers/client.js';
import type { ContainerEngine } from '../../core/container-engine/container-engine.js';
import { GrpcNetworkService } from '../networks/client.js';
import { GrpcVolumeService } from '../volumes/client.js';
import { closeServer, createEngineApiServer, listenUnix, type EngineFacts } from './engine-api-server.js';

export const dockerSocketName = 'docker.sock';

export const engineApiService: ServiceFactory = (ctx) => {
  const { version, revision } = buildInfo();
  const images = dialOnce(() => GrpcImageStore.dial(ctx.registry));
  const events = dialOnce(() => EventsClient.dial(ctx.registry));
  const containers = dialOnce(async () => new GrpcContainerEngine(ctx.registry));
  const volumes = dialOnce(async () => new GrpcVolumeService(ctx.registry));
  const networks = dialOnce(async () => new GrpcNetworkService(ctx.registry));
  const server = createEngineApiServer({
    version,
    revision,
    buildTime: buildFacts().time,
    dataRoot: ctx.roots.dataRoot,
    facts: registryFacts(ctx, images.get, containers.get),
    images: images.get,
    containers: containers.get,
    volumes: volumes.get,
    networks: networks.get,
    events: events.get,
  });
  const socket = join(ctx.roots.execRoot, dockerSocketName);
  return {
    start: () => listenUnix(server, socket, 0o660),
    close: async () => {
      await closeServer(server);
      await Promise.all([images.close(), events.close(), containers.close(), volumes.close(), networks.close()]);
    },
  };
};

/** A client dialled on first use and kept; a failed dial is retried by the next request. */
function dialOnce<T extends { close(): unknown }>(dial: () => Promise<T>): { get: () => Promise<T>; close: () => Promise<void> } {
  let client: Promise<T> | undefined;
  const get = () => {
    client ??= dial().catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return client;
  };
  const close = async () => {
    const c = await client?.catch(() => undefined);
    await c?.close();
  };
  return { get, close };
}

/** What the API reports about the engine, read from the component registry and the stores. */
function registryFacts(ctx: ServiceContext, images: () => Promise<ImageStore>, containers: () => Promise<ContainerEngine>): EngineFacts {
  return {
    components: async () =>
      (await ctx.registry.list()).map((c) => ({
        name: c.name,
        version: c.version,
        services: c.services,
        health: c.health === Health.HEALTH_SERVING ? 'SERVING' : c.health === Health.HEALTH_NOT_SERVING ? 'NOT_SERVING' : c.state === State.STATE_FAILED ? 'FAILED' : 'UNKNOWN',
        pid: c.pid,
      })),
    counts: async () => {
      const [imageList, counts] = await Promise.all([(await images()).list(), (await containers()).counts()]);
      return { ...counts, images: imageList.length };
    },
  };
}
