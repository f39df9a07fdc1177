import { execFile } from 'node:child_process';

/** What an OCI runtime says about itself (`runc --version`). */
export interface RuntimeVersion {
  /** The runtime's name as printed, e.g. "runc". */
  name: string;
  /** e.g. "1.1.5+ds1". */
  version: string;
  /** The `commit:` line, e.g. "1.1.5+ds1-1+deb12u1"; "" when absent. */
  commit: string;
}

/**
 * Parses `<name> version <v>` and `commit: <c>` lines, as moby's `parseRuntimeVersion` does.
 * Returns undefined when no version line is found.
 */
export function parseRuntimeVersion(output: string): RuntimeVersion | undefined {
  let found: RuntimeVersion | undefined;
  let commit = '';
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (found === undefined && line.includes('version')) {
      const parts = line.split('version');
      found = { name: parts[0]!.trim(), version: parts[parts.length - 1]!.trim(), commit: '' };
    } else if (line.startsWith('commit:')) {
      commit = line.slice('commit:'.length).trim();
    }
  }
  return found && { ...found, commit };
}

/**
 * Runs `<path> --version` and parses it. Resolves undefined when the runtime is missing, fails,
 * or prints nothing recognisable: the caller reports "no runtime", it does not fail.
 */
export function readRuntimeVersion(path: string, timeoutMs = 10_000): Promise<RuntimeVersion | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) => {
      resolve(err ? undefined : parseRuntimeVersion(stdout));
    });
  });
}
