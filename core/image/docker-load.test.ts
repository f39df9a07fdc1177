import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { digestOf } from '../content/index.js';
import { parseImageConfig } from './image-config.js';
import { readImageArchive } from './read-image-archive.js';
import { busyboxLayer, collect, importedImage, memorySource, MemorySink, tempDir, textLayer } from './test-fixtures.js';
import { writeImageArchive } from './write-image-archive.js';

/**
 * Our archives against Debian's dockerd 20.10, started on private paths (its
 * own data root, exec root, socket; no bridge, no iptables). Opt-in, as it
 * starts a daemon: MOBY_TEST_DOCKERD=1.
 */
const run = promisify(execFile);
const enabled = process.env.MOBY_TEST_DOCKERD === '1' && existsSync('/usr/sbin/dockerd');

/** Starts dockerd and returns the docker CLI's environment for it; stops and removes everything after the test. */
async function startDockerd(t: TestContext): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'moby-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const daemon = spawn('/usr/sbin/dockerd', [
    '--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${socket}`, '--bridge', 'none', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  t.after(async () => {
    daemon.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  // dockerd says when its API is up; a daemon that exits first fails the test.
  const lines = createInterface({ input: daemon.stderr! });
  const log: string[] = [];
  for await (const line of lines) {
    log.push(line);
    if (line.includes('API listen on')) return { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'cli') };
  }
  throw new Error(`dockerd exited before serving:\n${log.slice(-10).join('\n')}`);
}

describe('docker load (dockerd 20.10)', { skip: enabled ? false : 'set MOBY_TEST_DOCKERD=1 to run against /usr/sbin/dockerd', timeout: 300_000 }, () => {
  it('loads what we save, keeps IDs, tags and parents, and saves what we read', async (t) => {
    const env = await startDockerd(t);
    const docker = async (...args: string[]) => (await run('docker', args, { env })).stdout.trim();
    const base = importedImage(await busyboxLayer());
    const extra = await textLayer('etc/extra', 'extra');
    const baseConfig = parseImageConfig(base.blobs.get(base.id)!);
    const childBytes = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', created: '2026-01-03T00:00:00Z',
      config: { Cmd: ['cat', '/etc/extra'] },
      rootfs: { type: 'layers', diff_ids: [base.diffId, digestOf(extra)] },
      history: [...baseConfig.history!, { created: '2026-01-03T00:00:00Z', created_by: 'add extra' }],
    }));
    const child = digestOf(childBytes);
    const blobs = new Map([...base.blobs, [child, childBytes], [digestOf(extra), extra]]);
    const dir = await tempDir(t);
    await writeFile(join(dir, 'ours.tar'), await collect((out) => writeImageArchive(
      [{ id: base.id, repoTags: ['busybox:tagged'] }, { id: child, repoTags: ['child:1'], parent: base.id }], memorySource(blobs), out)));

    const loaded = await docker('load', '-i', join(dir, 'ours.tar'));
    assert.deepEqual(loaded.split('\n').sort(), ['Loaded image: busybox:tagged', 'Loaded image: child:1']);
    assert.equal(await docker('image', 'inspect', '-f', '{{.Id}}', 'child:1'), child);
    assert.deepEqual((await docker('history', '-q', '--no-trunc', 'child:1')).split('\n'), [child, base.id]);

    await docker('save', '-o', join(dir, 'theirs.tar'), 'child:1', 'busybox:tagged');
    const sink = new MemorySink();
    const contents = await readImageArchive(createReadStream(join(dir, 'theirs.tar')), sink, { scratchDir: dir });
    const byId = new Map(contents.images.map((i) => [i.config.digest, i]));
    assert.deepEqual(byId.get(child)!.repoTags, ['docker.io/library/child:1']);
    assert.equal(byId.get(child)!.parent, base.id);
    assert.deepEqual(byId.get(base.id)!.repoTags, ['docker.io/library/busybox:tagged']);
    assert.ok(sink.blobs.get(digestOf(extra))!.equals(extra));
  });
});
