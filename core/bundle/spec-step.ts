import type { BundleContext, HostConfig } from './container-options.js';
import type { MergedConfig } from './merge-config.js';
import type { RuntimeSpec } from './oci-types.js';

/** Everything a step may read: the merged config, the host config, the engine's context. */
export interface SpecInput {
  config: MergedConfig;
  hostConfig: HostConfig;
  ctx: BundleContext;
}

/**
 * One concern of the spec (args, capabilities, mounts…). Steps run in order
 * on one draft; a step may read what earlier steps wrote (seccomp reads the
 * capabilities) and throws `MobyError` on input it refuses.
 */
export type SpecStep = (spec: RuntimeSpec, input: SpecInput) => void;
