/**
 * `moby daemon`: reads the manifest once, prepares the data and exec roots, runs the
 * supervisor until SIGTERM or SIGINT, then stops every component in reverse order and
 * removes its sockets and its discovery file.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { componentsDir, daemonFile, repoRoot, type EngineRoots } from '../../lib/component/paths.js';
import { createLogger, type Logger } from '../../lib/component/log.js';
import { errorOf } from '../../lib/errdefs/index.js';
import { parseManifest, type Manifest } from '../../lib/manifest/index.js';
import { serviceCatalog } from '../catalog.js';
import { Supervisor } from './supervisor.js';

export const defaultManifestPath = join(repoRoot, 'manifests', 'default.yaml');

export interface DaemonOptions extends EngineRoots {
  manifestPath: string;
}

/** What `moby component ls` and tests read to find a running daemon. */
export interface DaemonFile {
  pid: number;
  registrySocket: string;
  manifest: string;
  startedAt: string;
}

export async function loadManifest(path: string): Promise<Manifest> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw errorOf('invalid-argument', `manifest ${path}: ${err.message}`);
  });
  return parseManifest(text, serviceCatalog, path);
}

export async function runDaemon(opts: DaemonOptions, log: Logger = createLogger({ component: 'init' })): Promise<void> {
  const manifest = await loadManifest(opts.manifestPath);
  await mkdir(opts.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(opts.execRoot, { recursive: true, mode: 0o711 });
  await mkdir(componentsDir(opts.execRoot), { recursive: true, mode: 0o700 });

  const supervisor = new Supervisor({ manifest, roots: opts, log });
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const t0 = performance.now();
  try {
    await supervisor.start();
    const info: DaemonFile = { pid: process.pid, registrySocket: supervisor.registrySocket, manifest: opts.manifestPath, startedAt: new Date().toISOString() };
    await writeFile(daemonFile(opts.execRoot), JSON.stringify(info) + '\n', { mode: 0o644 });
    const mem = process.memoryUsage();
    log.info('engine ready', {
      components: manifest.components.length,
      ms: Math.round(performance.now() - t0),
      manifest: opts.manifestPath,
      rssMiB: Math.round(mem.rss / 2 ** 20),
      heapUsedMiB: Math.round(mem.heapUsed / 2 ** 20),
      heapTotalMiB: Math.round(mem.heapTotal / 2 ** 20),
    });
    const why = await stopped;
    log.info('stopping', { why });
    await supervisor.stop();
  } finally {
    await rm(daemonFile(opts.execRoot), { force: true });
    await rm(componentsDir(opts.execRoot), { recursive: true, force: true });
  }
  log.info('stopped');
}
