/**
 * End to end: images through the real docker CLI, skopeo and Debian's dockerd, against
 * `moby daemon` with its real components.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { tarOf } from '../core/archive/tar-fixture.js';
import { startReferenceDockerd } from '../bench/lib/reference-dockerd.js';
import { writeBusyboxRootfs } from './support/busybox-rootfs.js';
import { docker } from './support/docker-cli.js';
import { engineRequest } from './support/engine-http.js';
import { startEngine, type TestEngine } from './support/engine.js';

const run = promisify(execFile);

/** Files under a folder, recursively (empty when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function ok(engine: TestEngine, args: string[]): Promise<string> {
  const r = await docker(engine.dockerEnv, args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('images through the docker CLI', () => {
  let engine: TestEngine;
  let dir: string;
  let rootfs: string;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    dir = await mkdtemp('/tmp/mci-');
    rootfs = await writeBusyboxRootfs(join(dir, 'rootfs.tar'));
    engine = await startEngine({ after: (fn) => cleanups.push(fn) });
  });
  after(async () => {
    for (const fn of cleanups) await fn();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a rootfs with changes, lists, inspects, tags, shows history and untags', async () => {
    const id = (await ok(engine, ['import', '-c', 'CMD ["sh"]', '-c', 'ENV FOO=bar', '-m', 'first', rootfs, 'busybox:test'])).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const listed = await ok(engine, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    assert.match(listed, new RegExp(`^busybox:test ${id.slice(7, 19)}$`, 'm'));
    const [inspect] = JSON.parse(await ok(engine, ['image', 'inspect', 'busybox:test']));
    assert.equal(inspect.Id, id);
    assert.deepEqual(inspect.RepoTags, ['busybox:test']);
    assert.deepEqual(inspect.Config.Cmd, ['sh']);
    assert.ok(inspect.Config.Env.includes('FOO=bar'));
    assert.equal(inspect.Comment, 'first');
    assert.equal(inspect.RootFS.Layers.length, 1);
    assert.equal(inspect.Os, 'linux');
    await ok(engine, ['tag', 'busybox:test', '127.0.0.1:5055/bb:v1']);
    assert.match(await ok(engine, ['images', '--format', '{{.Repository}}:{{.Tag}}']), /^127\.0\.0\.1:5055\/bb:v1$/m);
    const history = await ok(engine, ['history', '--format', '{{.ID}} {{.CreatedBy}} {{.Comment}}', 'busybox:test']);
    assert.match(history, new RegExp(`^${id.slice(7, 19)} .* first$`, 'm'));
    assert.match(await ok(engine, ['rmi', '127.0.0.1:5055/bb:v1']), /Untagged: 127\.0\.0\.1:5055\/bb:v1/);
    assert.equal((await ok(engine, ['images', '-q', 'busybox:test'])).trim(), id.slice(7, 19));
  });

  it('saves and loads back with identical IDs, and skopeo reads what we save', async () => {
    const id = (await ok(engine, ['image', 'inspect', '--format', '{{.Id}}', 'busybox:test'])).trim();
    const saved = join(dir, 'saved.tar');
    await ok(engine, ['save', '-o', saved, 'busybox:test']);
    const { stdout } = await run('skopeo', ['inspect', '--raw', `docker-archive:${saved}`]);
    assert.equal(JSON.parse(stdout).config.digest, id);
    assert.match(await ok(engine, ['rmi', 'busybox:test']), /Untagged: busybox:test/);
    assert.equal((await ok(engine, ['images', '-q'])).trim(), '');
    assert.match(await ok(engine, ['load', '-i', saved]), /Loaded image: busybox:test/);
    assert.equal((await ok(engine, ['image', 'inspect', '--format', '{{.Id}}', 'busybox:test'])).trim(), id);
    // a second save of the loaded image is byte-identical
    const again = join(dir, 'saved-again.tar');
    await ok(engine, ['save', '-o', again, 'busybox:test']);
    assert.ok((await readFile(saved)).equals(await readFile(again)), 'save → load → save is byte-identical');
  });

  it('loads a tarball written by skopeo', async () => {
    const saved = join(dir, 'saved.tar');
    const bySkopeo = join(dir, 'skopeo.tar');
    await run('skopeo', ['copy', `docker-archive:${saved}`, `docker-archive:${bySkopeo}:sk/busybox:1`]);
    assert.match(await ok(engine, ['load', '-i', bySkopeo]), /Loaded image: sk\/busybox:1/);
    const id = (await ok(engine, ['image', 'inspect', '--format', '{{.Id}}', 'sk/busybox:1'])).trim();
    assert.equal(id, (await ok(engine, ['image', 'inspect', '--format', '{{.Id}}', 'busybox:test'])).trim());
  });

  it('loads an OCI image layout tarball', async () => {
    const saved = join(dir, 'saved.tar');
    const oci = join(dir, 'oci.tar');
    await run('skopeo', ['copy', `docker-archive:${saved}`, `oci-archive:${oci}:oci/busybox:2`]);
    assert.match(await ok(engine, ['load', '-i', oci]), /Loaded image: oci\/busybox:2/);
    const [inspect] = JSON.parse(await ok(engine, ['image', 'inspect', 'oci/busybox:2']));
    // skopeo rewrites the config into OCI form, so the ID is that of skopeo's config blob.
    const { stdout } = await run('skopeo', ['inspect', '--raw', `oci-archive:${oci}`]);
    assert.equal(inspect.Id, JSON.parse(stdout).config.digest);
    assert.deepEqual(inspect.Config.Cmd, ['sh']);
    await ok(engine, ['rmi', 'oci/busybox:2']);
  });

  it('exchanges tarballs with Debian dockerd both ways, keeping image IDs', async (t) => {
    const ref = await startReferenceDockerd();
    t.after(() => ref.stop());
    const refEnv = { ...process.env, DOCKER_HOST: ref.host, DOCKER_CONFIG: join(dir, 'ref-config') };
    const imported = await docker(refEnv, ['import', rootfs, 'refbox:1']);
    assert.equal(imported.code, 0, imported.stderr);
    const fromDockerd = join(dir, 'dockerd.tar');
    assert.equal((await docker(refEnv, ['save', '-o', fromDockerd, 'refbox:1'])).code, 0);
    assert.match(await ok(engine, ['load', '-i', fromDockerd]), /Loaded image: refbox:1/);
    assert.equal((await ok(engine, ['image', 'inspect', '--format', '{{.Id}}', 'refbox:1'])).trim(), imported.stdout.trim());
    const ours = join(dir, 'ours.tar');
    await ok(engine, ['save', '-o', ours, 'busybox:test']);
    const loaded = await docker(refEnv, ['load', '-i', ours]);
    assert.equal(loaded.code, 0, loaded.stderr);
    const refId = await docker(refEnv, ['image', 'inspect', '--format', '{{.Id}}', 'busybox:test']);
    assert.equal(refId.stdout.trim(), (await ok(engine, ['image', 'inspect', '--format', '{{.Id}}', 'busybox:test'])).trim());
  });

  it('refuses hostile or broken input with a 4xx, lists no half-image, and stays up', async () => {
    const before = await ok(engine, ['images', '-q', '-a']);
    const escape = await tarOf([{ name: '../escape', content: 'x' }]);
    const cases: [string, string, Buffer, string][] = [
      ['import of a layer climbing out', '/images/create?fromSrc=-&repo=evil:1', escape, 'text/plain'],
      [
        'import writing through an absolute symlink',
        '/images/create?fromSrc=-&repo=evil:5',
        await tarOf([
          { name: 'evil', type: 'symlink', linkname: '/' },
          { name: 'evil/tmp/pwned', content: 'x' },
        ]),
        'text/plain',
      ],
      ['import of a hardlink to a path outside', '/images/create?fromSrc=-&repo=evil:6', await tarOf([{ name: 'link', type: 'link', linkname: '../../../etc/passwd' }]), 'text/plain'],
      ['import of a truncated gzip', '/images/create?fromSrc=-&repo=evil:2', gzipSync(await tarOf([{ name: 'a', content: 'x'.repeat(5000) }])).subarray(0, 60), 'text/plain'],
      ['load of a tarball with a ../ entry', '/images/load?quiet=1', await tarOf([{ name: '../manifest.json', content: '[]' }]), 'application/x-tar'],
      [
        'load whose config does not match its digest',
        '/images/load?quiet=1',
        await tarOf([
          { name: `${'a'.repeat(64)}.json`, content: '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' },
          { name: 'manifest.json', content: JSON.stringify([{ Config: `${'a'.repeat(64)}.json`, RepoTags: ['evil:3'], Layers: [] }]) },
        ]),
        'application/x-tar',
      ],
      [
        'load whose manifest names a missing blob',
        '/images/load?quiet=1',
        await tarOf([{ name: 'manifest.json', content: JSON.stringify([{ Config: `${'b'.repeat(64)}.json`, RepoTags: ['evil:4'], Layers: ['x/layer.tar'] }]) }]),
        'application/x-tar',
      ],
    ];
    for (const [what, path, body, type] of cases) {
      const r = await engineRequest(engine.dockerSocket, 'POST', path, body, { 'Content-Type': type });
      assert.ok(r.status >= 400 && r.status < 500, `${what}: status ${r.status} ${r.body}`);
      assert.match(JSON.parse(r.body).message, /\S/, what);
    }
    assert.equal(await ok(engine, ['images', '-q', '-a']), before);
    assert.equal(existsSync('/tmp/pwned'), false, 'nothing was written outside the snapshot');
    assert.equal((await engineRequest(engine.dockerSocket, 'GET', '/_ping')).body, 'OK');
  });

  it('removes everything with rmi and prune, and garbage collection leaves no blob and no snapshot', async () => {
    await ok(engine, ['import', rootfs, 'dangling:1']);
    await ok(engine, ['import', rootfs, 'dangling:1']); // the second import leaves the first dangling
    const pruned = await ok(engine, ['image', 'prune', '-f']);
    assert.match(pruned, /Total reclaimed space/);
    for (const id of (await ok(engine, ['images', '-q', '-a'])).trim().split('\n').filter(Boolean)) {
      await ok(engine, ['rmi', '-f', id]);
    }
    assert.match(await ok(engine, ['image', 'prune', '-a', '-f']), /Total reclaimed space/);
    assert.equal((await ok(engine, ['images', '-q', '-a'])).trim(), '');
    const layers = join(engine.dataRoot, 'layers');
    assert.deepEqual(filesUnder(join(layers, 'content', 'blobs')), []);
    assert.deepEqual(existsSync(join(layers, 'snapshots')) ? readdirSync(join(layers, 'snapshots')).filter((d) => /^\d+$/.test(d)) : [], []);
  });
});

describe('images after a crash', () => {
  it('shows no partial image or blob after the image component is killed mid-load, and the same load then succeeds', async (t) => {
    const engine = await startEngine(t);
    const dir = await mkdtemp('/tmp/mck-');
    t.after(() => rm(dir, { recursive: true, force: true }));
    // An image with a large random layer, so the load is still streaming when the kill comes.
    const { randomBytes } = await import('node:crypto');
    const rootfs = await writeBusyboxRootfs(join(dir, 'rootfs.tar'), [{ name: 'data/blob', content: randomBytes(24 << 20) }]);
    await ok(engine, ['import', rootfs, 'big:1']);
    const archive = join(dir, 'big.tar');
    await ok(engine, ['save', '-o', archive, 'big:1']);
    await ok(engine, ['rmi', 'big:1']);
    await ok(engine, ['image', 'prune', '-a', '-f']);
    const bytes = await readFile(archive);

    const images = (await engine.components()).find((c) => c.services.includes('image-store'))!;
    let sent = 0;
    let killed = false;
    async function* slowly() {
      for (let i = 0; i < bytes.length; i += 1 << 20) {
        yield bytes.subarray(i, i + (1 << 20));
        sent = i;
        if (!killed && sent > bytes.length / 2) {
          killed = true;
          process.kill(images.pid, 'SIGKILL');
          await new Promise((r) => setTimeout(r, 200)); // let the kill land before more bytes go
        }
      }
    }
    const r = await engineRequest(engine.dockerSocket, 'POST', '/images/load?quiet=1', slowly(), { 'Content-Type': 'application/x-tar' }).catch((err: Error) => ({
      status: 0,
      body: err.message,
      headers: {},
    }));
    assert.ok(killed);
    assert.ok(r.status === 0 || r.status >= 400 || /error/.test(r.body), `the interrupted load failed: ${r.status} ${r.body}`);
    const { waitUntil } = await import('./support/wait.js');
    const { State } = await import('../api/moby/component_registry/v1/component_registry.js');
    await waitUntil(async () => (await engine.components()).find((c) => c.name === images.name)!.state === State.STATE_RUNNING, {
      timeoutMs: 10_000,
      what: 'the image component back',
    });
    assert.equal((await ok(engine, ['images', '-q', '-a'])).trim(), '');
    assert.deepEqual(filesUnder(join(engine.dataRoot, 'layers', 'content', 'blobs')), [], 'no blob of the interrupted load is visible');
    assert.match(await ok(engine, ['load', '-i', archive]), /Loaded image: big:1/);
  });
});
