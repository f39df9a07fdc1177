import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { digestOf, type Digest } from '../content/index.js';
import { mediaTypes } from './oci.js';
import { readImageArchive } from './read-image-archive.js';
import { busyboxLayer, collect, importedImage, memorySource, MemorySink, tempDir } from './test-fixtures.js';
import { writeImageArchive } from './write-image-archive.js';

/**
 * Our archives against the tools people use on them: skopeo reads what we
 * write and writes what we read; umoci's OCI layouts read back. (A run
 * against Debian's dockerd 20.10 is in docker-load.test.ts.)
 */
const run = promisify(execFile);
const has = (tool: string) => ['/usr/bin', '/usr/local/bin', '/bin', '/usr/sbin'].some((dir) => existsSync(join(dir, tool)));
const skopeo = has('skopeo') ? false : 'skopeo is not installed';
const umoci = has('umoci') ? false : 'umoci is not installed';

let image: ReturnType<typeof importedImage>;
before(async () => { image = importedImage(await busyboxLayer(), ['CMD ["sh"]', 'ENV PATH=/bin']); });

async function savedArchive(t: TestContext): Promise<{ dir: string; file: string }> {
  const dir = await tempDir(t);
  const file = join(dir, 'saved.tar');
  await writeFile(file, await collect((out) => writeImageArchive([{ id: image.id, repoTags: ['busybox:tagged'] }], memorySource(image.blobs), out)));
  return { dir, file };
}

async function readFileArchive(t: TestContext, file: string) {
  const sink = new MemorySink();
  const contents = await readImageArchive(createReadStream(file), sink, { scratchDir: await tempDir(t) });
  return { contents, sink };
}

/** Tars a directory the way users do (`tar -C dir -cf out .`), so names start with `./`. */
async function tarDirectory(dir: string, out: string): Promise<void> {
  await run('tar', ['-C', dir, '-cf', out, '.']);
}

describe('skopeo and our archives', { skip: skopeo }, () => {
  it('skopeo inspects our archive by name: config digest and layers', async (t) => {
    const { file } = await savedArchive(t);
    const { stdout } = await run('skopeo', ['inspect', '--raw', `docker-archive:${file}:busybox:tagged`]);
    const manifest = JSON.parse(stdout);
    assert.equal(manifest.config.digest, image.id);
    assert.deepEqual(manifest.layers.map((l: { digest: string }) => l.digest), [image.diffId]);
    const config = await run('skopeo', ['inspect', '--config', '--raw', `docker-archive:${file}`], { encoding: 'buffer' });
    assert.ok(config.stdout.equals(image.blobs.get(image.id)!));
    await assert.rejects(run('skopeo', ['inspect', '--raw', `docker-archive:${file}:busybox:other`]), /not found/);
  });

  it('skopeo copies our archive to an OCI layout, which we read back', async (t) => {
    const { dir, file } = await savedArchive(t);
    const layout = join(dir, 'layout');
    await run('skopeo', ['copy', '--quiet', `docker-archive:${file}`, `oci:${layout}:mytag`]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'mytag');
    await tarDirectory(layout, join(dir, 'layout.tar'));
    const { contents, sink } = await readFileArchive(t, join(dir, 'layout.tar'));
    assert.equal(contents.format, 'oci');
    assert.deepEqual(contents.images[0]!.refNames, ['mytag']);
    assert.deepEqual(contents.images[0]!.layers.map((l) => l.diffId), [image.diffId]);
    assert.ok(sink.blobs.has(contents.images[0]!.manifest!.digest));
  });

  it('we read the docker-archive skopeo writes', async (t) => {
    const { dir, file } = await savedArchive(t);
    const layout = join(dir, 'layout');
    const archive = join(dir, 'from-skopeo.tar');
    await run('skopeo', ['copy', '--quiet', `docker-archive:${file}`, `oci:${layout}:t`]);
    await run('skopeo', ['copy', '--quiet', `oci:${layout}:t`, `docker-archive:${archive}:skopeo/made:v1`]);
    const { contents, sink } = await readFileArchive(t, archive);
    assert.equal(contents.format, 'docker');
    const [read] = contents.images;
    assert.deepEqual(read!.repoTags, ['docker.io/skopeo/made:v1']);
    assert.deepEqual(read!.layers, [{ digest: image.diffId, size: image.blobs.get(image.diffId)!.length, mediaType: mediaTypes.dockerLayer, diffId: image.diffId }]);
    const config = JSON.parse(sink.blobs.get(read!.config.digest)!.toString());
    assert.deepEqual(config.config.Env, ['PATH=/bin']);
  });
});

describe('umoci layouts', { skip: umoci }, () => {
  it('we read an OCI layout umoci built, tarred up', async (t) => {
    const dir = await tempDir(t);
    const layout = join(dir, 'layout');
    await writeFile(join(dir, 'hello.txt'), 'hello\n');
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', `${layout}:t1`]);
    await run('umoci', ['insert', '--image', `${layout}:t1`, join(dir, 'hello.txt'), '/hello.txt']);
    await run('umoci', ['config', '--image', `${layout}:t1`, '--config.cmd', 'sh']);
    await tarDirectory(layout, join(dir, 'layout.tar'));
    const { contents, sink } = await readFileArchive(t, join(dir, 'layout.tar'));
    const [read] = contents.images;
    assert.equal(contents.images.length, 1);
    assert.deepEqual(read!.refNames, ['t1']);
    assert.equal(read!.layers.length, 1);
    assert.equal(read!.layers[0]!.mediaType, mediaTypes.ociLayerGzip);
    const config = JSON.parse(sink.blobs.get(read!.config.digest)!.toString());
    assert.deepEqual(config.config.Cmd, ['sh']);
    assert.equal(digestOf(sink.blobs.get(read!.layers[0]!.digest)!), read!.layers[0]!.digest as Digest);
  });
});
