import type { TestContext } from 'node:test';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, type TarHeader } from '../archive/index.js';
import { lgetxattr } from '../sys/index.js';
import { mountAll, unmount } from '../snapshots/index.js';

export interface OverlayFixture {
  base: string;
  /** Top-most first. */
  lowers: string[];
  upper: string;
  work: string;
  merged: string;
}

/** A temp dir removed after the test, unmounting anything left on it first. */
export function tempDir(t: TestContext, prefix = 'moby-rootfs-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => removeTree(dir));
  return dir;
}

/** Unmounts whatever is mounted at or under `dir` (deepest first), then removes it. */
export async function removeTree(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await unmount(m, { detach: true }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A real overlay mount: `fill(lowers)` fills the lower dirs (top-most first)
 * before mounting. Unmounted and removed after the test, even on failure.
 */
export async function overlay(t: TestContext, lowerCount: number, fill: (lowers: string[]) => void): Promise<OverlayFixture> {
  const base = mkdtempSync(join(tmpdir(), 'moby-rootfs-ovl-'));
  const merged = join(base, 'merged');
  t.after(() => removeTree(base));
  const lowers = Array.from({ length: lowerCount }, (_, i) => join(base, `lower${i}`));
  const upper = join(base, 'upper');
  const work = join(base, 'work');
  for (const d of [...lowers, upper, work, merged]) mkdirSync(d);
  fill(lowers);
  await mountAll([{
    type: 'overlay', source: 'overlay',
    options: [`lowerdir=${lowers.join(':')}`, `upperdir=${upper}`, `workdir=${work}`],
  }], merged);
  return { base, lowers, upper, work, merged };
}

export interface ReadEntry extends TarHeader {
  content: Buffer;
}

/** Every entry of a tar stream, with its data. */
export async function entriesOf(stream: AsyncIterable<Uint8Array>): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  for await (const { header, body } of readTar(stream)) {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c);
    out.push({ ...header, content: Buffer.concat(chunks) });
  }
  return out;
}

/** Every path under `dir` with what it is: content, symlink target, `dir`, mode and owner. */
export function treeOf(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = lstatSync(join(dir, rel));
    const meta = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    if (st.isDirectory()) {
      const opaque = lgetxattr(join(dir, rel), 'trusted.overlay.opaque')?.toString() === 'y' ? ' opaque' : '';
      Object.assign(out, { [rel]: `dir ${meta}${opaque}` }, treeOf(dir, rel));
    } else if (st.isSymbolicLink()) out[rel] = `-> ${readlinkSync(join(dir, rel))}`;
    else if (st.isFile()) out[rel] = `${meta} ${readFileSync(join(dir, rel), 'utf8')}`;
    else out[rel] = `special ${st.mode.toString(8)} ${st.rdev}`;
  }
  return out;
}
