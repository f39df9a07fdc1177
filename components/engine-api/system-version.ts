/** The body of `GET /version` (OpenAPI `SystemVersion`), from our facts. */
import type { HostFacts } from '../../core/system/host-facts.js';
import { apiVersion, minApiVersion } from './api-version.js';
import type { ComponentFact } from './engine-api-deps.js';

export interface ComponentVersion {
  Name: string;
  Version: string;
  /** Strings only: the Go client decodes this as map[string]string. Keys sorted, as Go writes them. */
  Details?: Record<string, string>;
}

export interface SystemVersion {
  Platform: { Name: string };
  Components: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime?: string;
}

export interface SystemVersionInput {
  version: string;
  revision: string;
  buildTime: string;
  host: HostFacts;
  /** Moby Core's components; [] when the registry cannot be asked. */
  components: ComponentFact[];
}

export const platformName = 'Moby Core';

/**
 * Components: the Engine first (the docker CLI prints its Details by name), then each Moby Core
 * component, then the OCI runtime when one was found.
 */
export function systemVersion(input: SystemVersionInput): SystemVersion {
  const { host } = input;
  const goVersion = `node ${process.version}`;
  const engine: ComponentVersion = {
    Name: 'Engine',
    Version: input.version,
    Details: {
      ApiVersion: apiVersion,
      Arch: host.goArch,
      BuildTime: input.buildTime,
      Experimental: 'false',
      GitCommit: input.revision,
      GoVersion: goVersion,
      KernelVersion: host.kernelVersion,
      MinAPIVersion: minApiVersion,
      Os: host.osType,
    },
  };
  const components = input.components.map(
    (c): ComponentVersion => ({
      Name: c.name,
      Version: c.version,
      Details: { Health: c.health, Pid: String(c.pid), Services: c.services.join(',') },
    }),
  );
  const runtime: ComponentVersion[] = host.runtime
    ? [{ Name: host.runtime.name || 'runc', Version: host.runtime.version, Details: { GitCommit: host.runtime.commit } }]
    : [];
  return {
    Platform: { Name: platformName },
    Components: [engine, ...components, ...runtime],
    Version: input.version,
    ApiVersion: apiVersion,
    MinAPIVersion: minApiVersion,
    GitCommit: input.revision,
    GoVersion: goVersion,
    Os: host.osType,
    Arch: host.goArch,
    KernelVersion: host.kernelVersion,
    ...(input.buildTime === '' ? {} : { BuildTime: input.buildTime }),
  };
}
