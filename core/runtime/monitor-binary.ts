import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this module holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Where the C monitor is installed: `<repo>/dist/moby-monitor` (built by `core/runtime/monitor/build.sh`). */
export function monitorBinary(): string {
  return join(repoRoot(), 'dist', 'moby-monitor');
}

/** The monitor's C source and build script, beside the TypeScript sources. */
export function monitorSources(): { source: string; buildScript: string } {
  const dir = join(repoRoot(), 'core', 'runtime', 'monitor');
  return { source: join(dir, 'moby-monitor.c'), buildScript: join(dir, 'build.sh') };
}

/**
 * Builds the monitor into `monitorBinary()` when it is missing or older than
 * its source (tests and development; an install runs build.sh itself).
 * Returns the binary's path.
 */
export function ensureMonitorBinary(): string {
  const out = monitorBinary();
  const { source, buildScript } = monitorSources();
  const stale = !existsSync(out) || (existsSync(source) && statSync(source).mtimeMs > statSync(out).mtimeMs);
  if (stale) execFileSync('sh', [buildScript, out], { stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}
