// Proportional set size (PSS) of processes and process trees, read from /proc.
//
// PSS charges each shared page to the processes mapping it in proportion, so the PSS of a set
// of processes sums to what they cost the machine together: the figure to compare engines by.
import { readdir, readFile } from 'node:fs/promises';

const MIB = 1024 * 1024;

/** The PSS of one process in bytes, from the `Pss:` line of `/proc/<pid>/smaps_rollup`. */
export async function pssOf(pid: number): Promise<number> {
  const pss = await readPss(pid);
  if (pss === undefined) throw new Error(`process ${pid} is not running`);
  return pss;
}

/**
 * The sum of the PSS of `pids` in bytes. A process that has exited (or is a zombie) by the
 * time it is read counts as 0: trees change while they are being measured.
 */
export async function pssOfPids(pids: readonly number[]): Promise<number> {
  const values = await Promise.all(pids.map((pid) => readPss(pid)));
  return values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

/** The PSS of `rootPid` and all its descendants, in bytes. */
export async function pssOfTree(rootPid: number): Promise<number> {
  return pssOfPids(await processTree(rootPid));
}

/**
 * `rootPid` followed by all its descendants (children, grandchildren…), found from the parent
 * pid field of every `/proc/<pid>/stat`. Processes re-parented away (daemonised) are not
 * descendants. Throws when `rootPid` is not running.
 */
export async function processTree(rootPid: number): Promise<number[]> {
  const parents = await parentMap();
  if (!parents.has(rootPid)) throw new Error(`process ${rootPid} is not running`);
  const children = childrenByParent(parents);
  const tree: number[] = [];
  const queue = [rootPid];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** `bytes` as mebibytes with one decimal, e.g. `"41.3 MiB"`. */
export function formatMiB(bytes: number, digits = 1): string {
  return `${(bytes / MIB).toFixed(digits)} MiB`;
}

/** The `Pss:` figure of `/proc/<pid>/smaps_rollup` in bytes; undefined when the process is gone. */
async function readPss(pid: number): Promise<number | undefined> {
  const text = await readProcFile(`/proc/${pid}/smaps_rollup`);
  if (text === undefined) return undefined;
  const match = /^Pss:\s+(\d+) kB$/m.exec(text);
  // A zombie has no address space: smaps_rollup reads empty.
  return match === null ? undefined : Number(match[1]) * 1024;
}

/** pid → parent pid for every process currently in /proc. */
async function parentMap(): Promise<Map<number, number>> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const entries = await Promise.all(pids.map(async (pid) => [pid, await readParent(pid)] as const));
  const parents = new Map<number, number>();
  for (const [pid, ppid] of entries) if (ppid !== undefined) parents.set(pid, ppid);
  return parents;
}

function childrenByParent(parents: Map<number, number>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  for (const list of children.values()) list.sort((a, b) => a - b);
  return children;
}

/** The ppid field of `/proc/<pid>/stat`; undefined when the process is gone. */
async function readParent(pid: number): Promise<number | undefined> {
  const stat = await readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[1]);
}

/** A /proc file's text, or undefined when its process has gone. */
async function readProcFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw err;
  }
}
