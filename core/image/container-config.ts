import { sortedKeys } from './go-json.js';

/**
 * The run configuration an image carries (`config` and `container_config` in
 * a Docker image config): Docker's `container.Config`. `null` stands for Go's
 * nil where Docker writes `null` (`"Env":null`); optional fields are the ones
 * Go omits when empty.
 */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, Record<string, never>> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild: string[] | null;
  Labels: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

/** Docker's `container.HealthConfig`; durations in nanoseconds. */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The zero value of `container.Config`, as Docker writes it for an image with no settings. */
export function emptyContainerConfig(): ContainerConfig {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
  };
}

/** A full config from a partial one (an OCI config's `config` holds only some fields); values are copied. */
export function completeContainerConfig(partial: Partial<ContainerConfig> | null | undefined): ContainerConfig {
  const out = emptyContainerConfig();
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = structuredClone(value);
  }
  return out;
}

/**
 * The config as an object whose key order and omissions are those of Go's
 * `json.Marshal(container.Config)`: serialise it with `goJson`.
 */
export function encodeContainerConfig(c: ContainerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Hostname: c.Hostname, Domainname: c.Domainname, User: c.User,
    AttachStdin: c.AttachStdin, AttachStdout: c.AttachStdout, AttachStderr: c.AttachStderr,
  };
  if (c.ExposedPorts && Object.keys(c.ExposedPorts).length > 0) out.ExposedPorts = sortedKeys(c.ExposedPorts);
  Object.assign(out, { Tty: c.Tty, OpenStdin: c.OpenStdin, StdinOnce: c.StdinOnce, Env: c.Env, Cmd: c.Cmd });
  if (c.Healthcheck) out.Healthcheck = encodeHealthConfig(c.Healthcheck);
  if (c.ArgsEscaped) out.ArgsEscaped = true;
  Object.assign(out, { Image: c.Image, Volumes: c.Volumes && sortedKeys(c.Volumes), WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint });
  if (c.NetworkDisabled) out.NetworkDisabled = true;
  if (c.MacAddress) out.MacAddress = c.MacAddress;
  Object.assign(out, { OnBuild: c.OnBuild, Labels: c.Labels && sortedKeys(c.Labels) });
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.StopTimeout !== undefined) out.StopTimeout = c.StopTimeout;
  if (c.Shell && c.Shell.length > 0) out.Shell = c.Shell;
  return out;
}

function encodeHealthConfig(h: HealthConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h.Test && h.Test.length > 0) out.Test = h.Test;
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (h[key]) out[key] = h[key];
  }
  return out;
}
