import { errorOf } from '../../lib/errdefs/index.js';
import type { Descriptor, ImageIndex, Platform } from './oci.js';

/**
 * Platforms as containerd's `platforms` package treats them: names are
 * normalised (`x86_64` → `amd64`, `aarch64` → `arm64`, `armhf` → `arm/v7`,
 * `arm` alone → `arm/v7`, `arm64/v8` → `arm64`), and a platform also runs
 * older variants of itself: amd64 runs 386, arm/v7 runs v6 and v5, arm64 runs
 * arm/v8 down to arm/v5. Matching is exact after normalisation; choosing
 * prefers the closest match.
 */

/** The platform images default to: what the engine runs on. */
export const defaultPlatform: Platform = { os: 'linux', architecture: 'amd64' };

const knownOs = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
const knownArch = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm']);

/** The canonical spelling of a platform (lower case, aliases resolved). */
export function normalizePlatform(p: Platform): Platform {
  let os = p.os.toLowerCase();
  if (os === 'macos') os = 'darwin';
  let arch = p.architecture.toLowerCase();
  let variant = (p.variant ?? '').toLowerCase();
  switch (arch) {
    case 'i386': arch = '386'; variant = ''; break;
    case 'x86_64': case 'x86-64': case 'amd64': arch = 'amd64'; if (variant === 'v1') variant = ''; break;
    case 'aarch64': case 'arm64': arch = 'arm64'; if (variant === '8' || variant === 'v8') variant = ''; break;
    case 'armhf': arch = 'arm'; variant = 'v7'; break;
    case 'armel': arch = 'arm'; variant = 'v6'; break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  const out: Platform = { os, architecture: arch };
  if (variant !== '') out.variant = variant;
  if (p['os.version']) out['os.version'] = p['os.version'];
  return out;
}

/**
 * Parses `os[/arch[/variant]]`, or a lone architecture or OS (the other part
 * from `defaultPlatform`). Unknown names are `invalid-argument`, worded as
 * Docker words them.
 */
export function parsePlatform(spec: string): Platform {
  const parts = spec.split('/');
  if (parts.some((part) => !/^[A-Za-z0-9_.-]+$/.test(part))) {
    throw errorOf('invalid-argument', `"${spec}": invalid platform specifier: must be os[/arch[/variant]]`);
  }
  if (parts.length === 1) {
    const word = parts[0]!.toLowerCase();
    if (knownOs.has(word) || word === 'macos') return normalizePlatform({ os: word, architecture: defaultPlatform.architecture });
    const arch = normalizePlatform({ os: defaultPlatform.os, architecture: word });
    if (knownArch.has(arch.architecture)) return arch;
    throw errorOf('invalid-argument', `"${spec}": unknown operating system or architecture: invalid argument`);
  }
  if (parts.length > 3) throw errorOf('invalid-argument', `"${spec}": cannot parse platform specifier: invalid argument`);
  const platform = normalizePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2] });
  if (!knownOs.has(platform.os)) throw errorOf('invalid-argument', `"${spec}": unknown operating system: invalid argument`);
  return platform;
}

/** `os/arch[/variant]`, as Docker prints platforms in messages. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((s) => s !== undefined && s !== '').join('/');
}

/** The platforms `target` can run, best first (containerd's `platformVector`). */
export function compatiblePlatforms(target: Platform): Platform[] {
  const p = normalizePlatform(target);
  const out: Platform[] = [p];
  const level = Number.parseInt((p.variant ?? '').replace(/^v/, ''), 10);
  if (p.architecture === 'amd64') {
    for (let v = Number.isNaN(level) ? 0 : level - 1; v >= 1; v--) out.push(withVariant(p, v === 1 ? undefined : `v${v}`));
    out.push({ os: p.os, architecture: '386' });
  } else if (p.architecture === 'arm') {
    for (let v = Number.isNaN(level) ? 0 : level - 1; v >= 5; v--) out.push(withVariant(p, `v${v}`));
  } else if (p.architecture === 'arm64') {
    out.push(...compatiblePlatforms({ os: p.os, architecture: 'arm', variant: 'v8' }));
  }
  return out;
}

function withVariant(p: Platform, variant: string | undefined): Platform {
  const out: Platform = { os: p.os, architecture: p.architecture };
  if (variant !== undefined) out.variant = variant;
  return out;
}

/** Whether an image for `candidate` runs exactly as `wanted` (after normalisation). */
export function platformEquals(wanted: Platform, candidate: Platform): boolean {
  const a = normalizePlatform(wanted);
  const b = normalizePlatform(candidate);
  return a.os === b.os && a.architecture === b.architecture && (a.variant ?? '') === (b.variant ?? '');
}

/** How well `candidate` suits `wanted`: 0 is best, undefined is unusable. */
export function platformRank(wanted: Platform, candidate: Platform): number | undefined {
  const rank = compatiblePlatforms(wanted).findIndex((p) => platformEquals(p, candidate));
  return rank < 0 ? undefined : rank;
}

/**
 * The index entry to use on `platform` (default linux/amd64): the closest
 * compatible one, the first listed among equals. Entries without a platform
 * come last, as containerd orders them. None suitable is `not-found` with
 * Docker's message.
 */
export function selectManifest(index: ImageIndex, platform: Platform = defaultPlatform): Descriptor {
  let best: { desc: Descriptor; rank: number } | undefined;
  for (const desc of index.manifests) {
    const rank = desc.platform === undefined ? Number.MAX_SAFE_INTEGER : platformRank(platform, desc.platform);
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { desc, rank };
  }
  if (!best) {
    throw errorOf('not-found', `no matching manifest for ${formatPlatform(normalizePlatform(platform))} in the manifest list entries`);
  }
  return best.desc;
}
