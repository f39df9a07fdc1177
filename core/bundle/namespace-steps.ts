import { errorOf } from '../../lib/errdefs/index.js';
import type { SpecNamespace } from './oci-types.js';
import type { SpecInput, SpecStep } from './spec-step.js';

const IPC_MODES = ['', 'private', 'shareable', 'none', 'host'];

/**
 * Docker's namespaces: mount, network, uts, pid, ipc of their own, each shared
 * with the host on request; the network one joined at `ctx.netnsPath` when
 * the engine made it; a cgroup namespace of its own on cgroup v2 only.
 */
export const withNamespaces: SpecStep = (spec, input) => {
  const namespaces: SpecNamespace[] = [{ type: 'mount' }];
  const network = networkNamespace(input);
  if (network) namespaces.push(network);
  if (modeOf(input, 'UTSMode', ['', 'host']) !== 'host') namespaces.push({ type: 'uts' });
  if (modeOf(input, 'PidMode', ['', 'host']) !== 'host') namespaces.push({ type: 'pid' });
  if (modeOf(input, 'IpcMode', IPC_MODES) !== 'host') namespaces.push({ type: 'ipc' });
  if (input.ctx.host.cgroupVersion === 2) namespaces.push({ type: 'cgroup' });
  spec.linux.namespaces = namespaces;
};

function networkNamespace({ hostConfig, ctx }: SpecInput): SpecNamespace | undefined {
  const mode = hostConfig.NetworkMode ?? '';
  if (mode === 'host') return undefined;
  if (ctx.netnsPath) return { type: 'network', path: ctx.netnsPath };
  if (mode.startsWith('container:')) {
    throw errorOf('not-implemented', `network mode ${mode}: joining another container's network needs BundleContext.netnsPath`);
  }
  return { type: 'network' };
}

type ModeField = 'UTSMode' | 'PidMode' | 'IpcMode';

const MODE_NAMES: Record<ModeField, string> = { UTSMode: 'UTS', PidMode: 'PID', IpcMode: 'IPC' };

function modeOf({ hostConfig }: SpecInput, field: ModeField, valid: string[]): string {
  const mode = hostConfig[field] ?? '';
  if (mode.startsWith('container:')) {
    throw errorOf('not-implemented', `${MODE_NAMES[field]} mode ${mode}: sharing another container's namespace is not supported yet`);
  }
  if (!valid.includes(mode)) throw errorOf('invalid-argument', `invalid ${MODE_NAMES[field]} mode: ${mode}`);
  return mode;
}
