import type { ContainerRecord, RestartPolicy } from './container-record.js';
import { isZeroTime, timeMs } from './container-record.js';

/**
 * Docker's restart manager as pure functions: whether a container that just
 * exited is started again, and after how long. The caller keeps the backoff
 * (in memory, like Docker; it starts over when the engine restarts) and the
 * record's `restartCount` (persisted).
 */

/** The first delay, doubled on each consecutive quick restart, capped at `MAX_BACKOFF_MS`. */
export const INITIAL_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 60_000;
/** A run at least this long resets the backoff to `INITIAL_BACKOFF_MS`. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

export type PolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

/** `''` (older clients and daemons) is `no`. */
export function policyName(policy: RestartPolicy | undefined | null): PolicyName {
  const name = policy?.Name ?? '';
  return name === '' ? 'no' : name;
}

export interface ExitFacts {
  exitCode: number;
  /** A user stop or kill (Docker's `HasBeenManuallyStopped`), or the engine is shutting down. */
  manuallyStopped: boolean;
  /** How long the process ran. */
  runDurationMs: number;
  /** Restarts so far (the record's `restartCount`). */
  restartCount: number;
  /** The delay used before the previous restart; 0 when there was none. */
  previousBackoffMs: number;
}

export interface RestartDecision {
  restart: boolean;
  /** Wait this long before starting again (meaningful when `restart`). */
  delayMs: number;
  /** Keep this as `previousBackoffMs` for the next exit. */
  backoffMs: number;
  /** The record's `restartCount` after this decision. */
  restartCount: number;
}

/** The backoff after an exit: reset after a long run, else doubled, capped at a minute. */
export function nextBackoff(previousBackoffMs: number, runDurationMs: number): number {
  const previous = runDurationMs >= BACKOFF_RESET_AFTER_MS ? 0 : previousBackoffMs;
  const next = previous <= 0 ? INITIAL_BACKOFF_MS : previous < MAX_BACKOFF_MS ? previous * 2 : previous;
  return Math.min(next, MAX_BACKOFF_MS);
}

/**
 * Docker's `ShouldRestart`: `always` and `unless-stopped` restart unless
 * stopped by hand; `on-failure` restarts on a non-zero exit while
 * `MaximumRetryCount` (0: unlimited) allows; `no` never. A manual stop
 * cancels every policy (Docker cancels the restart manager).
 */
export function decideRestart(policy: RestartPolicy | undefined | null, facts: ExitFacts): RestartDecision {
  const name = policyName(policy);
  const none = { restart: false, delayMs: 0, backoffMs: facts.previousBackoffMs, restartCount: facts.restartCount };
  if (name === 'no' || facts.manuallyStopped) return none;
  const backoffMs = nextBackoff(facts.previousBackoffMs, facts.runDurationMs);
  let restart = false;
  switch (name) {
    case 'always':
    case 'unless-stopped':
      restart = true;
      break;
    case 'on-failure': {
      const max = policy?.MaximumRetryCount ?? 0;
      restart = facts.exitCode !== 0 && (max === 0 || facts.restartCount < max);
      break;
    }
  }
  if (!restart) return { ...none, backoffMs };
  return { restart: true, delayMs: backoffMs, backoffMs, restartCount: facts.restartCount + 1 };
}

/** The exit facts of a record that has just been marked stopped. */
export function exitFactsOf(record: ContainerRecord, previousBackoffMs: number, engineShuttingDown = false): ExitFacts {
  const started = timeMs(record.state.startedAt);
  const finished = timeMs(record.state.finishedAt);
  return {
    exitCode: record.state.exitCode,
    manuallyStopped: record.hasBeenManuallyStopped || engineShuttingDown,
    runDurationMs: Number.isNaN(started) || Number.isNaN(finished) ? 0 : Math.max(0, finished - started),
    restartCount: record.restartCount,
    previousBackoffMs,
  };
}

/**
 * Whether the engine starts a container again when it boots (Docker's
 * restore with `AutoRestart`): the policy asked on the container's last exit,
 * without backoff. A container that never ran is left alone.
 */
export function restartOnBoot(record: ContainerRecord): boolean {
  if (isZeroTime(record.state.startedAt) || record.state.dead || record.state.removalInProgress) return false;
  return decideRestart(record.hostConfig.RestartPolicy, exitFactsOf(record, 0)).restart;
}

/** Docker's `validateRestartPolicy`, with its messages; '' is accepted (older clients). */
export function restartPolicyError(policy: { Name?: unknown; MaximumRetryCount?: unknown }): string | undefined {
  const name = policy.Name ?? '';
  const max = typeof policy.MaximumRetryCount === 'number' ? policy.MaximumRetryCount : 0;
  switch (name) {
    case 'always':
    case 'unless-stopped':
    case 'no':
      if (max !== 0) {
        return `invalid restart policy: maximum retry count can only be used with 'on-failure'${max < 0 ? ' and cannot be negative' : ''}`;
      }
      return undefined;
    case 'on-failure':
      return max < 0 ? 'invalid restart policy: maximum retry count cannot be negative' : undefined;
    case '':
      return undefined;
    default:
      return `invalid restart policy: unknown policy '${String(name)}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`;
  }
}
