import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMiB, processTree, pssOf, pssOfPids, pssOfTree } from './pss.js';

const MIB = 1024 * 1024;
const NO_SUCH_PID = 2 ** 31 - 1; // above any pid_max

/** Spawns `sh -c 'sleep 1000 & wait'`, and waits (polling /proc) until the grandchild is there. */
async function spawnShWithSleep(): Promise<{ child: ChildProcess; pid: number; sleepPid: number }> {
  const child = spawn('/bin/sh', ['-c', 'sleep 1000 & wait'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  for (;;) {
    const tree = await processTree(pid);
    if (tree.length === 2) return { child, pid, sleepPid: tree[1]! };
    await new Promise((resolve) => setTimeout(resolve, 10)); // poll interval
  }
}

function assertNear(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= expected / 10, `${actual} is not within 10% of ${expected}`);
}

async function killTree(child: ChildProcess, pids: number[]): Promise<void> {
  for (const pid of pids.slice(1)) process.kill(pid, 'SIGKILL');
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

test('pssOf reads this process: a node process is several MiB', async () => {
  const pss = await pssOf(process.pid);
  assert.ok(Number.isInteger(pss));
  assert.ok(pss > 5 * MIB, `pss ${pss}`);
  assert.ok(pss < 4096 * MIB, `pss ${pss}`);
});

test('pssOf rejects for a process that is not running', async () => {
  await assert.rejects(pssOf(NO_SUCH_PID), /not running/);
  await assert.rejects(processTree(NO_SUCH_PID), /not running/);
});

test('processTree finds a child and a grandchild, and not the parent', async () => {
  const { child, pid, sleepPid } = await spawnShWithSleep();
  try {
    const mine = await processTree(process.pid);
    assert.equal(mine[0], process.pid);
    assert.ok(mine.includes(pid));
    assert.ok(mine.includes(sleepPid));
    assert.ok(!mine.includes(process.ppid));
    assert.deepEqual(await processTree(pid), [pid, sleepPid]);
  } finally {
    await killTree(child, [pid, sleepPid]);
  }
});

test('pssOfTree sums the tree; pssOfPids counts gone processes as 0', async () => {
  const { child, pid, sleepPid } = await spawnShWithSleep();
  try {
    const sh = await pssOf(pid);
    const sleep = await pssOf(sleepPid);
    assert.ok(sh > 0 && sleep > 0);
    // Idle sh and sleep keep their pages, but their share of pages mapped by others (libc)
    // moves as processes come and go on the machine: compare within 10%.
    assertNear(await pssOfTree(pid), sh + sleep);
    assertNear(await pssOfPids([pid, sleepPid, NO_SUCH_PID]), sh + sleep);
    assert.equal(await pssOfPids([]), 0);
    assert.ok((await pssOfTree(process.pid)) > (await pssOf(pid)));
  } finally {
    await killTree(child, [pid, sleepPid]);
  }
});

test('formatMiB', () => {
  assert.equal(formatMiB(0), '0.0 MiB');
  assert.equal(formatMiB(1.5 * MIB), '1.5 MiB');
  assert.equal(formatMiB(41.26 * MIB, 2), '41.26 MiB');
});
