/**
 * Where things are: the repository (for shipped files such as manifests) and the exec-root layout.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root; compiled code runs from `<root>/dist/lib/component/`. */
export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(here: string): string {
  const parts = here.split('/');
  const dist = parts.lastIndexOf('dist');
  // Under tsx the sources run in place: lib/component is two levels below the root.
  return dist >= 0 ? parts.slice(0, dist).join('/') || '/' : resolve(here, '..', '..');
}

export interface EngineRoots {
  /** Persistent state: content, metadata, container records, volumes. */
  dataRoot: string;
  /** Runtime state: sockets, bundles, monitor state. */
  execRoot: string;
}

export const defaultRoots: EngineRoots = { dataRoot: '/var/lib/moby', execRoot: '/run/moby' };

export function componentsDir(execRoot: string): string {
  return join(execRoot, 'components');
}

export function componentSocket(execRoot: string, component: string): string {
  return join(componentsDir(execRoot), `${component}.sock`);
}

/** The daemon's discovery file: its pid and the registry's socket, for `moby component ls`. */
export function daemonFile(execRoot: string): string {
  return join(execRoot, 'moby-daemon.json');
}
