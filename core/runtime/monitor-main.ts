import { closeSync, writeSync } from 'node:fs';
import { runMonitor } from './monitor.js';
import type { MonitorConfig } from './monitor-record.js';

/**
 * The monitor process: `node monitor-main.js '<MonitorConfig JSON>'`, started
 * detached by `startContainer` with fd 3 a pipe for its single report.
 */
const config = JSON.parse(process.argv[2] ?? '{}') as MonitorConfig;
let reported = false;
try {
  await runMonitor(config, (message) => {
    writeSync(3, JSON.stringify(message) + '\n');
    closeSync(3);
    reported = true;
  });
} catch (err) {
  console.error(`monitor ${config.id}: ${(err as Error).stack ?? String(err)}`);
  if (!reported) writeSync(3, JSON.stringify({ error: (err as Error).message, kind: 'internal' }) + '\n');
  process.exitCode = 1;
}
