import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, open, readdir, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { buildSpec } from '../bundle/build-spec.js';
import { probeHost } from '../bundle/host-info.js';
import { writeBundle } from '../bundle/write-bundle.js';
import type { Json } from './container-engine.js';
import {
  emptyStats,
  formatRfc3339Nano,
  parseBlkioV1,
  parseNetDev,
  parseSystemCpuUsage,
  readContainerStats,
  statsStream,
  type StatsHost,
} from './stats.js';

type Obj = { [key: string]: Json };
const obj = (value: Json | undefined): Obj => value as Obj;

/** The answer of a real dockerd 20.10 on cgroup v1 (engine-api-notes.md), the files it came from below. */
const DOCKER_V1_SAMPLE =
  '{"read":"2026-11-23T16:51:26.352253498Z","preread":"2026-11-23T16:51:25.343275848Z","pids_stats":{"current":1},"blkio_stats":{"io_service_bytes_recursive":[],"io_serviced_recursive":[],"io_queue_recursive":[],"io_service_time_recursive":[],"io_wait_time_recursive":[],"io_merged_recursive":[],"io_time_recursive":[],"sectors_recursive":[]},"num_procs":0,"storage_stats":{},"cpu_stats":{"cpu_usage":{"total_usage":100195962,"percpu_usage":[82856830,17339132],"usage_in_kernelmode":30000000,"usage_in_usermode":60000000},"system_cpu_usage":10788790000000,"online_cpus":2,"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"precpu_stats":{"cpu_usage":{"total_usage":100195962,"percpu_usage":[82856830,17339132],"usage_in_kernelmode":30000000,"usage_in_usermode":60000000},"system_cpu_usage":10786780000000,"online_cpus":2,"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},"memory_stats":{"usage":536576,"max_usage":4075520,"stats":{"active_anon":4096,"active_file":102400,"cache":200704,"dirty":0,"hierarchical_memory_limit":9223372036854771712,"hierarchical_memsw_limit":9223372036854771712,"inactive_anon":53248,"inactive_file":98304,"mapped_file":16384,"pgfault":3607,"pgmajfault":4,"pgpgin":2793,"pgpgout":2730,"rss":57344,"rss_huge":0,"total_active_anon":4096,"total_active_file":102400,"total_cache":200704,"total_dirty":0,"total_inactive_anon":53248,"total_inactive_file":98304,"total_mapped_file":16384,"total_pgfault":3607,"total_pgmajfault":4,"total_pgpgin":2793,"total_pgpgout":2730,"total_rss":57344,"total_rss_huge":0,"total_unevictable":0,"total_writeback":0,"unevictable":0,"writeback":0},"limit":25276510208},"name":"/sleeper","id":"e8360f2d297076d9f9714ced5d28d8a4cd71eac31bb210c290325d7c1166dde3","networks":{"eth0":{"rx_bytes":1226,"rx_packets":15,"rx_errors":0,"rx_dropped":0,"tx_bytes":0,"tx_packets":0,"tx_errors":0,"tx_dropped":0}}}';
