import { errorOf } from '../../lib/errdefs/index.js';
import { DEFAULT_NOFILE, DEFAULT_PATH_ENV } from './defaults.js';
import { envKey } from './merge-config.js';
import type { SpecRlimit } from './oci-types.js';
import type { SpecStep } from './spec-step.js';
import { numericUser } from './user.js';

/** The process runs Entrypoint followed by Cmd. */
export const withArgs: SpecStep = (spec, { config }) => {
  spec.process.args = [...config.Entrypoint, ...config.Cmd];
};

/**
 * Docker's `CreateDaemonEnvironment`: PATH, HOSTNAME and (with a tty) TERM
 * first, then the container's env replacing by key or appended; an entry
 * without `=` unsets its key.
 */
export const withEnv: SpecStep = (spec, { config }) => {
  const base = [DEFAULT_PATH_ENV, `HOSTNAME=${config.Hostname}`];
  if (config.Tty) base.push('TERM=xterm');
  spec.process.env = replaceOrAppendEnv(base, config.Env);
};

export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const env: (string | undefined)[] = [...defaults];
  const index = new Map(env.map((entry, i) => [envKey(entry!), i]));
  for (const entry of overrides) {
    const key = envKey(entry);
    const at = index.get(key);
    if (!entry.includes('=')) {
      if (at !== undefined) env[at] = undefined;
      index.delete(key);
    } else if (at !== undefined) {
      env[at] = entry;
    } else {
      index.set(key, env.push(entry) - 1);
    }
  }
  return env.filter((entry): entry is string => entry !== undefined);
}

export const withCwd: SpecStep = (spec, { config }) => {
  const cwd = config.WorkingDir || '/';
  if (!cwd.startsWith('/')) {
    throw errorOf('invalid-argument', `the working directory '${cwd}' is invalid, it needs to be an absolute path`);
  }
  spec.process.cwd = cwd;
};

/** The user resolved by the engine (`resolveUser`), else a numeric `uid[:gid]`. */
export const withUser: SpecStep = (spec, { config, ctx }) => {
  const user = ctx.user ?? numericUser(config.User);
  if (!user) {
    throw errorOf('failed-precondition', `user "${config.User}" must be resolved against the rootfs (resolveUser) first`);
  }
  spec.process.user = { ...user, additionalGids: [...(user.additionalGids ?? [])] };
};

export const withTerminal: SpecStep = (spec, { config }) => {
  spec.process.terminal = config.Tty;
};

/** Hostname and domain name, unless the container shares the host's UTS namespace. */
export const withHostname: SpecStep = (spec, { config, hostConfig }) => {
  if (hostConfig.UTSMode === 'host') return;
  spec.hostname = config.Hostname;
  if (config.Domainname) spec.domainname = config.Domainname;
};

const RLIMIT_NAMES = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue',
  'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
];

/**
 * A default open-files limit, then the user's ulimits. Without
 * CAP_SYS_RESOURCE the engine cannot raise a hard limit, so the default is
 * capped at the host's and a user limit above it is refused up front.
 */
export const withRlimits: SpecStep = (spec, { hostConfig, ctx }) => {
  const canRaise = ctx.host.capabilities.includes('CAP_SYS_RESOURCE');
  const limits = new Map<string, SpecRlimit>();
  const nofileHard = canRaise ? null : ctx.host.rlimits['nofile']?.hard ?? null;
  const nofile = nofileHard === null ? DEFAULT_NOFILE : Math.min(DEFAULT_NOFILE, nofileHard);
  limits.set('nofile', { type: 'RLIMIT_NOFILE', soft: nofile, hard: nofile });
  for (const ulimit of hostConfig.Ulimits ?? []) {
    const name = ulimit.Name.toLowerCase();
    if (!RLIMIT_NAMES.includes(name)) throw errorOf('invalid-argument', `invalid ulimit type: ${ulimit.Name}`);
    if (ulimit.Soft > ulimit.Hard) {
      throw errorOf('invalid-argument', `ulimit soft limit must be less than or equal to hard limit: ${ulimit.Soft} > ${ulimit.Hard}`);
    }
    const hostHard = ctx.host.rlimits[name]?.hard ?? null;
    if (!canRaise && hostHard !== null && ulimit.Hard > hostHard) {
      throw errorOf('failed-precondition', `ulimit ${name}: hard limit ${ulimit.Hard} exceeds the engine's own (${hostHard}) and it cannot raise it`);
    }
    limits.set(name, { type: `RLIMIT_${name.toUpperCase()}`, soft: ulimit.Soft, hard: ulimit.Hard });
  }
  spec.process.rlimits = [...limits.values()];
};

export const withOomScoreAdj: SpecStep = (spec, { hostConfig }) => {
  const score = hostConfig.OomScoreAdj ?? 0;
  if (!Number.isInteger(score) || score < -1000 || score > 1000) {
    throw errorOf('invalid-argument', `Invalid value ${score}, range for oom score adj is [-1000, 1000]`);
  }
  spec.process.oomScoreAdj = score;
};
