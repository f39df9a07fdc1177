/**
 * `moby daemon [--data-root DIR] [--exec-root DIR] [--manifest FILE]`
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultRoots } from '../lib/component/paths.js';
import { defaultManifestPath, runDaemon } from '../components/init/daemon.js';

export async function daemonCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-root': { type: 'string', default: defaultRoots.dataRoot },
      'exec-root': { type: 'string', default: defaultRoots.execRoot },
      manifest: { type: 'string', default: defaultManifestPath },
    },
    strict: true,
  });
  await runDaemon({
    dataRoot: resolve(values['data-root']),
    execRoot: resolve(values['exec-root']),
    manifestPath: resolve(values.manifest),
  });
  return 0;
}
