import { errorOf } from '../../lib/errdefs/index.js';

/** Linux signal numbers (x86-64/arm64 generic ABI), by name without `SIG`. */
const BASE_SIGNALS: ReadonlyArray<readonly [string, number]> = [
  ['HUP', 1], ['INT', 2], ['QUIT', 3], ['ILL', 4], ['TRAP', 5], ['ABRT', 6], ['IOT', 6], ['BUS', 7],
  ['FPE', 8], ['KILL', 9], ['USR1', 10], ['SEGV', 11], ['USR2', 12], ['PIPE', 13], ['ALRM', 14], ['TERM', 15],
  ['STKFLT', 16], ['CHLD', 17], ['CLD', 17], ['CONT', 18], ['STOP', 19], ['TSTP', 20], ['TTIN', 21], ['TTOU', 22],
  ['URG', 23], ['XCPU', 24], ['XFSZ', 25], ['VTALRM', 26], ['PROF', 27], ['WINCH', 28], ['IO', 29], ['POLL', 29],
  ['PWR', 30], ['SYS', 31], ['UNUSED', 31],
];

/** SIGRTMIN as the kernel numbers it (glibc reserves 32 and 33 but Docker's table uses the kernel's 34). */
const RTMIN = 34;
const RTMAX = 64;

function buildTable(): Map<string, number> {
  const table = new Map<string, number>(BASE_SIGNALS);
  table.set('RTMIN', RTMIN);
  for (let i = 1; i <= 15; i++) table.set(`RTMIN+${i}`, RTMIN + i);
  for (let i = 14; i >= 1; i--) table.set(`RTMAX-${i}`, RTMAX - i);
  table.set('RTMAX', RTMAX);
  return table;
}

/** Name (without `SIG`) → number, for every name Docker's Linux table knows. */
export const SIGNALS: ReadonlyMap<string, number> = buildTable();

/** The preferred name of each number (the first listed: `ABRT` over `IOT`, `CHLD` over `CLD`). */
const NAMES: ReadonlyMap<number, string> = (() => {
  const names = new Map<number, string>();
  for (const [name, n] of SIGNALS) if (!names.has(n)) names.set(n, name);
  return names;
})();

/**
 * Docker's `ParseSignal`: a decimal number (any but 0), or a name in any case,
 * with or without `SIG` (`KILL`, `SIGKILL`, `sigusr1`, `RTMIN+3`). Anything
 * else is `invalid-argument` `Invalid signal: <input>`. A number is returned
 * as given; `validSignalForPlatform` says whether Linux has it.
 */
export function parseSignal(raw: string): number {
  const text = raw.trim();
  if (/^[+-]?\d+$/.test(text)) {
    const n = Number.parseInt(text, 10);
    if (n === 0 || !Number.isSafeInteger(n)) throw errorOf('invalid-argument', `Invalid signal: ${raw}`);
    return n;
  }
  const upper = text.toUpperCase();
  const n = SIGNALS.get(upper.startsWith('SIG') ? upper.slice(3) : upper);
  if (n === undefined) throw errorOf('invalid-argument', `Invalid signal: ${raw}`);
  return n;
}

/** Whether Linux knows signal `n` (1–31, 34–64). */
export function validSignalForPlatform(n: number): boolean {
  return NAMES.has(n);
}

/**
 * What `POST /containers/{id}/kill?signal=` accepts: `parseSignal`, then
 * Docker's `the linux daemon does not support signal <n>` for numbers Linux
 * lacks. Empty means SIGKILL.
 */
export function parseKillSignal(raw: string | undefined | null): number {
  if (raw === undefined || raw === null || raw === '') return 9;
  const n = parseSignal(raw);
  if (!validSignalForPlatform(n)) throw errorOf('invalid-argument', `the linux daemon does not support signal ${n}`);
  return n;
}

/** `SIGKILL` for 9, `SIGRTMIN+3` for 37; `undefined` for numbers Linux lacks. */
export function signalName(n: number): string | undefined {
  const name = NAMES.get(n);
  return name === undefined ? undefined : `SIG${name}`;
}

/** The stop signal of a container: its `StopSignal` if set (already validated at create), else SIGTERM. */
export function stopSignalOf(stopSignal: string | undefined | null): number {
  return stopSignal ? parseSignal(stopSignal) : 15;
}
