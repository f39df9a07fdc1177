/** Running an http.Server on a unix socket: claim the path safely, and shut down in order. */
import type http from 'node:http';
import { chmod } from 'node:fs/promises';
import { errorOf, wrap } from '../../lib/errdefs/errdefs.js';
import { prepareSocket } from '../../lib/component/unix-socket.js';

/** Anything that tracks upgraded sockets the http server no longer sees (EngineApiServer). */
interface TracksUpgrades {
  upgraded?: Set<{ destroy(): void }>;
}

/**
 * Listens on the unix socket `path` and sets its mode. A socket file left by a dead process is
 * removed first; if something still answers on it the call fails with `conflict`, and a path
 * that exists but is not a socket fails with `failed-precondition`. Nothing is removed then.
 */
export async function listenUnix(server: http.Server, path: string, mode = 0o660): Promise<void> {
  await prepareSocket(path);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? errorOf('conflict', `socket ${path}: address in use`, err) : wrap(err, `listen ${path}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(path);
  });
  try {
    await chmod(path, mode);
  } catch (err) {
    server.close();
    throw wrap(err, `chmod socket ${path}`);
  }
}

/**
 * Stops accepting connections and resolves once every connection is gone. Idle keep-alive
 * connections and upgraded streams (attach, exec) close at once; requests in flight get
 * `graceMs` to finish before their connections are cut. Resolves also if the server was not
 * listening. Node removes the socket file.
 */
export function closeServer(server: http.Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close((err?: Error) => {
      clearTimeout(timer);
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(err);
      else resolve();
    });
    server.closeIdleConnections();
    for (const socket of (server as TracksUpgrades).upgraded ?? []) socket.destroy();
  });
}
