/**
 * A minimal structured logger: one line per event on stderr, `component=` on every line.
 * Errors are logged once, at the boundary that handles them.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(base: Record<string, unknown>, level: LogLevel = levelFromEnv()): Logger {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    const all = { ...base, ...fields };
    const tail = Object.entries(all)
      .map(([k, v]) => `${k}=${format(v)}`)
      .join(' ');
    process.stderr.write(`${new Date().toISOString()} ${lvl} ${JSON.stringify(msg)} ${tail}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, level),
  };
}

function format(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

function levelFromEnv(): LogLevel {
  const l = process.env.MOBY_LOG_LEVEL;
  return l === 'debug' || l === 'warn' || l === 'error' ? l : 'info';
}
