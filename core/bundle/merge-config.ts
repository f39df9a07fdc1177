import { errorOf } from '../../lib/errdefs/index.js';
import type { ContainerOptions } from './container-options.js';
import type { ImageExecConfig } from './oci-types.js';

/** The container's config once the image's defaults are filled in. */
export interface MergedConfig {
  Entrypoint: string[];
  Cmd: string[];
  /** User env first, then the image's entries whose keys the user did not set. */
  Env: string[];
  User: string;
  WorkingDir: string;
  Hostname: string;
  Domainname: string;
  Tty: boolean;
  OpenStdin: boolean;
}

/**
 * Docker's `merge` and `mergeAndVerifyConfig`: the user's Entrypoint replaces
 * the image's and, when given, drops the image's Cmd; `Entrypoint: []` keeps the
 * image's Cmd, `[""]` drops both; no command at all is refused.
 */
export function mergeConfig(image: ImageExecConfig | undefined, opts: ContainerOptions, id: string): MergedConfig {
  const img = image ?? {};
  let entrypoint = opts.Entrypoint;
  let cmd = opts.Cmd ?? [];
  if (!entrypoint || entrypoint.length === 0) {
    if (cmd.length === 0) cmd = img.Cmd ?? [];
    if (entrypoint === undefined || entrypoint === null) entrypoint = img.Entrypoint ?? [];
  }
  if (entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  if (entrypoint.length === 0 && cmd.length === 0) {
    throw errorOf('invalid-argument', 'No command specified');
  }
  return {
    Entrypoint: [...entrypoint],
    Cmd: [...cmd],
    Env: mergeEnv(img.Env ?? [], opts.Env ?? []),
    User: opts.User || img.User || '',
    WorkingDir: opts.WorkingDir || img.WorkingDir || '',
    Hostname: opts.Hostname || id.slice(0, 12),
    Domainname: opts.Domainname ?? '',
    Tty: opts.Tty ?? false,
    OpenStdin: opts.OpenStdin ?? false,
  };
}

function mergeEnv(imageEnv: string[], userEnv: string[]): string[] {
  if (userEnv.length === 0) return [...imageEnv];
  const userKeys = new Set(userEnv.map(envKey));
  return [...userEnv, ...imageEnv.filter((entry) => !userKeys.has(envKey(entry)))];
}

export function envKey(entry: string): string {
  const index = entry.indexOf('=');
  return index < 0 ? entry : entry.slice(0, index);
}
