/**
 * `docker pull` and `docker push` of a ~150 MB, 6-layer image (gzipped random data) between a
 * local Debian `docker-registry` and each engine: ours (`moby daemon`, default packaging) and
 * Debian's dockerd 20.10 (bench/lib/reference-dockerd.ts), in the same run, each through its
 * own Engine API with the docker CLI. Prints each time and the ratio ours/dockerd (target
 * <= 0.7). The registry's blobs are read once before timing, so both pulls find them in the
 * page cache; each engine pushes to a registry of its own, so nothing is mounted or skipped.
 * Engines run one after the other, never at once. 127.0.0.0/8 is insecure by default in both.
 * Run: npm run build && node dist/bench/pull-push-dockerd.js [runs]
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { push } from '../core/distribution/index.js';
import { buildImage, randomLayer, tempLayerStore } from '../core/distribution/test-image.js';
import { startRegistry, type TestRegistry } from '../core/distribution/test-registry.js';
import { docker } from '../test/support/docker-cli.js';
import { startEngine } from '../test/support/engine.js';
import { startReferenceDockerd } from './lib/reference-dockerd.js';

const MB = 1e6;
const layerSizes = [40, 30, 30, 20, 20, 10].map((n) => n * MB);

/** The test helpers want a TestContext only to register clean-ups; the bench runs them itself. */
function cleanups(): { t: TestContext; done: () => Promise<void> } {
  const fns: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void fns.push(fn) } as unknown as TestContext;
  return { t, done: async () => { for (const fn of fns.reverse()) await fn(); } };
}

async function timedDocker(env: NodeJS.ProcessEnv, args: string[]): Promise<number> {
  const start = performance.now();
  const r = await docker(env, args, { timeoutMs: 600_000 });
  const ms = performance.now() - start;
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} (${env.DOCKER_HOST}): exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return ms;
}

/** Reads every file under the registry's storage once, so that neither engine pays for a cold cache. */
async function warm(registry: TestRegistry): Promise<void> {
  const root = join(registry.dir, 'storage');
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) await readFile(join(entry.parentPath, entry.name));
  }
}

interface Figures { pull: number; push: number }

/** Pulls `source` into the engine behind `env`, then pushes it to `target`, timing both. */
async function pullThenPush(env: NodeJS.ProcessEnv, source: string, target: string): Promise<Figures> {
  const pull = await timedDocker(env, ['pull', source]);
  await timedDocker(env, ['tag', source, target]);
  const pushMs = await timedDocker(env, ['push', target]);
  return { pull, push: pushMs };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 1);
  const { t, done } = cleanups();
  try {
    const store = await tempLayerStore(t);
    const tars = await Promise.all(layerSizes.map((size, i) => randomLayer(`layer${i}/data`, size)));
    const image = await buildImage(store, tars);
    const bytes = image.layers.reduce((n, l) => n + l.size, 0) + image.config.length;
    const source = await startRegistry(t);
    await push(`${source.host}/bench:1`, { layers: store, manifest: image.manifest });
    await warm(source);
    console.log(`image: ${image.layers.length} gzip layers of random data, ${(bytes / MB).toFixed(1)} MB; ${runs} run(s)`);

    const results: { ours: Figures; dockerd: Figures }[] = [];
    for (let i = 0; i < runs; i++) {
      const run = cleanups();
      try {
        const oursTarget = await startRegistry(run.t);
        const dockerdTarget = await startRegistry(run.t);
        const engine = await startEngine({ after: (fn) => run.t.after(fn) });
        const ours = await pullThenPush(engine.dockerEnv, `${source.host}/bench:1`, `${oursTarget.host}/bench:1`);
        await engine.cleanup();
        const dockerd = await startReferenceDockerd();
        run.t.after(() => dockerd.stop());
        const env = { ...process.env, DOCKER_HOST: dockerd.host, DOCKER_CONFIG: join(dockerd.dir, 'docker-config') };
        const reference = await pullThenPush(env, `${source.host}/bench:1`, `${dockerdTarget.host}/bench:1`);
        results.push({ ours, dockerd: reference });
      } finally {
        await run.done();
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rate = (ms: number) => `${(bytes / MB / (ms / 1000)).toFixed(0)} MB/s`;
    for (const op of ['pull', 'push'] as const) {
      const ours = median(results.map((r) => r.ours[op]));
      const theirs = median(results.map((r) => r.dockerd[op]));
      console.log(`${op}: ours ${(ours / 1000).toFixed(2)} s (${rate(ours)}), dockerd ${(theirs / 1000).toFixed(2)} s (${rate(theirs)}), ours/dockerd ${(ours / theirs).toFixed(2)}`);
    }
  } finally {
    await done();
  }
}

await main();
