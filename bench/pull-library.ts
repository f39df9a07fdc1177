/**
 * `pull` as a library (no engine, no docker CLI) of the same ~150 MB, 6-layer image as
 * bench/pull-push-dockerd.ts from a local Debian `docker-registry` into a fresh
 * `LocalLayerStore`, timed to the last `Download complete` and to the end. For profiling
 * the pull path alone: `node --cpu-prof dist/bench/pull-library.js [runs]`.
 * Run: npm run build && node dist/bench/pull-library.js [runs]; with PULL_PROFILE=<file>, the
 * pulls (only) are CPU-profiled into <file> (a .cpuprofile for Chrome DevTools).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pull, push } from '../core/distribution/index.js';
import { buildImage, randomLayer } from '../core/distribution/test-image.js';
import { startRegistry } from '../core/distribution/test-registry.js';
import { LocalLayerStore } from '../core/layers/local-layer-store.js';

const MB = 1e6;
const layerSizes = [40, 30, 30, 20, 20, 10].map((n) => n * MB);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cleanups(): { t: TestContext; done: () => Promise<void> } {
  const fns: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void fns.push(fn) } as unknown as TestContext;
  return { t, done: async () => { for (const fn of fns.reverse()) await fn(); } };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const { t, done } = cleanups();
  const work = await mkdtemp(join(tmpdir(), 'moby-bench-pull-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  try {
    const source = await LocalLayerStore.open(join(work, 'source'));
    t.after(() => source.close());
    const tars = await Promise.all(layerSizes.map((size, i) => randomLayer(`layer${i}/data`, size)));
    const image = await buildImage(source, tars);
    const bytes = image.layers.reduce((n, l) => n + l.size, 0) + image.config.length;
    const registry = await startRegistry(t);
    const ref = `${registry.host}/bench:1`;
    await push(ref, { layers: source, manifest: image.manifest });
    for (const e of await readdir(join(registry.dir, 'storage'), { recursive: true, withFileTypes: true })) {
      if (e.isFile()) await readFile(join(e.parentPath, e.name));
    }
    const profile = process.env.PULL_PROFILE;
    const session = new Session();
    if (profile) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const downloads: number[] = [];
    const totals: number[] = [];
    const cpus: number[] = [];
    const mains: number[] = [];
    for (let i = 0; i < runs; i++) {
      const store = await LocalLayerStore.open(join(work, `pull-${i}`));
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      let downloaded = 0;
      let completes = 0;
      await pull(ref, {
        layers: store,
        onProgress: (m) => {
          if (m.status === 'Download complete' && ++completes === image.layers.length) downloaded = performance.now() - start;
        },
      });
      const total = performance.now() - start;
      const cpu = process.cpuUsage(cpu0);
      const elu = performance.eventLoopUtilization(elu0);
      downloads.push(downloaded);
      totals.push(total);
      cpus.push((cpu.user + cpu.system) / 1000);
      mains.push(elu.active);
      console.log(`run ${i + 1}: downloads ${(downloaded / 1000).toFixed(2)} s, total ${(total / 1000).toFixed(2)} s; CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (main thread busy ${elu.active.toFixed(0)} ms)`);
      await store.close();
      await rm(join(work, `pull-${i}`), { recursive: true, force: true });
    }
    if (profile) {
      const { profile: data } = await session.post('Profiler.stop');
      await writeFile(profile, JSON.stringify(data));
      session.disconnect();
    }
    const total = median(totals);
    console.log(`pull ${(bytes / MB).toFixed(1)} MB: downloads ${(median(downloads) / 1000).toFixed(2)} s, total ${(total / 1000).toFixed(2)} s (${(bytes / MB / (total / 1000)).toFixed(0)} MB/s); CPU ${median(cpus).toFixed(0)} ms, main thread busy ${median(mains).toFixed(0)} ms`);
  } finally {
    await done();
  }
}

await main();