const SAMPLE_ID = 'e8360f2d297076d9f9714ced5d28d8a4cd71eac31bb210c290325d7c1166dde3';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0:    1226      15    0    0    0     0          0         0        0       0    0    0    0     0       0          0
`;

const MEMORY_STAT_V1 = `cache 200704
rss 57344
rss_huge 0
shmem 0
mapped_file 16384
dirty 0
writeback 0
workingset_refault_anon 0
swap 0
pgpgin 2793
pgpgout 2730
pgfault 3607
pgmajfault 4
inactive_anon 53248
active_anon 4096
inactive_file 98304
active_file 102400
unevictable 0
hierarchical_memory_limit 9223372036854771712
hierarchical_memsw_limit 9223372036854771712
total_cache 200704
total_rss 57344
total_rss_huge 0
total_shmem 0
total_mapped_file 16384
total_dirty 0
total_writeback 0
total_swap 0
total_pgpgin 2793
total_pgpgout 2730
total_pgfault 3607
total_pgmajfault 4
total_inactive_anon 53248
total_active_anon 4096
total_inactive_file 98304
total_active_file 102400
total_unevictable 0
`;

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** A /proc with pid 123 in a network namespace of its own. */
async function fakeProc(root: string, cpuLine: string): Promise<string> {
  const proc = join(root, 'proc');
  await writeTree(proc, { stat: `${cpuLine}\ncpu0 1 2 3 4 5 6 7 8 9 10\n`, '123/stat': '123 (sleep 1) S 0 1 1', '123/net/dev': NET_DEV });
  await mkdir(join(proc, '123/ns'), { recursive: true });
  await mkdir(join(proc, 'self/ns'), { recursive: true });
  await symlink('net:[4026532000]', join(proc, '123/ns/net'));
  await symlink('net:[4026531840]', join(proc, 'self/ns/net'));
  return proc;
}

describe('readContainerStats on fake cgroup trees', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'moby-stats-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it("gives dockerd's exact v1 answer from the files it read", async () => {
    const root = join(dir, 'v1');
    const cg = join(root, 'cgroup');
    const path = `/docker/${SAMPLE_ID}`;
    await writeTree(cg, {
      [`cpuacct${path}/cpuacct.usage`]: '100195962\n',
      [`cpuacct${path}/cpuacct.usage_percpu`]: '82856830 17339132 \n',
      [`cpuacct${path}/cpuacct.stat`]: 'user 6\nsystem 3\n',
      [`cpu${path}/cpu.stat`]: 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n',
      [`memory${path}/memory.stat`]: MEMORY_STAT_V1,
      [`memory${path}/memory.usage_in_bytes`]: '536576\n',
      [`memory${path}/memory.max_usage_in_bytes`]: '4075520\n',
      [`memory${path}/memory.failcnt`]: '0\n',
      [`memory${path}/memory.limit_in_bytes`]: '9223372036854771712\n',
      [`pids${path}/pids.current`]: '1\n',
      [`pids${path}/pids.max`]: 'max\n',
      [`blkio${path}/cgroup.procs`]: '123\n',
      [`blkio${path}/blkio.throttle.io_service_bytes_recursive`]: 'Total 0\n',
      [`blkio${path}/blkio.throttle.io_serviced_recursive`]: 'Total 0\n',
    });
    const procRoot = await fakeProc(root, 'cpu  1000000 5 78874 0 0 0 0 99 0 0');
    const host: StatsHost = {
      cgroupRoot: cg,
      procRoot,
      cgroupVersion: '1',
      memTotal: 25276510208,
      onlineCpus: 2,
      now: () => '2026-11-23T16:51:26.352253498Z',
    };
    const expected = JSON.parse(DOCKER_V1_SAMPLE) as Obj;
    const previous = { read: expected.preread!, cpu_stats: expected.precpu_stats! };
    const stats = await readContainerStats({ id: SAMPLE_ID, name: 'sleeper', cgroupPath: path, pid: 123, previous, host });
    assert.equal(JSON.stringify(stats), JSON.stringify(expected));

    // The first sample: zero time and zero CPU for the previous one; pids limit when set.
    await writeFile(join(cg, `pids${path}/pids.max`), '50\n');
    const first = obj(await readContainerStats({ id: SAMPLE_ID, name: '/sleeper', cgroupPath: path, pid: 123, host }));
    assert.equal(first.preread, '0001-01-01T00:00:00Z');
    assert.equal(
      JSON.stringify(first.precpu_stats),
      '{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}}',
    );
    assert.deepEqual(first.pids_stats, { current: 1, limit: 50 });
    assert.equal(first.name, '/sleeper');
  });

  it("gives dockerd's v2 shape: no percpu or max_usage, only io_service_bytes_recursive, usec turned to ns", async () => {
    const root = join(dir, 'v2');
    const cg = join(root, 'cgroup');
    const path = '/moby/abc';
    await writeTree(cg, {
      [`${path}/cgroup.controllers`]: 'cpuset cpu io memory pids\n',
      [`${path}/cpu.stat`]:
        'usage_usec 2500\nuser_usec 1500\nsystem_usec 1000\nnr_periods 7\nnr_throttled 2\nthrottled_usec 30\nnr_bursts 0\nburst_usec 0\n',
      [`${path}/memory.current`]: '4194304\n',
      [`${path}/memory.max`]: 'max\n',
      [`${path}/memory.events`]: 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
      [`${path}/memory.stat`]: 'anon 1048576\nfile 2097152\ninactive_file 1048576\nworkingset_refault_anon 5\nshmem 4096\n',
      [`${path}/pids.current`]: '3\n',
      [`${path}/pids.max`]: 'max\n',
      [`${path}/io.stat`]: '254:0 rbytes=7593984 wbytes=100 rios=10 wios=1 dbytes=0 dios=0\n',
    });
    const procRoot = await fakeProc(root, 'cpu  100 0 100 0 0 0 0 0 0 0');
    const host: StatsHost = { cgroupRoot: cg, procRoot, cgroupVersion: '2', memTotal: 1 << 30, onlineCpus: 4, now: () => 'T' };
    const stats = obj(await readContainerStats({ id: 'abc', name: 'c', cgroupPath: path, host }));
    assert.deepEqual(Object.keys(stats), [
      'read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'name', 'id',
    ]);
    assert.deepEqual(stats.pids_stats, { current: 3 });
    assert.equal(
      JSON.stringify(stats.blkio_stats),
      '{"io_service_bytes_recursive":[{"major":254,"minor":0,"op":"read","value":7593984},{"major":254,"minor":0,"op":"write","value":100}],' +
        '"io_serviced_recursive":null,"io_queue_recursive":null,"io_service_time_recursive":null,"io_wait_time_recursive":null,' +
        '"io_merged_recursive":null,"io_time_recursive":null,"sectors_recursive":null}',
    );
    assert.equal(
      JSON.stringify(stats.cpu_stats),
      '{"cpu_usage":{"total_usage":2500000,"usage_in_kernelmode":1000000,"usage_in_usermode":1500000},"system_cpu_usage":2000000000,' +
        '"online_cpus":4,"throttling_data":{"periods":7,"throttled_periods":2,"throttled_time":30000}}',
    );
    const memory = obj(stats.memory_stats);
    assert.deepEqual(Object.keys(memory), ['usage', 'stats', 'limit']);
    assert.equal(memory.usage, 4194304);
    assert.equal(memory.limit, 1 << 30, 'unlimited reads as the host memory');
    const memStats = obj(memory.stats);
    assert.equal(Object.keys(memStats).length, 31);
    assert.deepEqual(Object.keys(memStats), [...Object.keys(memStats)].sort());
    assert.equal(memStats.inactive_file, 1048576);
    assert.equal(memStats.workingset_refault, 0);
    assert.equal(stats.networks, undefined, 'no pid, no network stats');

    await writeFile(join(cg, `${path}/memory.max`), '67108864\n');
    await writeFile(join(cg, `${path}/memory.events`), 'oom 2\n');
    await writeFile(join(cg, `${path}/pids.max`), '50\n');
    const limited = obj(await readContainerStats({ id: 'abc', name: 'c', cgroupPath: path, host }));
    assert.deepEqual(Object.keys(obj(limited.memory_stats)), ['usage', 'stats', 'failcnt', 'limit']);
    assert.equal(obj(limited.memory_stats).limit, 67108864);
    assert.deepEqual(limited.pids_stats, { current: 3, limit: 50 });
  });

  it('throws not-found when the cgroup or the init process is gone', async () => {
    const host: StatsHost = { cgroupRoot: join(dir, 'none'), procRoot: join(dir, 'none'), cgroupVersion: '1' };
    await assert.rejects(readContainerStats({ id: 'x', name: 'x', cgroupPath: '/moby/x', host }), (err) => isKind(err, 'not-found'));
    await assert.rejects(readContainerStats({ id: 'x', name: 'x', cgroupPath: '/moby/x', pid: 999, host }), (err) => isKind(err, 'not-found'));
  });
});

describe('statsStream', () => {
  let dir: string;
  let host: StatsHost;
  const path = '/moby/s';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moby-stats-stream-'));
    await writeTree(join(dir, 'cg'), { [`${path}/cgroup.controllers`]: 'cpu memory pids\n', [`${path}/cpu.stat`]: 'usage_usec 1\n' });
    let n = 0;
    host = { cgroupRoot: join(dir, 'cg'), procRoot: join(dir, 'proc'), cgroupVersion: '2', memTotal: 1, onlineCpus: 1, now: () => `t${++n}` };
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const collect = async (it: AsyncIterable<Json>, max = 10): Promise<Obj[]> => {
    const out: Obj[] = [];
    for await (const item of it) if (out.push(obj(item)) >= max) break;
    return out;
  };

  it('answers once, with precpu from a pre-sample, when not streaming; at once with one-shot', async () => {
    const [one, ...rest] = await collect(statsStream({ id: 's', name: 's', cgroupPath: path, host }, { stream: false, intervalMs: 5 }));
    assert.equal(rest.length, 0);
    assert.match(String(one!.preread), /^t\d+$/);
    assert.notEqual(one!.preread, one!.read);
    assert.equal(obj(obj(one!.precpu_stats).cpu_usage).total_usage, 1000);
    const [shot] = await collect(statsStream({ id: 's', name: 's', cgroupPath: path, host }, { stream: false, oneShot: true }));
    assert.equal(shot!.preread, '0001-01-01T00:00:00Z');
    await assert.rejects(collect(statsStream({ id: 's', name: 's', cgroupPath: path, host }, { stream: true, oneShot: true })), {
      message: 'cannot have stream=true and one-shot=true',
    });
  });

  it('streams until aborted, each sample carrying the previous one', async () => {
    const controller = new AbortController();
    const out: Obj[] = [];
    for await (const item of statsStream({ id: 's', name: 's', cgroupPath: path, host }, { signal: controller.signal, intervalMs: 5 })) {
      if (out.push(obj(item)) === 3) controller.abort();
    }
    assert.equal(out.length, 3);
    assert.equal(out[0]!.preread, '0001-01-01T00:00:00Z');
    assert.equal(out[1]!.preread, out[0]!.read);
    assert.equal(out[2]!.preread, out[1]!.read);
  });

  it("answers Docker's empty stats for a container that is gone", async () => {
    const items = await collect(statsStream({ id: 'g', name: 'gone', cgroupPath: '/moby/g', host }, { intervalMs: 5 }));
    assert.deepEqual(items, [emptyStats('g', 'gone')]);
    assert.equal(
      JSON.stringify(items[0]),
      '{"read":"0001-01-01T00:00:00Z","preread":"0001-01-01T00:00:00Z","pids_stats":{},"blkio_stats":{"io_service_bytes_recursive":null,' +
        '"io_serviced_recursive":null,"io_queue_recursive":null,"io_service_time_recursive":null,"io_wait_time_recursive":null,' +
        '"io_merged_recursive":null,"io_time_recursive":null,"sectors_recursive":null},"num_procs":0,"storage_stats":{},' +
        '"cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},' +
        '"precpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}},' +
        '"memory_stats":{},"name":"/gone","id":"g"}',
    );
  });
});

describe('stats parsers', () => {
  it('reads blkio lines with and without an op, skipping Total', () => {
    assert.deepEqual(parseBlkioV1('8:0 Read 4096\n8:0 Write 0\n8:16 77\nTotal 4096\n'), [
      { major: 8, minor: 0, op: 'Read', value: 4096 },
      { major: 8, minor: 0, op: 'Write', value: 0 },
      { major: 8, minor: 16, op: '', value: 77 },
    ]);
  });

  it('reads /proc/net/dev without lo, sorted by name', () => {
    const text = NET_DEV + '  eth1:  5 1 2 3 0 0 0 0  6 4 5 6 0 0 0 0\n';
    assert.deepEqual(Object.keys(parseNetDev(text)), ['eth0', 'eth1']);
    assert.deepEqual(parseNetDev(text).eth1, {
      rx_bytes: 5, rx_packets: 1, rx_errors: 2, rx_dropped: 3, tx_bytes: 6, tx_packets: 4, tx_errors: 5, tx_dropped: 6,
    });
    assert.deepEqual(parseNetDev(NET_DEV.replace(/ {2}eth0.*\n/, '')), {});
  });

  it('sums the first seven cpu fields of /proc/stat in nanoseconds', () => {
    assert.equal(parseSystemCpuUsage('cpu  22236 0 11036 75362 496 0 344 0 0 0\ncpu0 1 1 1 1 1 1 1\n'), 1094740000000);
  });

  it("formats times as Go's RFC3339Nano", () => {
    assert.equal(formatRfc3339Nano(1795452686352253498n), '2026-11-23T16:51:26.352253498Z');
    assert.equal(formatRfc3339Nano(1795452686350000000n), '2026-11-23T16:51:26.35Z');
    assert.equal(formatRfc3339Nano(1795452686000000000n), '2026-11-23T16:51:26Z');
  });
});

// ------------------------------------------------------------------ a real container

const RUNC = '/usr/sbin/runc';
const BUSYBOX = '/bin/busybox';
const runnable = process.getuid?.() === 0 && (await canAccess(RUNC)) && (await canAccess(BUSYBOX));

describe('stats of a busybox container run by runc', { skip: runnable ? false : 'needs root, runc and busybox', timeout: 60_000 }, () => {
  const suffix = randomBytes(4).toString('hex');
  const cgroupParent = `/moby-stats-test-${suffix}`;
  const id = `moby-stats-${suffix}`;
  let dir: string;
  let runcRoot: string;
  let pid = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moby-stats-runc-'));
    runcRoot = join(dir, 'runc-root');
    const rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    await copyFile(BUSYBOX, join(rootfs, 'bin/busybox'));
    for (const applet of ['sh', 'head', 'sleep']) await symlink('busybox', join(rootfs, 'bin', applet));
    // 16 MiB of tmpfs charged to the container, a busy loop for CPU time, and a sleep.
    const script = 'head -c 16777216 /dev/zero > /dev/shm/fill; while :; do :; done & exec sleep 1000';
    const spec = buildSpec({ config: { Env: ['PATH=/bin'] } }, { Cmd: ['sh', '-c', script] }, { id, rootfs, host: await probeHost(), cgroupParent });
    const bundle = join(dir, 'bundle');
    await writeBundle(bundle, spec);
    const pidFile = join(dir, 'init.pid');
    const result = await runDetached(runcRoot, ['run', '--detach', '--bundle', bundle, '--pid-file', pidFile, id], join(dir, 'runc.log'));
    assert.equal(result.code, 0, `runc run failed: ${result.stderr}`);
    pid = Number(await readFile(pidFile, 'utf8'));
  });

  after(async () => {
    if (runcRoot) await runc(runcRoot, ['delete', '--force', id]).catch(() => undefined);
    await removeCgroupParent(cgroupParent);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports memory, pids and growing CPU time from the cgroup', async () => {
    const target = { id, name: 'stats-test', cgroupPath: `${cgroupParent}/${id}`, pid };
    // Wait for the 16 MiB to be written.
    let first = obj(await readContainerStats(target));
    for (let i = 0; i < 50 && Number(obj(first.memory_stats).usage) < 16 << 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      first = obj(await readContainerStats(target));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = obj(await readContainerStats({ ...target, previous: first }));

    const memory = obj(second.memory_stats);
    assert.ok(Number(memory.usage) >= 16 << 20, `memory usage ${memory.usage}`);
    assert.ok(Number(memory.limit) > 0);
    assert.equal(typeof obj(memory.stats).total_inactive_file, 'number', 'the CLI subtracts total_inactive_file (v1)');
    assert.ok(Number(obj(second.pids_stats).current) >= 1);
    const cpu = obj(second.cpu_stats);
    const total = (s: Json | undefined) => Number(obj(obj(s).cpu_usage).total_usage);
    assert.ok(total(cpu) > total(first.cpu_stats), `cpu ${total(first.cpu_stats)} → ${total(cpu)}`);
    assert.ok(Number(cpu.system_cpu_usage) > Number(obj(first.cpu_stats).system_cpu_usage));
    assert.ok(Number(cpu.online_cpus) >= 1);
    assert.deepEqual(second.precpu_stats, first.cpu_stats);
    assert.equal(second.preread, first.read);
    assert.equal(second.name, '/stats-test');
    assert.equal(second.networks, undefined, 'a network namespace with only lo');
    assert.ok(Array.isArray(obj(second.blkio_stats).io_service_bytes_recursive));
  });

  it('streams samples a second apart with stream=false taking one pre-sample', async () => {
    const target = { id, name: 'stats-test', cgroupPath: `${cgroupParent}/${id}`, pid };
    const started = Date.now();
    const items: Obj[] = [];
    for await (const item of statsStream(target, { stream: false, intervalMs: 200 })) items.push(obj(item));
    assert.equal(items.length, 1);
    assert.ok(Date.now() - started >= 200);
    assert.ok(Number(obj(obj(items[0]!.precpu_stats).cpu_usage).total_usage) > 0);
  });

  it('ends the stream once the container is gone', async () => {
    const target = { id, name: 'stats-test', cgroupPath: `${cgroupParent}/${id}`, pid };
    const items: Obj[] = [];
    const started = Date.now();
    for await (const item of statsStream(target, { intervalMs: 100 })) {
      if (items.push(obj(item)) === 2) await runc(runcRoot, ['kill', id, 'KILL']);
      assert.ok(Date.now() - started < 10_000, 'the stream should have ended');
    }
    assert.ok(items.length >= 2);
    assert.ok(items.every((item) => item.read !== '0001-01-01T00:00:00Z'), 'no empty answer mid-stream');
  });
});

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runc(root: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(RUNC, ['--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
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
    return { code, stdout: '', stderr: await readFile(logPath, 'utf8') };
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
