import { errorOf } from '../../lib/errdefs/index.js';
import { parseGoDuration } from './change-values.js';
import type { HealthConfig } from './container-config.js';

/**
 * Instruction flags (BuildKit's `BFlags`) and the HEALTHCHECK instruction,
 * the one `--change` instruction that takes flags. Errors are
 * `invalid-argument` in BuildKit's words.
 */
const fail = (message: string) => errorOf('invalid-argument', message);

/** Checks `--name=value` flag words against the `known` names; returns the values given. */
export function checkFlags(flags: string[], known: Set<string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const flag of flags) {
    if (flag === '--') break;
    if (!flag.startsWith('--')) throw fail(`arg should start with -- : ${flag}`);
    const eq = flag.indexOf('=');
    const name = flag.slice(2, eq < 0 ? undefined : eq);
    if (!known.has(name)) throw fail(`unknown flag: ${name}`);
    if (values.has(name)) throw fail(`duplicate flag specified: ${name}`);
    if (eq < 0) throw fail(`missing a value on flag: ${name}`);
    values.set(name, flag.slice(eq + 1));
  }
  return values;
}

/** HEALTHCHECK's arguments (type, then command) and flags, as a health config: NONE, CMD (exec form) or CMD-SHELL. */
export function parseHealthcheck(args: string[], json: boolean, flagWords: string[]): HealthConfig {
  if (args.length === 0) throw fail('HEALTHCHECK requires at least one argument');
  const type = args[0]!.toUpperCase();
  const cmd = args.slice(1);
  if (type === 'NONE') {
    if (cmd.length !== 0) throw fail('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  const flags = checkFlags(flagWords, new Set(['interval', 'timeout', 'start-period', 'start-interval', 'retries']));
  if (type !== 'CMD') throw fail(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  if (cmd.length === 0) throw fail('Missing command after HEALTHCHECK CMD');
  const health: HealthConfig = { Test: [json ? 'CMD' : 'CMD-SHELL', ...cmd] };
  for (const [flag, key] of [['interval', 'Interval'], ['timeout', 'Timeout'], ['start-period', 'StartPeriod'], ['start-interval', 'StartInterval']] as const) {
    const value = flags.get(flag);
    if (value === undefined || value === '') continue;
    const nanos = parseGoDuration(value);
    if (nanos !== 0 && nanos < 1e6) throw fail(`Interval ${JSON.stringify(flag)} cannot be less than 1ms`);
    if (nanos !== 0) health[key] = nanos;
  }
  const retries = flags.get('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[+-]?\d+$/.test(retries) || Math.abs(Number(retries)) > 2 ** 31 - 1) throw fail(`strconv.ParseInt: parsing ${JSON.stringify(retries)}: invalid syntax`);
    if (Number(retries) < 0) throw fail(`--retries cannot be negative (${Number(retries)})`);
    if (Number(retries) > 0) health.Retries = Number(retries);
  }
  return health;
}
