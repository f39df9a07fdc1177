/**
 * `GET /containers/{id}/top`: the host's `ps` (procps) filtered to the container's processes,
 * as dockerd's `ContainerTop` does it (moby daemon/top_unix.go): the same argument handling,
 * the same parsing of the output, the same error texts.
 */
import { spawn } from 'node:child_process';
import { errorOf } from '../../lib/errdefs/index.js';
import { OciRuntime } from '../runtime/oci-runtime.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

export interface TopOptions {
  /** The host pids of the container's processes (`containerPids`). */
  pids: number[];
  /** Arguments for ps, split on single spaces as Docker does; default `-ef`. */
  psArgs?: string;
  /** The ps binary; default `ps` on PATH. */
  psBinary?: string;
}

/**
 * Runs `ps <psArgs> -q<pids>` (again without `-q…` when ps refuses the pair, e.g. with `f`)
 * and keeps the rows of the container's processes. Errors: `invalid-argument` for a
 * `x=PID…` column rename other than `pid=` and for arguments ps rejects (`ps: <ps's first
 * stderr line>`); `internal` when ps cannot be run, when the output has no PID column
 * (`Couldn't find PID field in ps output`) or a PID that is not a number.
 */
export async function topProcesses(options: TopOptions): Promise<TopResult> {
  const psArgs = options.psArgs || '-ef';
  validatePsArgs(psArgs);
  const args = psArgs.split(' ');
  const ps = options.psBinary ?? 'ps';
  let result = await run(ps, [...args, psPidsArg(options.pids)]);
  if (result.code !== 0) {
    result = await run(ps, args);
    if (result.error !== undefined) throw errorOf('internal', `ps: ${result.error}`);
    if (result.code !== 0) {
      const firstLine = result.stderr.split('\n', 1)[0] ?? '';
      throw errorOf('invalid-argument', `ps: ${firstLine || `exit status ${result.code}`}`);
    }
  }
  return parsePsOutput(result.stdout, options.pids);
}

/** The host pids of a container's processes: `runc --root <root> ps --format json <id>`. */
export async function containerPids(runtimeBinary: string, runtimeRoot: string | undefined, id: string): Promise<number[]> {
  return new OciRuntime({ binary: runtimeBinary, root: runtimeRoot }).ps(id);
}

/** Docker refuses renaming a column to `PID…` unless the column is `pid` (it would fool the PID lookup). */
export function validatePsArgs(psArgs: string): void {
  for (const match of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    const [, key, value] = match;
    if (key !== 'pid') throw errorOf('invalid-argument', `specifying "${key}=${value}" is not allowed`);
  }
}

/** `-q1,2,3`: ps's quick pid selection. */
export function psPidsArg(pids: number[]): string {
  return `-q${pids.join(',')}`;
}

/**
 * The header's fields are the titles; a row is kept when its PID is the container's, and a
 * thread row (PID `-`, with ps's `m`) when its process was kept. Each row has as many fields
 * as there are titles, the overhang joined with spaces into the last (the command).
 */
export function parsePsOutput(output: string, pids: number[]): TopResult {
  const lines = output.split('\n');
  const titles = fieldsAscii(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw errorOf('internal', "Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const processes: string[][] = [];
  const append = (fields: string[]) =>
    processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')]);
  let previousKept = false;
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const fields = fieldsAscii(line);
    const pidField = fields[pidIndex] ?? '';
    if (pidField === '-') {
      if (previousKept) append(fields);
      continue;
    }
    if (!/^[+-]?\d+$/.test(pidField)) {
      throw errorOf('internal', `Unexpected pid '${pidField}': strconv.Atoi: parsing ${JSON.stringify(pidField)}: invalid syntax`);
    }
    previousKept = wanted.has(Number(pidField));
    if (previousKept) append(fields);
  }
  return { Titles: titles, Processes: processes };
}

/** Fields split on ASCII whitespace only (Go's `fieldsASCII` in daemon/top_unix.go). */
function fieldsAscii(text: string): string[] {
  return text.split(/[\t\n\f\r ]+/).filter(Boolean);
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

function run(binary: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => resolve({ code: null, stdout, stderr, error: err.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
