/**
 * The `since` and `until` values of `GET /events`, read the way moby reads them: unix seconds
 * with an optional fraction (`1700000000`, `1700000000.123456789`), which is what the docker
 * CLI sends after resolving `10m` or a date itself. RFC 3339 (`2023-11-14T22:13:20.5Z`) is
 * also accepted, for hand-written requests. Errors keep moby's wording.
 */
import { errorOf } from '../../lib/errdefs/index.js';
import { nanosPerSecond } from './event-message.js';

const int64Max = (1n << 63n) - 1n;
const int64Min = -(1n << 63n);
const maxFractionDigits = 20;

/** Nanoseconds since the epoch, or undefined for "" (no bound). */
export function parseEventTime(value: string): bigint | undefined {
  if (value === '') return undefined;
  const rfc3339 = parseRfc3339(value);
  if (rfc3339 !== undefined) return rfc3339;
  try {
    return parseUnixTimestamp(value);
  } catch (err) {
    throw errorOf('invalid-argument', `invalid timestamp ${goQuote(value)}: ${(err as Error).message}`);
  }
}

function parseUnixTimestamp(value: string): bigint {
  const dot = value.indexOf('.');
  const secondsText = dot === -1 ? value : value.slice(0, dot);
  const fraction = dot === -1 ? '' : value.slice(dot + 1);
  if (!/^[+-]?\d+$/.test(secondsText)) throw new Error(`invalid seconds ${goQuote(secondsText)}: invalid syntax`);
  const seconds = BigInt(secondsText);
  if (seconds > int64Max || seconds < int64Min) throw new Error(`invalid seconds ${goQuote(secondsText)}: value out of range`);
  if (fraction.length > maxFractionDigits) {
    throw new Error(`invalid nanoseconds: length ${fraction.length} exceeds maximum ${maxFractionDigits}`);
  }
  const bad = fraction.search(/[^0-9]/);
  if (bad !== -1) throw new Error(`invalid nanoseconds: invalid character '${fraction[bad]}' at position ${bad}`);
  const nanos = BigInt(fraction.slice(0, 9).padEnd(9, '0'));
  return seconds * nanosPerSecond + nanos;
}

const rfc3339Re = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 with optional fraction and a zone (`Z` or `±hh:mm`); undefined when it is not one. */
function parseRfc3339(value: string): bigint | undefined {
  const m = rfc3339Re.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  const valid =
    back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day &&
    hour < 24 && minute < 60 && second < 60;
  if (!valid) return undefined;
  const offsetMinutes = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const nanos = BigInt((m[7] ?? '').padEnd(9, '0'));
  return (BigInt(ms) / 1000n - BigInt(offsetMinutes * 60)) * nanosPerSecond + nanos;
}

/** A nanosecond time as Docker's query form: `seconds.nanoseconds` with nine digits. */
export function formatEventTime(timeNano: bigint): string {
  const seconds = timeNano / nanosPerSecond;
  const nanos = timeNano - seconds * nanosPerSecond;
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}

/** Go's `%q` for the plain strings these messages quote. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
