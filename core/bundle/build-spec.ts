import { errorOf } from '../../lib/errdefs/index.js';
import type { BundleContext, ContainerOptions } from './container-options.js';
import { OCI_VERSION } from './defaults.js';
import { mergeConfig } from './merge-config.js';
import { withMounts, withRoot } from './mount-steps.js';
import { withNamespaces } from './namespace-steps.js';
import type { ImageConfig, RuntimeSpec } from './oci-types.js';
import {
  withArgs,
  withCwd,
  withEnv,
  withHostname,
  withOomScoreAdj,
  withRlimits,
  withTerminal,
  withUser,
} from './process-steps.js';
import { withCgroupsPath, withResources, withSysctls } from './resource-steps.js';
import { withCapabilities, withDevices, withMaskedPaths, withNoNewPrivileges, withSeccomp } from './security-steps.js';
import type { SpecInput, SpecStep } from './spec-step.js';

/** The steps, in order: seccomp reads the capabilities, so it comes after them. */
export const SPEC_STEPS: readonly SpecStep[] = [
  withRoot,
  withArgs,
  withEnv,
  withCwd,
  withUser,
  withTerminal,
  withHostname,
  withCgroupsPath,
  withResources,
  withDevices,
  withSysctls,
  withRlimits,
  withOomScoreAdj,
  withNamespaces,
  withCapabilities,
  withNoNewPrivileges,
  withSeccomp,
  withMaskedPaths,
  withMounts,
];

/**
 * The OCI runtime spec for a container: the image's config merged with the
 * user's options as Docker does, then Docker's defaults and the user's
 * host config applied one concern at a time. Pure: host facts come in `ctx`.
 */
export function buildSpec(image: ImageConfig, opts: ContainerOptions, ctx: BundleContext): RuntimeSpec {
  const hostConfig = opts.HostConfig ?? {};
  if (hostConfig.Init) throw errorOf('not-implemented', 'HostConfig.Init: an init process is not supported yet');
  const input: SpecInput = { config: mergeConfig(image.config, opts, ctx.id), hostConfig, ctx };
  const spec = emptySpec();
  for (const step of SPEC_STEPS) step(spec, input);
  return spec;
}

function emptySpec(): RuntimeSpec {
  return {
    ociVersion: OCI_VERSION,
    process: { user: { uid: 0, gid: 0 }, args: [], env: [], cwd: '/' },
    root: { path: '' },
    mounts: [],
    linux: { namespaces: [] },
  };
}
