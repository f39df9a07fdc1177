import { errorOf } from '../../lib/errdefs/index.js';
import type { SpecSeccomp, SpecSyscall } from './oci-types.js';
import type { SeccompFilter, SeccompProfile, SeccompRule } from './seccomp-default.js';

/** Node's `process.arch` → libseccomp's native arch name, as profiles spell it. */
const NATIVE_ARCH: Record<string, string> = {
  ia32: 'x86',
  x64: 'amd64',
  arm: 'arm',
  arm64: 'arm64',
  mips: 'mips',
  mipsel: 'mipsle',
  ppc: 'ppc',
  ppc64: 'ppc64le',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};

/** Native arch name → the arch-map key libseccomp uses for it. */
const SECCOMP_ARCH: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  mipsle: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
};

export interface SeccompTarget {
  /** The container's bounding capabilities. */
  capabilities: readonly string[];
  /** Node's `process.arch` of the host. */
  arch: string;
  kernelVersion: readonly number[];
}

/**
 * Turns a Docker-format profile into the spec's seccomp section for one
 * container, as moby's `setupSeccomp`: the host's arch and its sub-arches from
 * the arch map, and only the rules whose conditions hold.
 */
export function seccompFromProfile(profile: SeccompProfile, target: SeccompTarget): SpecSeccomp {
  if (profile.architectures?.length && profile.archMap?.length) {
    throw errorOf('invalid-argument', "'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const native = NATIVE_ARCH[target.arch] ?? target.arch;
  const spec: SpecSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) spec.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = profileArchitectures(profile, native);
  if (architectures.length > 0) spec.architectures = architectures;
  spec.syscalls = (profile.syscalls ?? [])
    .filter((rule) => ruleApplies(rule, native, target))
    .map(specSyscall);
  return spec;
}

function profileArchitectures(profile: SeccompProfile, native: string): string[] {
  if (profile.architectures?.length) return [...profile.architectures];
  const entry = profile.archMap?.find((a) => a.architecture === SECCOMP_ARCH[native]);
  return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [];
}

function ruleApplies(rule: SeccompRule, native: string, target: SeccompTarget): boolean {
  const ex: SeccompFilter = rule.excludes ?? {};
  const inc: SeccompFilter = rule.includes ?? {};
  if (ex.arches?.includes(native)) return false;
  if (ex.caps?.some((cap) => target.capabilities.includes(cap))) return false;
  if (ex.minKernel && kernelAtLeast(target.kernelVersion, ex.minKernel)) return false;
  if (inc.arches?.length && !inc.arches.includes(native)) return false;
  if (inc.caps?.some((cap) => !target.capabilities.includes(cap))) return false;
  if (inc.minKernel && !kernelAtLeast(target.kernelVersion, inc.minKernel)) return false;
  return true;
}

function specSyscall(rule: SeccompRule): SpecSyscall {
  if (rule.name && rule.names?.length) {
    throw errorOf('invalid-argument', "'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
  }
  const syscall: SpecSyscall = { names: rule.name ? [rule.name] : [...(rule.names ?? [])], action: rule.action };
  if (rule.errnoRet !== undefined) syscall.errnoRet = rule.errnoRet;
  if (rule.args?.length) syscall.args = rule.args.map((arg) => ({ ...arg }));
  return syscall;
}

export function kernelAtLeast(current: readonly number[], wanted: string): boolean {
  const want = wanted.split('.').map(Number);
  if (want.some(Number.isNaN)) throw errorOf('invalid-argument', `seccomp profile: invalid kernel version "${wanted}"`);
  for (let i = 0; i < Math.max(want.length, current.length); i++) {
    const a = current[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}
