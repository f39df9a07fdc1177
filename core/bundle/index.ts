/**
 * The bundle: a container's rootfs plus the OCI runtime config.json built from
 * the image config and the user's options, as Docker builds it.
 *
 *   const host = await probeHost();                        // once per engine
 *   const user = await resolveUser(rootfs, opts.User || image.config?.User || '');
 *   const spec = buildSpec(image, opts, { id, rootfs, host, user, ... });
 *   await writeBundle(bundleDir, spec);
 */
export { buildSpec, SPEC_STEPS } from './build-spec.js';
export { writeBundle, CONFIG_FILE } from './write-bundle.js';
export { resolveUser, resolveUserFrom, numericUser } from './user.js';
export { readFileInRoot, resolveInRoot } from './read-file-in-root.js';
export { probeHost, parseLimits, parseKernelVersion, type HostInfo, type HostRlimit } from './host-info.js';
export { listHostDevices } from './host-devices.js';
export { mergeConfig, type MergedConfig } from './merge-config.js';
export {
  DEFAULT_CAPABILITIES,
  KNOWN_CAPABILITIES,
  tweakCapabilities,
  normalizeCapabilities,
  capabilityMask,
  capabilitiesFromMask,
} from './capabilities.js';
export { DEFAULT_SECCOMP_PROFILE, type SeccompProfile } from './seccomp-default.js';
export { seccompFromProfile } from './seccomp.js';
export { parseSecurityOpts, type SecurityOpts } from './security-opts.js';
export type { SpecInput, SpecStep } from './spec-step.js';
export type { BundleContext, ContainerOptions, HostConfig, Ulimit } from './container-options.js';
export type * from './oci-types.js';
