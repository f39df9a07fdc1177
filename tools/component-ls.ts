/**
 * `moby component ls [--json] [--exec-root DIR]`: the registry's view of every component.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { daemonFile, defaultRoots } from '../lib/component/paths.js';
import { RegistryClient } from '../lib/component/registry-client.js';
import { errorOf } from '../lib/errdefs/index.js';
import { Health, State, type Component } from '../api/moby/component_registry/v1/component_registry.js';
import type { DaemonFile } from '../components/init/daemon.js';

export async function componentLsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, 'exec-root': { type: 'string', default: defaultRoots.execRoot } },
    strict: true,
  });
  const components = await listComponents(resolve(values['exec-root']));
  process.stdout.write(values.json ? JSON.stringify(components.map(toJson), null, 2) + '\n' : table(components));
  return 0;
}

export async function listComponents(execRoot: string): Promise<Component[]> {
  const file = daemonFile(execRoot);
  const raw = await readFile(file, 'utf8').catch(() => {
    throw errorOf('unavailable', `no engine is running with exec root ${execRoot} (${file} not found)`);
  });
  const info = JSON.parse(raw) as DaemonFile;
  const registry = new RegistryClient(info.registrySocket);
  try {
    return await registry.list();
  } finally {
    registry.close();
  }
}

const healthName = (h: Health) => ({ [Health.HEALTH_SERVING]: 'SERVING', [Health.HEALTH_NOT_SERVING]: 'NOT_SERVING' })[h as number] ?? 'UNKNOWN';
const stateName = (s: State) => State[s]?.replace('STATE_', '').toLowerCase() ?? 'unknown';

function toJson(c: Component) {
  return {
    name: c.name,
    services: c.services,
    socket: c.socket,
    version: c.version,
    revision: c.revision,
    health: healthName(c.health),
    state: stateName(c.state),
    pid: c.pid,
    restarts: c.restarts,
    placement: c.placement,
    lastReason: c.lastReason,
  };
}

function table(components: Component[]): string {
  const rows = [['NAME', 'SERVICES', 'SOCKET', 'VERSION', 'HEALTH', 'STATE', 'PID', 'RESTARTS']];
  for (const c of components) {
    rows.push([c.name, c.services.join(','), c.socket, c.version, healthName(c.health), stateName(c.state), String(c.pid || '-'), String(c.restarts)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}
