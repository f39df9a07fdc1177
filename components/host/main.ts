/**
 * The process entry of every Moby Core component that init starts as a process of its own:
 * reads `MOBY_COMPONENT`, hosts the services it names, and shuts down cleanly on SIGTERM or
 * when init's lifeline (fd 3) closes.
 */
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { startComponent } from '../../lib/component/component-host.js';
import { createLogger } from '../../lib/component/log.js';
import { loadFactory } from '../catalog.js';
import { componentEnvVar, decodeComponentEnv, lifelineFd } from '../init/component-env.js';

async function main(): Promise<void> {
  const env = decodeComponentEnv(process.env[componentEnvVar]);
  const log = createLogger({ component: env.name });
  const services = await Promise.all(env.services.map(async (s) => ({ ...s, factory: await loadFactory(s.name, s.implementation) })));
  const running = await startComponent({ name: env.name, socket: env.socket, registrySocket: env.registrySocket, roots: env.roots, services, log });

  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { why });
    running.close().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  watchLifeline(() => shutdown('init is gone'));
}

function watchLifeline(onGone: () => void): void {
  try {
    fstatSync(lifelineFd);
  } catch {
    return; // started by hand, without init: nothing to watch
  }
  const life = new Socket({ fd: lifelineFd, readable: true, writable: false });
  life.on('end', onGone);
  life.on('close', onGone);
  life.on('error', onGone);
  life.resume();
}

main().catch((err: Error) => {
  process.stderr.write(`component failed to start: ${err.message}\n`);
  process.exit(1);
});
