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

/**
 * Moby Core's version (package.json) and the revision it was built from
 * (`dist/build-info.json`, written by scripts/install; "" when built without git).
 */
export function buildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, revision: buildFacts().revision };
}

/** The revision and time of the build, as scripts/install recorded them. */
export function buildFacts(): { revision: string; time: string } {
  try {
    const facts = JSON.parse(readFileSync(join(repoRoot, 'dist', 'build-info.json'), 'utf8')) as { revision?: string; time?: string };
    return { revision: facts.revision ?? '', time: facts.time ?? '' };
  } catch {
    return { revision: '', time: '' };
  }
}

export function versionImplementation(info: Omit<GetVersionResponse, 'pid'>): VersionServer {
  return {
    get: (_call, callback) => callback(null, { ...info, pid: process.pid }),
  };
}
