/**
 * Push and pull throughput of a ~50 MB, 5-layer image (gzipped random data) against a
 * local Debian `docker-registry`, ours beside skopeo's (`skopeo copy`, Go's
 * containers/image) on the same registry and disk; prints MB/s and ours/skopeo ratios.
 * Each run pushes into a fresh registry, so nothing is skipped as already there.
 * Our pull is timed to the end of the downloads (the last `Download complete`) and
 * to the end (unpacked into snapshots); skopeo only downloads (into a `dir:`).
 * Run: npx tsx bench/pull-push.ts [runs]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { digestHex } from '../core/content/index.js';
import { pull, push } from '../core/distribution/index.js';
import { buildImage, randomLayer, type BuiltImage } from '../core/distribution/test-image.js';
import { startRegistry } from '../core/distribution/test-registry.js';
import { LocalLayerStore } from '../core/layers/local-layer-store.js';

const run = promisify(execFile);
const MB = 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The test helpers want a TestContext only to register clean-ups; the bench runs them itself. */
function cleanups(): { t: TestContext; done: () => Promise<void> } {
  const fns: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void fns.push(fn) } as unknown as TestContext;
  return { t, done: async () => { for (const fn of fns.reverse()) await fn(); } };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** skopeo's `dir:` layout of the image: the manifest and each blob named by its hex digest. */
async function writeDirLayout(dir: string, store: LocalLayerStore, image: BuiltImage): Promise<void> {
  await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  await writeFile(join(dir, 'manifest.json'), image.manifest);
  for (const digest of [image.configDigest, ...image.layers.map((l) => l.digest)]) {
    await writeFile(join(dir, digestHex(digest)), await store.content.readAll(digest));
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const { t, done } = cleanups();
  const work = await mkdtemp(join(tmpdir(), 'moby-bench-dist-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  try {
    const source = await LocalLayerStore.open(join(work, 'source'));
    t.after(() => source.close());
    const tars = await Promise.all([0, 1, 2, 3, 4].map((i) => randomLayer(`layer${i}`, 10 * MB)));
    const image = await buildImage(source, tars);
    const bytes = image.layers.reduce((n, l) => n + l.size, 0) + image.config.length;
    const layout = await mkdtemp(join(work, 'layout-'));
    await writeDirLayout(layout, source, image);

    const res = { pushOurs: [] as number[], pushSkopeo: [] as number[], pullOursFetch: [] as number[], pullOursAll: [] as number[], pullSkopeo: [] as number[] };
    for (let i = 0; i <= runs; i++) {
      const reg = cleanups();
      try {
        const registry = await startRegistry(reg.t);
        const skopeoRegistry = await startRegistry(reg.t);
        const ours = await timed(() => push(`${registry.host}/bench:1`, { layers: source, manifest: image.manifest }));
        const theirs = await timed(() => run('skopeo', ['copy', '-q', '--preserve-digests', '--dest-tls-verify=false', `dir:${layout}`, `docker://${skopeoRegistry.host}/bench:1`]));
        const target = await LocalLayerStore.open(join(work, `target-${i}`));
        reg.t.after(() => rm(join(work, `target-${i}`), { recursive: true, force: true }));
        reg.t.after(() => target.close());
        let fetched = 0;
        const start = performance.now();
        const pulled = await timed(() => pull(`${registry.host}/bench:1`, {
          layers: target, onProgress: (m) => { if (m.status === 'Download complete') fetched = performance.now() - start; },
        }));
        const out = await mkdtemp(join(work, 'out-'));
        reg.t.after(() => rm(out, { recursive: true, force: true }));
        const skopeoPull = await timed(() => run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${registry.host}/bench:1`, `dir:${out}`]));
        if (i === 0) continue; // warm-up: JIT, page cache
        res.pushOurs.push(ours.ms);
        res.pushSkopeo.push(theirs.ms);
        res.pullOursFetch.push(fetched);
        res.pullOursAll.push(pulled.ms);
        res.pullSkopeo.push(skopeoPull.ms);
      } finally {
        await reg.done();
      }
    }
    const rate = (ms: number) => (bytes / MB / (ms / 1000)).toFixed(1);
    const [pO, pS, fO, aO, lS] = [res.pushOurs, res.pushSkopeo, res.pullOursFetch, res.pullOursAll, res.pullSkopeo].map(median) as [number, number, number, number, number];
    console.log(`image: ${image.layers.length} gzip layers, ${(bytes / MB).toFixed(1)} MB; ${runs} runs, median`);
    console.log(`push: ours ${pO.toFixed(0)} ms (${rate(pO)} MB/s), skopeo ${pS.toFixed(0)} ms (${rate(pS)} MB/s), ours/skopeo time ${(pO / pS).toFixed(2)}`);
    console.log(`pull (download + verify): ours ${fO.toFixed(0)} ms (${rate(fO)} MB/s), skopeo ${lS.toFixed(0)} ms (${rate(lS)} MB/s), ours/skopeo time ${(fO / lS).toFixed(2)}`);
    console.log(`pull (incl. unpack into snapshots): ours ${aO.toFixed(0)} ms (${rate(aO)} MB/s)`);
  } finally {
    await done();
  }
}

await main();
