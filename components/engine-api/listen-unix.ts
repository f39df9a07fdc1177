/** Running an http.Server on a unix socket: claim the path safely, and shut down in order. */
import type http from 'node:http';
import { connect } from 'node:net';
import { chmod, lstat, unlink } from 'node:fs/promises';
import { errorOf, wrap } from '../../lib/errdefs/errdefs.js';

/** sun_path holds 108 bytes including the terminating NUL. */
const maxSocketPathBytes = 107;

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
  if (Buffer.byteLength(path) > maxSocketPathBytes) {
    throw errorOf('invalid-argument', `socket ${path}: path longer than ${maxSocketPathBytes} bytes`);
  }
  await removeStaleSocket(path);
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

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw wrap(err, `socket ${path}`);
  }
  if (!isSocket) throw errorOf('failed-precondition', `socket ${path}: exists and is not a socket`);
  if (await answers(path)) throw errorOf('conflict', `socket ${path}: another server is listening on it`);
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw wrap(err, `remove stale socket ${path}`);
  });
}

/** Whether a connection to the socket succeeds; refused (or vanished) means stale. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(false);
      else reject(wrap(err, `probe socket ${path}`));
    });
  });
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
