/**
 * The contract between init and a component process it starts: one environment variable,
 * `MOBY_COMPONENT`, holding JSON, and file descriptor 3, a pipe whose end means init is gone.
 * Nothing else of init's state is inherited, so a component runs unchanged in a container.
 */
import type { ServiceRef } from '../../lib/manifest/index.js';
import type { EngineRoots } from '../../lib/component/paths.js';

export const componentEnvVar = 'MOBY_COMPONENT';
/** The lifeline: init keeps its end open for as long as it lives. */
export const lifelineFd = 3;

export interface ComponentEnv {
  name: string;
  services: ServiceRef[];
  socket: string;
  registrySocket: string;
  roots: EngineRoots;
}

export function encodeComponentEnv(env: ComponentEnv): string {
  return JSON.stringify(env);
}

export function decodeComponentEnv(raw: string | undefined): ComponentEnv {
  if (!raw) throw new Error(`${componentEnvVar} is not set: components are started by moby daemon`);
  const env = JSON.parse(raw) as ComponentEnv;
  for (const k of ['name', 'socket', 'registrySocket'] as const) {
    if (typeof env[k] !== 'string' || env[k] === '') throw new Error(`${componentEnvVar}: ${k} is missing`);
  }
  return env;
}
