import { MobyError, type ErrorKind } from '../../lib/errdefs/index.js';

/**
 * Turns a failed runtime command into a `MobyError` that keeps the runtime's
 * own words (Docker shows them to users: `OCI runtime create failed: …`).
 * The kind is read from the message: runc and crun say "does not exist" for
 * an unknown container and name the state when an operation does not fit it.
 */
export function runtimeError(op: string, stderr: string): MobyError {
  const message = runtimeMessage(stderr) || `exited without a message`;
  return new MobyError(kindOfMessage(message), `OCI runtime ${op} failed: ${message}`);
}

const KIND_PATTERNS: Array<[RegExp, ErrorKind]> = [
  [/container does not exist|container .* does not exist/i, 'not-found'],
  [/already exists/i, 'already-exists'],
  [/not running|not paused|cannot \w+ a (\w+ )?container (in the \w+ state|that (has|is) \w+)|cannot \w+ .* in (the )?\w+ state/i, 'failed-precondition'],
  [/executable file not found|no such file or directory|permission denied/i, 'invalid-argument'],
];

function kindOfMessage(message: string): ErrorKind {
  for (const [pattern, kind] of KIND_PATTERNS) if (pattern.test(message)) return kind;
  return 'internal';
}

/**
 * The last meaningful line of the runtime's stderr. runc prints logfmt
 * (`level=error msg="…"`) or, with `--log-format json`, `{"level":"error","msg":…}` lines.
 */
export function runtimeMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const messages = lines.map((line) => {
    const logfmt = /level=(error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (logfmt) return JSON.parse(`"${logfmt[2]}"`) as string;
    if (!line.startsWith('{')) return line;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      return entry.level === 'error' || entry.level === 'fatal' ? (entry.msg ?? '') : '';
    } catch {
      return line;
    }
  });
  return messages.filter(Boolean).at(-1) ?? '';
}
