/**
 * Time to apply a busybox-static rootfs layer with `applyLayer` against GNU
 * `tar -x` of the same file on the same disk; prints the ours/tar ratio.
 * Run: npx tsx bench/apply-layer.ts [runs]
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { applyLayer } from '../core/archive/index.js';

function buildRootfs(dir: string): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  for (const applet of execFileSync('/bin/busybox', ['--list-full'], { encoding: 'utf8' }).split('\n')) {
    if (applet === '' || applet === 'bin/busybox') continue;
    mkdirSync(join(dir, dirname(applet)), { recursive: true });
    symlinkSync(relative(join(dir, dirname(applet)), join(dir, 'bin/busybox')), join(dir, applet));
  }
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  const work = mkdtempSync(join(tmpdir(), 'moby-bench-'));
  try {
    buildRootfs(join(work, 'rootfs'));
    for (const [label, file, tarFlag] of [['plain', 'layer.tar', '-xf'], ['gzip', 'layer.tar.gz', '-xzf']] as const) {
      execFileSync('tar', [tarFlag === '-xzf' ? '-czf' : '-cf', join(work, file), '-C', join(work, 'rootfs'), '.']);
      const ours: number[] = [];
      const gnu: number[] = [];
      // Run 0 warms up (JIT, libc binding, page cache) and is not counted.
      for (let i = 0; i <= runs; i++) {
        const a = join(work, `ours-${i}`);
        const b = join(work, `tar-${i}`);
        mkdirSync(a);
        mkdirSync(b);
        const o = await timed(async () => { await applyLayer(a, createReadStream(join(work, file))); });
        const g = await timed(() => { execFileSync('tar', [tarFlag, join(work, file), '-C', b]); });
        if (i > 0) {
          ours.push(o);
          gnu.push(g);
        }
        rmSync(a, { recursive: true });
        rmSync(b, { recursive: true });
      }
      const [o, g] = [median(ours), median(gnu)];
      console.log(`apply-layer busybox rootfs (${label}, ${runs} runs, median): ours ${o.toFixed(1)} ms, tar ${g.toFixed(1)} ms, ours/tar ${(o / g).toFixed(2)}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
