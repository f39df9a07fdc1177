/**
 * The `http-api-v1` server: Docker's Engine API over HTTP/1.1 on a unix socket.
 *
 * `createEngineApiServer` wires the route groups into one router behind moby's middleware
 * (common headers, version check, error bodies); `listenUnix` and `closeServer` run it.
 * Requests with an `Upgrade` header (attach, exec start) go through the same router with
 * `ctx.upgrade` set; their sockets stay half-open-capable, as the docker CLI requires.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { LocalHostFacts } from '../../core/system/host-facts.js';
import { dispatch } from './dispatch.js';
import type { EngineApiDeps } from './engine-api-deps.js';
import { Router, type Route, type Upgrade } from './router.js';
import { authRoutes } from './routes/auth.js';
import { eventRoutes } from './routes/events.js';
import { imageRoutes } from './routes/images.js';
import { systemRoutes } from './routes/system.js';

export type { EngineApiDeps, EngineFacts } from './engine-api-deps.js';
export { closeServer, listenUnix } from './listen-unix.js';

/** A route group: one file under `routes/`, building its routes from the shared deps. */
export type RouteGroup = (deps: EngineApiDeps) => Route[];

/** Every route group the engine API serves. Adding a group is one line here. */
export const routeGroups: readonly RouteGroup[] = [systemRoutes, imageRoutes, eventRoutes, authRoutes];

/** The engine API's http.Server, which also tracks sockets taken over by upgrades. */
export class EngineApiServer extends http.Server {
  /** Upgraded sockets still open; `closeServer` destroys them. */
  readonly upgraded = new Set<Duplex>();
}

/** Idle keep-alive connections close after this; longer than Go's 90 s client idle timeout. */
export const keepAliveTimeoutMs = 120_000;

export function createEngineApiServer(deps: EngineApiDeps, groups: readonly RouteGroup[] = routeGroups): EngineApiServer {
  const resolved: EngineApiDeps = {
    ...deps,
    host: deps.host ?? new LocalHostFacts(),
    log: deps.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };
  const router = new Router();
  for (const group of groups) router.addAll(group(resolved));

  const server = new EngineApiServer({
    maxHeaderSize: 1 << 20, // Go's DefaultMaxHeaderBytes: X-Registry-Auth/Config can be large
    requestTimeout: 0, // uploads (load, build context, import) may take longer than Node's 300 s
    requireHostHeader: false,
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.on('request', (req, res) => void dispatch(router, resolved, req, res, undefined));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    server.upgraded.add(socket);
    socket.on('close', () => server.upgraded.delete(socket));
    socket.on('error', () => socket.destroy()); // the client went away; nothing to report to
    (socket as Socket).setTimeout(0);
    const res = upgradeResponse(req, socket);
    const upgrade: Upgrade = {
      head,
      hijack: () => {
        if (res.socket) res.detachSocket(socket as Socket);
        return socket;
      },
    };
    void dispatch(router, resolved, req, res, upgrade);
  });
  return server;
}

/** A response bound to an upgraded socket, so a handler can still answer it normally. */
function upgradeResponse(req: http.IncomingMessage, socket: Duplex): http.ServerResponse {
  const res = new http.ServerResponse(req);
  res.assignSocket(socket as Socket);
  res.shouldKeepAlive = false;
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  return res;
}
