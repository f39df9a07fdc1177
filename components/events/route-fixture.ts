/**
 * Test support (not a test): a throwaway engine API server with only the system and events
 * route groups, over the `EventsSubscriber` a test gives it, in a fresh temporary directory.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventsSubscriber } from '../../core/events/events.js';
import { closeServer, createEngineApiServer, listenUnix } from '../engine-api/engine-api-server.js';
import { eventRoutes } from '../engine-api/routes/events.js';
import { systemRoutes } from '../engine-api/routes/system.js';
import { fakeFacts, fakeHostSource } from '../engine-api/test-engine.js';

export interface EventsEngine {
  dir: string;
  socketPath: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startEventsEngine(events: (() => Promise<EventsSubscriber>) | undefined): Promise<EventsEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'mc-evapi-'));
  const socketPath = join(dir, 'd.sock');
  const logs: string[] = [];
  const server = createEngineApiServer(
    { version: '0.1.0-test', revision: 'deadbee', dataRoot: join(dir, 'root'), facts: fakeFacts, host: fakeHostSource, events, log: (l) => logs.push(l) },
    [systemRoutes, eventRoutes],
  );
  const close = async () => {
    try {
      await closeServer(server, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    await listenUnix(server, socketPath);
  } catch (err) {
    await close();
    throw err;
  }
  return { dir, socketPath, logs, close };
}

/** A GET whose response is handed over as soon as its headers arrive; the body is read by the caller. */
export function open(socketPath: string, path: string): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path, agent: false }, (res) => resolve({ res, req }));
    req.on('error', reject);
  });
}

/** Reads `res` line by line; resolves with the first `n` lines (or all of them when it ends). */
export function lines(res: http.IncomingMessage, n = Infinity): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    const got = () => text.split('\n').slice(0, -1);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (got().length >= n) {
        res.off('data', onData);
        resolve(got().slice(0, n));
      }
    };
    res.on('data', onData);
    res.on('end', () => resolve(got()));
    res.on('error', reject);
  });
}
