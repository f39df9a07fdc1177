/**
 * The plugin route group. Moby Core has no managed (v2) plugins: `GET /plugins` lists none and
 * the rest answer 501. Legacy plugins (volume drivers found in the plugin directories) are
 * used by name, as Docker does, and are not listed here either.
 */
import { errorOf } from '../../../lib/errdefs/index.js';
import { writeJson } from '../respond.js';
import type { Route } from '../router.js';

export function pluginRoutes(): Route[] {
  const unsupported = async (): Promise<void> => {
    throw errorOf('not-implemented', 'managed plugins are not supported by this engine; legacy plugins are found in the plugin directories');
  };
  return [
    { method: 'GET', path: '/plugins', handler: async ({ res }) => writeJson(res, 200, []) },
    { method: 'GET', path: '/plugins/{name*}/json', handler: async ({ params }) => {
      throw errorOf('not-found', `plugin "${params.name}" not found`);
    } },
    { method: 'GET', path: '/plugins/privileges', handler: unsupported },
    { method: 'POST', path: '/plugins/pull', handler: unsupported },
    { method: 'POST', path: '/plugins/create', handler: unsupported },
  ];
}
