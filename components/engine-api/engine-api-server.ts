/**
 * The `http-api-v1` server: Docker's Engine API over HTTP/1.1 on a unix socket.
 *
 * `createEngineApiServer` wires the route groups into one router behind moby's middleware
 * (common headers, version check, error bodies); `listenUnix` and `closeServer` run it.
 * Requests with an `Upgrade` header (attach, exec start) go through the same router with
 * `ctx.upgrade` set; their sockets stay half-open-capable, as the docker CLI requires. Routes
 * declared `hijack: true` take their connection with `hijack()` (hijack.ts), with or without
 * an `Upgrade` header.
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
import { containerRoutes } from './routes/containers.js';
import { containerStreamRoutes } from './routes/container-streams.js';
import { systemRoutes } from './routes/system.js';
import { diskUsageRoutes } from './routes/disk-usage.js';
import { networkRoutes } from './routes/networks.js';
import { pluginRoutes } from './routes/plugins.js';
import { volumeRoutes } from './routes/volumes.js';

export type { EngineApiDeps, EngineFacts } from './engine-api-deps.js';
export { closeServer, listenUnix } from './listen-unix.js';

/** A route group: one file under `routes/`, building its routes from the shared deps. */
export type RouteGroup = (deps: EngineApiDeps) => Route[];

/** Every route group the engine API serves. Adding a group is one line here. */
export const routeGroups: readonly RouteGroup[] = [
  systemRoutes, diskUsageRoutes, imageRoutes, containerRoutes, containerStreamRoutes, volumeRoutes, networkRoutes, pluginRoutes, eventRoutes, authRoutes,
];

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
    socket.pause(); // no 'data' listener any more: keep the client's bytes until a handler reads them
    socket.on('error', () => socket.destroy()); // the client went away; nothing to report to
    (socket as Socket).setTimeout(0);
    const res = upgradeResponse(req, socket);
    let rest = head;
    const upgrade: Upgrade = {
      get head() {
        return rest;
      },
      readBody: () => readUpgradeBody(req, socket, rest).then(({ body, after }) => {
        rest = after;
        return body;
      }),
      hijack: () => {
        if (res.socket) res.detachSocket(socket as Socket);
        return socket;
      },
    };
    void dispatch(router, resolved, req, res, upgrade);
  });
  return server;
}

/** Reads `Content-Length` bytes of body from what followed the head and then from the socket. */
async function readUpgradeBody(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<{ body: Buffer; after: Buffer }> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length <= 0) return { body: Buffer.alloc(0), after: head };
  if (length > 1 << 20) throw new Error('request body too large');
  let have = head;
  while (have.length < length) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (d: Buffer) => {
        cleanup();
        resolve(d);
      };
      const onEnd = () => {
        cleanup();
        resolve(null);
      };
      const cleanup = () => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        socket.pause();
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
    if (!chunk) break;
    have = Buffer.concat([have, chunk]);
  }
  return { body: have.subarray(0, length), after: have.subarray(length) };
}

/** A response bound to an upgraded socket, so a handler can still answer it normally. */
function upgradeResponse(req: http.IncomingMessage, socket: Duplex): http.ServerResponse {
  const res = new http.ServerResponse(req);
  res.assignSocket(socket as Socket);
  res.shouldKeepAlive = false;
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.resume(); // discard what the client sends, so its FIN is seen and the socket closes
    socket.end();
  });
  return res;
}
