import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { archivePath } from './archive-path.js';
import { tempDir } from './test-fixtures.js';

async function drain(stream: Readable): Promise<number> {
  let n = 0;
  for await (const c of stream) n += (c as Buffer).length;
  return n;
}

async function timed(fn: () => Promise<number>): Promise<[number, number]> {
  const start = process.hrtime.bigint();
  const bytes = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, bytes];
}

test('archivePath of a ~100 MB tree against GNU tar', async (t) => {
  const root = tempDir(t, 'moby-rootfs-bench-');
  const tree = join(root, 'tree');
  const big = randomBytes(2 * 1024 * 1024);
  const small = randomBytes(10 * 1024);
  for (let d = 0; d < 20; d++) {
    const dir = join(tree, `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 2; i++) writeFileSync(join(dir, `big${i}`), big);
    for (let i = 0; i < 100; i++) writeFileSync(join(dir, `small${i}`), small);
  }
  const ours = async () => drain((await archivePath(root, '/tree/.')).stream);
  // GNU tar's output is read by this process too, so both pay for the same pipe.
  const gnu = async () => {
    const child = spawn('tar', ['-C', tree, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [bytes, code] = await Promise.all([drain(child.stdout), new Promise((r) => child.on('close', r))]);
    assert.equal(code, 0);
    return bytes;
  };
  // And GNU tar alone, its output thrown away by cat (tar itself skips reading when writing to /dev/null).
  // bash's `time` also gives the CPU seconds (user + sys) of tar and cat, steadier than wall time on a busy host.
  let gnuCpu = Infinity;
  const gnuAlone = async () => {
    const child = spawn('bash', ['-c', `TIMEFORMAT='%U %S'; time (tar -C '${tree}' -cf - . | cat > /dev/null)`], { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    assert.equal(await new Promise((r) => child.on('close', r)), 0);
    const [u, sy] = err.trim().split(/\s+/).map(Number);
    gnuCpu = Math.min(gnuCpu, (u! + sy!) * 1000);
    return 0;
  };
  let oursCpu = Infinity;
  const oursCounted = async () => {
    const before = process.cpuUsage();
    const n = await ours();
    const used = process.cpuUsage(before);
    oursCpu = Math.min(oursCpu, (used.user + used.system) / 1000);
    return n;
  };
  await ours();
  await gnu();
  let bestOurs = Infinity;
  let bestGnu = Infinity;
  let bestAlone = Infinity;
  let sizes: [number, number] = [0, 0];
  for (let i = 0; i < 5; i++) {
    const [o, ob] = await timed(oursCounted);
    const [g, gb] = await timed(gnu);
    const [a] = await timed(gnuAlone);
    bestOurs = Math.min(bestOurs, o);
    bestGnu = Math.min(bestGnu, g);
    bestAlone = Math.min(bestAlone, a);
    sizes = [ob, gb];
  }
  const line = `archivePath 4040 files ${(sizes[0] / 1e6).toFixed(1)} MB (best of 5): ours ${bestOurs.toFixed(0)} ms; ` +
    `GNU tar read by node ${bestGnu.toFixed(0)} ms (${(sizes[1] / 1e6).toFixed(1)} MB), ratio ${(bestOurs / bestGnu).toFixed(2)}x; ` +
    `GNU tar | cat >/dev/null ${bestAlone.toFixed(0)} ms, ratio ${(bestOurs / bestAlone).toFixed(2)}x; ` +
    `CPU time: ours ${oursCpu.toFixed(0)} ms, GNU tar + cat ${gnuCpu.toFixed(0)} ms, ratio ${(oursCpu / gnuCpu).toFixed(2)}x`;
  t.diagnostic(line);
  console.log(line);
  assert.ok(sizes[0] > 100e6);
});
