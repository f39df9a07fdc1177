import { isIP } from 'node:net';
import { errorOf } from '../../lib/errdefs/index.js';

/**
 * Value parsers the `--change` instructions share with the rest of Docker:
 * EXPOSE port specs (`nat.ParsePortSpecs`), STOPSIGNAL names
 * (`signal.ParseSignal`), HEALTHCHECK durations (Go's `time.ParseDuration`).
 * Errors are `invalid-argument` in Docker's words.
 */

const bad = (message: string) => errorOf('invalid-argument', message);

/** The exposed-port keys a spec opens: `80` → `80/tcp`, `1000-1001/udp` → two keys. */
export function parsePortSpec(raw: string): string[] {
  const parts = raw.split(':');
  let containerPort = parts[parts.length - 1]!;
  const hostPort = parts.length >= 2 ? parts[parts.length - 2]! : '';
  let ip = parts.length >= 3 ? parts.slice(0, parts.length - 2).join(':') : '';
  let proto = '';
  if (containerPort !== '') {
    const [port, p] = containerPort.split('/');
    proto = p === undefined || p === '' ? 'tcp' : p;
    containerPort = port!;
  }
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && isIP(ip) === 0) throw bad(`invalid IP address: ${ip}`);
  if (containerPort === '') throw bad(`no port specified: ${raw}<empty>`);
  const range = parsePortRange(containerPort);
  if (!range) throw bad(`invalid containerPort: ${containerPort}`);
  if (hostPort !== '') {
    const hostRange = parsePortRange(hostPort);
    if (!hostRange) throw bad(`invalid hostPort: ${hostPort}`);
    if (range[1] - range[0] !== hostRange[1] - hostRange[0] && range[0] !== range[1]) {
      throw bad(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  proto = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw bad(`invalid proto: ${proto}`);
  const keys: string[] = [];
  for (let port = range[0]; port <= range[1]; port++) keys.push(`${port}/${proto}`);
  return keys;
}

function parsePortRange(ports: string): [number, number] | undefined {
  const [start, end, ...more] = ports.split('-');
  const parse = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) && Number(s) <= 65535 ? Number(s) : undefined);
  const a = parse(start);
  const b = end === undefined ? a : parse(end);
  if (a === undefined || b === undefined || more.length > 0 || b < a) return undefined;
  return [a, b];
}

const signalNumbers: Record<string, number> = {
  ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2, IO: 29, IOT: 6,
  KILL: 9, PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11, STKFLT: 16, STOP: 19, SYS: 31, TERM: 15,
  TRAP: 5, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28, XCPU: 24, XFSZ: 25,
  RTMIN: 34, RTMAX: 64,
};
for (let i = 1; i <= 15; i++) signalNumbers[`RTMIN+${i}`] = 34 + i;
for (let i = 1; i <= 14; i++) signalNumbers[`RTMAX-${i}`] = 64 - i;

/** The signal number a STOPSIGNAL value names (`SIGTERM`, `term`, `15`); anything else is refused. */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) {
    const n = Number.parseInt(raw, 10);
    if (n === 0 || !Number.isSafeInteger(n)) throw bad(`invalid signal: ${raw}`);
    return n;
  }
  const n = signalNumbers[raw.toUpperCase().replace(/^SIG/, '')];
  if (n === undefined) throw bad(`invalid signal: ${raw}`);
  return n;
}

const unitNanos: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's `time.ParseDuration`, in nanoseconds: `30s`, `1m30s`, `1.5h`, `0`. */
export function parseGoDuration(s: string): number {
  const quoted = JSON.stringify(s);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (m[0] === '' || m[0] === '.') throw bad(`time: invalid duration ${quoted}`);
    rest = rest.slice(m[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw bad(`time: missing unit in duration ${quoted}`);
    const scale = unitNanos[unit];
    if (scale === undefined) throw bad(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    total += Number(m[1] || '0') * scale + (m[2] ? Math.round(Number(`0.${m[2]}`) * scale) : 0);
  }
  if (total > Number.MAX_SAFE_INTEGER) throw bad(`time: invalid duration ${quoted}`);
  return sign * total;
}
