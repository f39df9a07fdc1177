/**
 * Prints Debian dockerd's start-up time and idle memory (PSS summed over dockerd and its
 * containerd) as one JSON line: `{"startupMs":…,"pssBytes":…}`. Used by startup-memory.sh.
 * Usage: node dist/bench/dockerd-idle.js [settle-ms]
 */
import { setTimeout as delay } from 'node:timers/promises';
import { pssOfPids } from './lib/pss.js';
import { startReferenceDockerd } from './lib/reference-dockerd.js';

const settleMs = Number(process.argv[2] ?? 3000);
const dockerd = await startReferenceDockerd();
try {
  await delay(settleMs);
  const pids = await dockerd.pids();
  const pssBytes = await pssOfPids(pids);
  process.stdout.write(JSON.stringify({ startupMs: Math.round(dockerd.startupMs), pssBytes, processes: pids.length }) + '\n');
} finally {
  await dockerd.stop();
}
