/**
 * Unix socket housekeeping shared by the gRPC servers and the engine API's HTTP server.
 */
import { connect } from 'node:net';
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorOf } from '../errdefs/index.js';

/** Unix socket paths are limited by sockaddr_un.sun_path. */
export const maxSocketPath = 107;

/**
 * Makes `path` ready to be bound: its folder exists (created with `dirMode`), and a stale
 * socket left by a dead server is removed. A socket that still answers is never taken over.
 */
export async function prepareSocket(path: string, dirMode = 0o700): Promise<void> {
  if (Buffer.byteLength(path) > maxSocketPath) {
    throw errorOf('invalid-argument', `socket path ${path} is longer than ${maxSocketPath} bytes`);
  }
  await mkdir(dirname(path), { recursive: true, mode: dirMode });
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket()) throw errorOf('failed-precondition', `${path} exists and is not a socket`);
  if (await answers(path)) throw errorOf('conflict', `socket ${path} is in use by a running server`);
  await unlink(path);
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function removeSocket(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
