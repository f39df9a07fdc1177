/**
 * The `moby.version.v1.Version` service, served by every component, and the build facts it reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VersionService, type GetVersionResponse, type VersionServer } from '../../api/moby/version/v1/version.js';
import { repoRoot } from './paths.js';

export { VersionService };

export interface BuildInfo {
  version: string;
  revision: string;
}

/** Moby Core's version (package.json) and revision (the BUILD_REVISION file written at build, else ""). */
export function buildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  let revision = '';
  try {
    revision = readFileSync(join(repoRoot, 'dist', 'BUILD_REVISION'), 'utf8').trim();
  } catch {
    // A build without git metadata reports no revision.
  }
  return { version: pkg.version, revision };
}

export function versionImplementation(info: Omit<GetVersionResponse, 'pid'>): VersionServer {
  return {
    get: (_call, callback) => callback(null, { ...info, pid: process.pid }),
  };
}
