import { errorOf } from '../../lib/errdefs/index.js';

/** Every capability Linux defines, indexed by its number. */
export const KNOWN_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** Docker's default set (moby `oci/caps/defaults.go`). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const ALL = 'ALL';

/** The capabilities whose bits are set in `mask` (as in `/proc/<pid>/status` CapEff). */
export function capabilitiesFromMask(mask: bigint, names: readonly string[] = KNOWN_CAPABILITIES): string[] {
  return names.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** The mask of the given capabilities (the inverse of `capabilitiesFromMask`). */
export function capabilityMask(caps: readonly string[]): bigint {
  return caps.reduce((mask, cap) => mask | (1n << BigInt(KNOWN_CAPABILITIES.indexOf(cap))), 0n);
}

/**
 * Upper-cases and prefixes `CAP_` (keeping `ALL`), refusing a name Linux does
 * not know or the host cannot grant, with Docker's messages.
 */
export function normalizeCapabilities(names: readonly string[], available: readonly string[]): string[] {
  return names.map((raw) => {
    let name = raw.toUpperCase();
    if (name === ALL) return name;
    if (!name.startsWith('CAP_')) name = 'CAP_' + name;
    if (!KNOWN_CAPABILITIES.includes(name)) {
      throw errorOf('invalid-argument', `unknown capability: "${name}"`);
    }
    if (!available.includes(name)) {
      throw errorOf(
        'invalid-argument',
        `capability not supported by your kernel or not available in the current environment: "${name}"`,
      );
    }
    return name;
  });
}

export interface CapabilityRequest {
  add?: readonly string[] | null;
  drop?: readonly string[] | null;
  privileged?: boolean;
}

/**
 * The container's capability set, as Docker's `TweakCapabilities`: privileged
 * gets everything the host has; `ALL` in add means all but the dropped; `ALL`
 * in drop means only the added; otherwise defaults minus drops plus adds.
 */
export function tweakCapabilities(request: CapabilityRequest, available: readonly string[]): string[] {
  if (request.privileged) return [...available];
  const adds = request.add ?? [];
  const drops = request.drop ?? [];
  if (adds.length === 0 && drops.length === 0) return [...DEFAULT_CAPABILITIES];
  const capDrop = normalizeCapabilities(drops, available);
  const capAdd = normalizeCapabilities(adds, available);
  let caps: string[];
  if (capAdd.includes(ALL)) {
    caps = available.filter((cap) => !capDrop.includes(cap));
  } else if (capDrop.includes(ALL)) {
    caps = capAdd;
  } else {
    caps = [...DEFAULT_CAPABILITIES.filter((cap) => !capDrop.includes(cap)), ...capAdd];
  }
  return [...new Set(caps)];
}
