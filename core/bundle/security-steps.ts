import { errorOf } from '../../lib/errdefs/index.js';
import { tweakCapabilities } from './capabilities.js';
import { defaultDeviceRules, defaultMaskedPaths, defaultReadonlyPaths } from './defaults.js';
import { DEFAULT_SECCOMP_PROFILE, type SeccompProfile } from './seccomp-default.js';
import { seccompFromProfile } from './seccomp.js';
import { parseSecurityOpts } from './security-opts.js';
import type { SpecStep } from './spec-step.js';

/**
 * Bounding, effective and permitted sets alike, as Docker since the
 * CVE-2022-24769 fix (no inheritable set).
 */
export const withCapabilities: SpecStep = (spec, { hostConfig, ctx }) => {
  const caps = tweakCapabilities(
    { add: hostConfig.CapAdd, drop: hostConfig.CapDrop, privileged: hostConfig.Privileged },
    ctx.host.capabilities,
  );
  spec.process.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps] };
};

export const withNoNewPrivileges: SpecStep = (spec, { hostConfig }) => {
  spec.process.noNewPrivileges = parseSecurityOpts(hostConfig.SecurityOpt).noNewPrivileges;
};

/**
 * Docker's default profile, filtered for this container's capabilities and the
 * host's arch and kernel; none when privileged, `seccomp=unconfined`, or the
 * kernel lacks seccomp; a custom profile given as JSON text otherwise.
 */
export const withSeccomp: SpecStep = (spec, { hostConfig, ctx }) => {
  const choice = parseSecurityOpts(hostConfig.SecurityOpt).seccomp;
  if (hostConfig.Privileged || choice === 'unconfined') return;
  if (!ctx.host.seccomp) {
    if (choice !== 'default') throw errorOf('invalid-argument', 'seccomp is not enabled in your kernel, cannot run a custom seccomp profile');
    return;
  }
  const profile = choice === 'default' ? DEFAULT_SECCOMP_PROFILE : parseProfile(choice);
  spec.linux.seccomp = seccompFromProfile(profile, {
    capabilities: spec.process.capabilities?.bounding ?? [],
    arch: ctx.host.arch,
    kernelVersion: ctx.host.kernelVersion,
  });
};

function parseProfile(text: string): SeccompProfile {
  try {
    const profile = JSON.parse(text) as SeccompProfile;
    if (typeof profile !== 'object' || profile === null || typeof profile.defaultAction !== 'string') {
      throw new Error('defaultAction is missing');
    }
    return profile;
  } catch (err) {
    throw errorOf('invalid-argument', `Decoding seccomp profile failed: ${(err as Error).message}`, err);
  }
}

/** Docker's masked and read-only /proc and /sys paths; none for a privileged container. */
export const withMaskedPaths: SpecStep = (spec, { hostConfig }) => {
  if (hostConfig.Privileged) {
    delete spec.linux.maskedPaths;
    delete spec.linux.readonlyPaths;
    return;
  }
  spec.linux.maskedPaths = defaultMaskedPaths();
  spec.linux.readonlyPaths = defaultReadonlyPaths();
};

/** Docker's device-cgroup rules; a privileged container gets every device and the host's nodes. */
export const withDevices: SpecStep = (spec, { hostConfig, ctx }) => {
  spec.linux.resources ??= {};
  if (hostConfig.Privileged) {
    spec.linux.devices = (ctx.hostDevices ?? []).map((device) => ({ ...device }));
    spec.linux.resources.devices = [{ allow: true, access: 'rwm' }];
    return;
  }
  spec.linux.devices = [];
  spec.linux.resources.devices = defaultDeviceRules();
};
