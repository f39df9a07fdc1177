// Runs grpc_probe.py — a gRPC client that is not ours (Debian's python3-grpcio) — against a
// component's socket, for end-to-end tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the probe reports: the health of service "" and the Version service's answer. */
export interface ProbeResult {
  /** The HealthCheckResponse.ServingStatus name, e.g. "SERVING" or "NOT_SERVING". */
  health: string;
  version: {
    component: string;
    version: string;
    revision: string;
    services: { name: string; implementation: string }[];
    pid: number;
  };
}

export interface ProbeOptions {
  /** The Python with grpcio; default Debian's `/usr/bin/python3`. */
  python?: string;
  /** The api/ folder holding the protos; default the repository's. */
  protos?: string;
  /** The probe's deadline in seconds, passed as `--timeout`; default 5. */
  timeoutSeconds?: number;
}

const PROBE_SCRIPT = join('test', 'clients', 'grpc_probe.py');
/** Time on top of the probe's own deadline for Python to start and protoc to run. */
const STARTUP_ALLOWANCE_MS = 10_000;

/**
 * Probes the component at `socket` with grpc_probe.py: Health/Check (service "") then
 * Version/Get. Rejects with the probe's message when it fails.
 */
export async function probeWithPython(socket: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const root = repositoryRoot();
  const timeoutSeconds = opts.timeoutSeconds ?? 5;
  const args = [join(root, PROBE_SCRIPT), socket, '--protos', opts.protos ?? join(root, 'api'), '--timeout', String(timeoutSeconds)];
  const stdout = await run(opts.python ?? '/usr/bin/python3', args, timeoutSeconds * 1000 + STARTUP_ALLOWANCE_MS);
  return parseResult(stdout);
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err === null) return resolve(stdout);
      const how = err.killed ? `killed after ${timeoutMs} ms` : `exit code ${String(err.code)}`;
      reject(new Error(`grpc probe failed (${how}): ${stderr.trim() || err.message}`, { cause: err }));
    });
  });
}

function parseResult(stdout: string): ProbeResult {
  const lines = stdout.trim().split('\n');
  let result: ProbeResult;
  try {
    result = JSON.parse(lines[lines.length - 1]!) as ProbeResult;
  } catch (err) {
    throw new Error(`grpc probe printed no JSON: ${stdout}`, { cause: err });
  }
  if (typeof result.health !== 'string' || typeof result.version !== 'object' || result.version === null) {
    throw new Error(`grpc probe printed an unexpected result: ${stdout}`);
  }
  return result;
}

/**
 * The repository root: the nearest folder above this module holding the probe script. Found by
 * walking up so it works both from the sources and from the compiled dist/ tree.
 */
function repositoryRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, PROBE_SCRIPT))) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${PROBE_SCRIPT} in any folder above ${start}`);
  }
}
