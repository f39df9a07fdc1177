import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, rmdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind, MobyError } from '../../lib/errdefs/index.js';
import { buildSpec } from '../bundle/build-spec.js';
import { probeHost } from '../bundle/host-info.js';
import { writeBundle } from '../bundle/write-bundle.js';
import { containerPids, parsePsOutput, psPidsArg, topProcesses, validatePsArgs } from './top.js';

const PS_EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 01:02 ?        00:00:04 /sbin/init splash
root       24240   24219  0 16:39 ?        00:00:00 sleep 3600
root       24300   24219  0 16:40 ?        00:00:00 sh -c  echo   hi
`;

describe('parsePsOutput', () => {
  it("keeps the container's rows, the command keeping its words", () => {
    assert.deepEqual(parsePsOutput(PS_EF, [24240, 24300]), {
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: [
        ['root', '24240', '24219', '0', '16:39', '?', '00:00:00', 'sleep 3600'],
        // Docker splits on runs of spaces and joins the overhang with one space.
        ['root', '24300', '24219', '0', '16:40', '?', '00:00:00', 'sh -c echo hi'],
      ],
    });
    assert.deepEqual(parsePsOutput(PS_EF, []).Processes, []);
  });

  it('keeps thread rows (PID "-") of kept processes only', () => {
    const output = 'USER PID TID CMD\nroot 1 - init\nroot - 1 -\nroot 7 - sleep\nroot - 7 -\nroot - 8 -\n';
    assert.deepEqual(parsePsOutput(output, [7]).Processes, [
      ['root', '7', '-', 'sleep'],
      ['root', '-', '7', '-'],
      ['root', '-', '8', '-'],
    ]);
  });

  it("fails as Docker does without a PID column or with a PID that isn't a number", () => {
    assert.throws(() => parsePsOutput('USER COMMAND\nroot init\n', [1]), { message: "Couldn't find PID field in ps output" });
    assert.throws(() => parsePsOutput('PID CMD\nx1 init\n', [1]), {
      message: `Unexpected pid 'x1': strconv.Atoi: parsing "x1": invalid syntax`,
    });
  });
});

describe('ps arguments', () => {
  it('refuses renaming another column to PID', () => {
    assert.doesNotThrow(() => validatePsArgs('-o pid=PID,comm'));
    assert.doesNotThrow(() => validatePsArgs('-ef'));
    assert.throws(
      () => validatePsArgs('-o pid,comm=PID'),
      (err) => isKind(err, 'invalid-argument') && (err as Error).message === 'specifying "pid,comm=PID" is not allowed',
    );
  });

  it('selects pids with -q', () => {
    assert.equal(psPidsArg([1, 22, 333]), '-q1,22,333');
  });
});

// ------------------------------------------------------------------ a real container

const RUNC = '/usr/sbin/runc';
const BUSYBOX = '/bin/busybox';
const runnable = process.getuid?.() === 0 && (await canAccess(RUNC)) && (await canAccess(BUSYBOX)) && (await canAccess('/usr/bin/ps'));

describe('top of a busybox container run by runc', { skip: runnable ? false : 'needs root, runc, busybox and ps', timeout: 60_000 }, () => {
  const suffix = randomBytes(4).toString('hex');
  const cgroupParent = `/moby-top-test-${suffix}`;
  const id = `moby-top-${suffix}`;
  let dir: string;
  let runcRoot: string;
  let pids: number[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moby-top-runc-'));
    runcRoot = join(dir, 'runc-root');
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await copyFile(BUSYBOX, join(rootfs, 'bin/busybox'));
    for (const applet of ['sh', 'sleep']) await symlink('busybox', join(rootfs, 'bin', applet));
    const cmd = ['sh', '-c', 'sleep 1001 & exec sleep 1000'];
    const spec = buildSpec({ config: { Env: ['PATH=/bin'] } }, { Cmd: cmd }, { id, rootfs, host: await probeHost(), cgroupParent });
    const bundle = join(dir, 'bundle');
    await writeBundle(bundle, spec);
    const result = await runDetached(runcRoot, ['run', '--detach', '--bundle', bundle, id], join(dir, 'runc.log'));
    assert.equal(result.code, 0, `runc run failed: ${result.stderr}`);
    // Both sleeps are up once `sh` has exec'd into the second.
    for (let i = 0; i < 50; i++) {
      pids = await containerPids(RUNC, runcRoot, id);
      const comms = await Promise.all(pids.map((p) => readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')));
      if (comms.filter((c) => c.startsWith('sleep')).length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async () => {
    if (runcRoot) await runc(runcRoot, ['delete', '--force', id]).catch(() => undefined);
    await removeCgroupParent(cgroupParent);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists the container processes from runc ps', () => {
    assert.equal(pids.length, 2, `pids ${pids.join(',')}`);
  });

  it('lists both sleeps with the titles of ps -ef by default', async () => {
    const top = await topProcesses({ pids });
    assert.deepEqual(top.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    assert.deepEqual(top.Processes.map((p) => p[7]).sort(), ['sleep 1000', 'sleep 1001']);
    assert.deepEqual(top.Processes.map((p) => Number(p[1])).sort(), [...pids].sort());
    for (const row of top.Processes) assert.equal(row.length, 8);
  });

  it('takes other ps arguments, retrying without -q when ps refuses the pair', async () => {
    const top = await topProcesses({ pids, psArgs: '-o pid,args' });
    assert.deepEqual(top.Titles, ['PID', 'COMMAND']);
    assert.deepEqual(top.Processes.map((p) => p[1]).sort(), ['sleep 1000', 'sleep 1001']);
    // `f` (a forest) cannot go with -q: the second run lists everything, filtered here.
    const forest = await topProcesses({ pids, psArgs: 'axf' });
    assert.ok(forest.Titles.includes('PID'));
    assert.equal(forest.Processes.length, 2);
    assert.ok(forest.Processes.some((p) => p.at(-1)!.endsWith('sleep 1001')));
  });

  it("fails with ps's message for bad arguments and Docker's for a missing PID column", async () => {
    await assert.rejects(topProcesses({ pids, psArgs: '--bogus' }), (err) => {
      assert.ok(err instanceof MobyError);
      assert.equal(err.kind, 'invalid-argument');
      assert.match(err.message, /^ps: error: /);
      return true;
    });
    await assert.rejects(topProcesses({ pids, psArgs: '-o comm' }), { message: "Couldn't find PID field in ps output" });
  });

  it('fails not-found for an unknown container', async () => {
    await assert.rejects(containerPids(RUNC, runcRoot, `${id}-missing`), (err) => isKind(err, 'not-found'));
  });
});

interface RunResult {
  code: number | null;
  stderr: string;
}

function runc(root: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(RUNC, ['--root', root, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** `runc run --detach`: the container keeps runc's stdio, so that goes to a file, not a pipe we would wait on. */
async function runDetached(root: string, args: string[], logPath: string): Promise<RunResult> {
  const log = await open(logPath, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(RUNC, ['--root', root, ...args], { stdio: ['ignore', log.fd, log.fd] });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    return { code, stderr: await readFile(logPath, 'utf8') };
  } finally {
    await log.close();
  }
}

/** runc removes the container's own cgroups; the parent made for the test is ours to remove. */
async function removeCgroupParent(parent: string): Promise<void> {
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [])).map((d) => join('/sys/fs/cgroup', d))];
  for (const root of roots) await rmdir(join(root, parent)).catch(() => undefined);
}

async function canAccess(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
