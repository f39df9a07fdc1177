/** The system route group: `/_ping`, `/version`, `/info`. */
import { filesystemName } from '../../../core/system/filesystem-name.js';
import { loadOrCreateEngineId } from '../../../core/system/engine-id.js';
import { LocalHostFacts } from '../../../core/system/host-facts.js';
import type { EngineApiDeps, EngineCounts } from '../engine-api-deps.js';
import { writeHead, writeJson } from '../respond.js';
import type { RequestContext, Route } from '../router.js';
import { systemInfo } from '../system-info.js';
import { systemVersion } from '../system-version.js';

const pingHeaders = {
  'Builder-Version': '1',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  'Content-Type': 'text/plain; charset=utf-8',
  Pragma: 'no-cache',
  Swarm: 'inactive',
};

export function systemRoutes(deps: EngineApiDeps): Route[] {
  const host = deps.host ?? new LocalHostFacts();
  const now = deps.now ?? (() => new Date());
  let engineId: Promise<string> | undefined;
  const loadEngineId = (): Promise<string> => {
    engineId ??= loadOrCreateEngineId(deps.dataRoot).catch((err: unknown) => {
      engineId = undefined;
      throw err;
    });
    return engineId;
  };

  const version = async ({ res }: RequestContext) => {
    const [facts, components] = await Promise.all([host.read(), Promise.resolve().then(() => deps.facts.components()).catch(() => [])]);
    const body = systemVersion({
      version: deps.version,
      revision: deps.revision,
      buildTime: deps.buildTime ?? '',
      host: facts,
      components,
    });
    writeJson(res, 200, body);
  };

  const info = async ({ res }: RequestContext) => {
    const [id, facts, counted] = await Promise.all([
      loadEngineId(), // creates the data root if needed, so it goes before filesystemName
      host.read(),
      countsOrError(Promise.resolve().then(() => deps.facts.counts())),
    ]);
    const backingFilesystem = await filesystemName(deps.dataRoot);
    const body = systemInfo({
      id,
      version: deps.version,
      dataRoot: deps.dataRoot,
      backingFilesystem,
      host: facts,
      ...counted,
      now: now(),
      env: process.env,
    });
    writeJson(res, 200, body);
  };

  return [
    { method: 'GET', path: '/_ping', handler: ({ res }) => ping(res, 'OK') },
    { method: 'HEAD', path: '/_ping', handler: ({ res }) => ping(res, '') },
    { method: 'GET', path: '/version', handler: version },
    { method: 'GET', path: '/info', handler: info },
  ];
}

function ping(res: RequestContext['res'], body: string): void {
  writeHead(res, 200, { ...pingHeaders, 'Content-Length': String(body.length) });
  res.end(body);
}

async function countsOrError(
  pending: Promise<EngineCounts>,
): Promise<{ counts: EngineCounts | undefined; countsError?: string }> {
  try {
    return { counts: await pending };
  } catch (err) {
    return { counts: undefined, countsError: err instanceof Error ? err.message : String(err) };
  }
}
