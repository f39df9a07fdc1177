import { errorOf } from '../../lib/errdefs/index.js';

/** What `HostConfig.SecurityOpt` asks for, parsed. */
export interface SecurityOpts {
  noNewPrivileges: boolean;
  /** `default` (Docker's profile), `unconfined`, or a profile's JSON text. */
  seccomp: string;
  writableCgroups: boolean;
}

/**
 * Docker's `parseSecurityOpt`: bare `no-new-privileges`, `writable-cgroups`
 * and `disable`, or `key=value` (`key:value` is the deprecated spelling) for
 * `seccomp`, `no-new-privileges`, `writable-cgroups`, `apparmor` and `label`;
 * the last two are accepted and have no effect here (no AppArmor or SELinux).
 */
export function parseSecurityOpts(options: readonly string[] | null | undefined): SecurityOpts {
  const parsed: SecurityOpts = { noNewPrivileges: false, seccomp: 'default', writableCgroups: false };
  for (const opt of options ?? []) {
    if (opt === 'no-new-privileges') parsed.noNewPrivileges = true;
    else if (opt === 'writable-cgroups') parsed.writableCgroups = true;
    else if (opt !== 'disable') applyKeyValue(parsed, opt);
  }
  return parsed;
}

function applyKeyValue(parsed: SecurityOpts, opt: string): void {
  const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
  if (sep === undefined) throw errorOf('invalid-argument', `invalid --security-opt 1: "${opt}"`);
  const index = opt.indexOf(sep);
  const key = opt.slice(0, index);
  const value = opt.slice(index + 1);
  switch (key) {
    case 'seccomp':
      parsed.seccomp = value === 'builtin' || value === '' ? 'default' : value;
      return;
    case 'no-new-privileges':
      parsed.noNewPrivileges = parseBool(value, opt);
      return;
    case 'writable-cgroups':
      parsed.writableCgroups = parseBool(value, opt);
      return;
    case 'apparmor':
    case 'label':
      return;
    default:
      throw errorOf('invalid-argument', `invalid --security-opt 2: "${opt}"`);
  }
}

/** Go's `strconv.ParseBool`. */
function parseBool(value: string, opt: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw errorOf('invalid-argument', `invalid --security-opt 2: "${opt}"`);
}
