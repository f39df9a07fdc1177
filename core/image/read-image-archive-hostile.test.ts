import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { digestOf, type Digest } from '../content/index.js';
import { mediaTypes } from './oci.js';
import { readImageArchive } from './read-image-archive.js';
import { configFor, MemorySink, readInMemory, tarOf, tempDir, textLayer, type FixtureEntry } from './test-fixtures.js';

/**
 * Archives `docker load` must refuse. Each is refused with `invalid-argument`
 * (unless noted) and leaves nothing behind in the scratch directory
 * (`readInMemory` checks that).
 */
const hex = (d: Digest) => d.slice(7);
const refused = (message: RegExp, kind = 'invalid-argument') => ({ kind, message });

async function dockerArchive(opts: { manifest?: unknown; extra?: FixtureEntry[]; config?: Buffer; configName?: string } = {}) {
  const layer = await textLayer('f', 'x');
  const config = opts.config ?? configFor([digestOf(layer)]);
  const configName = opts.configName ?? `${hex(digestOf(config))}.json`;
  const manifest = opts.manifest ?? [{ Config: configName, RepoTags: ['a:1'], Layers: ['l/layer.tar'] }];
  return tarOf([
    { name: 'l/layer.tar', content: layer },
    { name: configName, content: config },
    ...(opts.extra ?? []),
    { name: 'manifest.json', content: typeof manifest === 'string' ? manifest : JSON.stringify(manifest) },
  ]);
}

async function ociArchive(mutate: (blobs: Map<string, Buffer>, index: { manifests: object[] }) => void, layout = '{"imageLayoutVersion":"1.0.0"}') {
  const layer = await textLayer('f', 'x');
  const config = configFor([digestOf(layer)]);
  const desc = (mediaType: string, blob: Buffer) => ({ mediaType, digest: digestOf(blob), size: blob.length });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: desc(mediaTypes.ociConfig, config), layers: [desc(mediaTypes.ociLayer, layer)] }));
  const blobs = new Map([layer, config, manifest].map((b) => [`blobs/sha256/${hex(digestOf(b))}`, b]));
  const index = { schemaVersion: 2, manifests: [desc(mediaTypes.ociManifest, manifest)] as object[] };
  mutate(blobs, index);
  return tarOf([
    { name: 'oci-layout', content: layout }, { name: 'index.json', content: JSON.stringify(index) },
    ...[...blobs].map(([name, content]) => ({ name, content })),
  ]);
}

describe('readImageArchive refuses hostile paths', () => {
  const cases: Array<[string, FixtureEntry, RegExp]> = [
    ['a ".." entry', { name: 'a/../../evil', content: 'x' }, /"a\/..\/..\/evil" has a ".." component/],
    ['an absolute entry', { name: '/etc/evil', content: 'x' }, /"\/etc\/evil" is an absolute path/],
    ['a symlink climbing out', { name: 'a/link', type: 'symlink', linkname: '../../etc/passwd' }, /symlink "a\/link" points at "..\/..\/etc\/passwd", outside the archive/],
    ['an absolute symlink', { name: 'link', type: 'symlink', linkname: '/etc/passwd' }, /points at the absolute path "\/etc\/passwd"/],
    ['a hard link out', { name: 'hard', type: 'link', linkname: '../x' }, /hard link target "..\/x" has a ".." component/],
  ];
  for (const [what, entry, message] of cases) {
    it(`refuses ${what}`, async (t) => {
      await assert.rejects(readInMemory(t, await dockerArchive({ extra: [entry] })), refused(message));
    });
  }

  it('refuses manifest.json paths with ".." or a leading "/"', async (t) => {
    const archive = await dockerArchive({ manifest: [{ Config: '../x.json', RepoTags: [], Layers: [] }] });
    await assert.rejects(readInMemory(t, archive), refused(/manifest.json Config "..\/x.json" has a ".." component/));
    const absolute = await dockerArchive({ manifest: [{ Config: 'c.json', RepoTags: [], Layers: ['/l/layer.tar'] }] });
    await assert.rejects(readInMemory(t, absolute), refused(/manifest.json layer "\/l\/layer.tar" is an absolute path/));
  });

  it('refuses an entry that appears twice', async (t) => {
    await assert.rejects(readInMemory(t, await dockerArchive({ extra: [{ name: 'l/layer.tar', content: 'again' }] })), refused(/"l\/layer.tar" appears more than once/));
  });

  it('refuses symlink loops and links to things that are not files', async (t) => {
    const loop = await dockerArchive({ configName: 'c.json', extra: [{ name: 'x.json', type: 'symlink', linkname: 'y.json' }, { name: 'y.json', type: 'symlink', linkname: 'x.json' }],
      manifest: [{ Config: 'x.json', RepoTags: [], Layers: ['l/layer.tar'] }] });
    await assert.rejects(readInMemory(t, loop), refused(/too many levels of links/));
    const fifo = await dockerArchive({ extra: [{ name: 'fifo', type: 'fifo' }], manifest: [{ Config: 'fifo', RepoTags: [], Layers: [] }] });
    await assert.rejects(readInMemory(t, fifo), refused(/"fifo" is not a regular file/));
  });
});

describe('readImageArchive refuses inconsistent docker-save archives', () => {
  it('refuses a manifest.json naming files the archive lacks', async (t) => {
    await assert.rejects(readInMemory(t, await dockerArchive({ manifest: [{ Config: 'nope.json', RepoTags: [], Layers: [] }] })),
      refused(/manifest.json names the config "nope.json", which is not in the archive/));
    const layer = await textLayer('f', 'x');
    const config = configFor([digestOf(layer)]);
    await assert.rejects(readInMemory(t, await dockerArchive({ manifest: [{ Config: `${hex(digestOf(config))}.json`, RepoTags: [], Layers: ['gone.tar'] }] })),
      refused(/names the layer "gone.tar", which is not in the archive/));
  });

  it('refuses a config whose sha256 is not its name', async (t) => {
    const archive = await dockerArchive({ configName: `${'0'.repeat(64)}.json` });
    await assert.rejects(readInMemory(t, archive), refused(/image config "0{64}.json" has digest sha256:[0-9a-f]{64}, which is not its name/));
  });

  it('refuses a layer count that differs from the config\'s diff IDs', async (t) => {
    const archive = await dockerArchive({ config: configFor([]), configName: 'c.json' });
    await assert.rejects(readInMemory(t, archive), refused(/invalid manifest, layers length mismatch: expected 1, got 0/));
  });

  it('refuses an uncompressed layer whose digest is not its diff ID', async (t) => {
    const archive = await dockerArchive({ config: configFor([`sha256:${'1'.repeat(64)}`]), configName: 'c.json' });
    await assert.rejects(readInMemory(t, archive), refused(/layer "l\/layer.tar" has digest sha256:\w+, which is not its diff ID sha256:1{64}/));
  });

  it('refuses malformed manifest.json, configs and tags', async (t) => {
    await assert.rejects(readInMemory(t, await dockerArchive({ manifest: '{' })), refused(/invalid manifest.json: not valid JSON/));
    await assert.rejects(readInMemory(t, await dockerArchive({ manifest: 'null' })), refused(/manifest cannot be null/));
    await assert.rejects(readInMemory(t, await dockerArchive({ config: Buffer.from('{"os":"linux"}'), configName: 'c.json' })),
      refused(/archive file "c.json": invalid image config: rootfs: missing/));
    const layer = await textLayer('f', 'x');
    const config = configFor([digestOf(layer)]);
    const digestTag = [{ Config: `${hex(digestOf(config))}.json`, RepoTags: [`a@sha256:${'1'.repeat(64)}`], Layers: ['l/layer.tar'] }];
    await assert.rejects(readInMemory(t, await dockerArchive({ manifest: digestTag })), refused(/invalid tag "a@sha256/));
  });

  it('refuses xz-compressed layers as not implemented', async (t) => {
    const xz = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]);
    const archive = await tarOf([
      { name: 'l.tar', content: xz }, { name: 'c.json', content: configFor([digestOf(xz)]) },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', RepoTags: [], Layers: ['l.tar'] }]) },
    ]);
    await assert.rejects(readInMemory(t, archive), refused(/layer "l.tar" is xz-compressed/, 'not-implemented'));
  });
});

describe('readImageArchive refuses broken OCI layouts', () => {
  it('refuses a blob whose content is not its digest', async (t) => {
    const archive = await ociArchive((blobs) => {
      const [name, blob] = [...blobs].find(([, b]) => b.toString().includes('"rootfs"'))!;
      blobs.set(name, Buffer.from(blob.toString().replace('amd64', 'arm64')));
    });
    await assert.rejects(readInMemory(t, archive), refused(/has digest sha256:\w+, not sha256:\w+ as the archive says/));
  });

  it('refuses a blob whose size is not the descriptor\'s, and a missing blob', async (t) => {
    const sized = await ociArchive((_, index) => { (index.manifests[0] as { size: number }).size += 1; });
    await assert.rejects(readInMemory(t, sized), refused(/bytes, but its descriptor says/));
    const missing = await ociArchive((blobs) => {
      const name = [...blobs.keys()].find((n) => blobs.get(n)!.length > 1000)!;
      blobs.delete(name);
    });
    await assert.rejects(readInMemory(t, missing), refused(/OCI layout is missing the blob blobs\/sha256\/\w+ \(application\/vnd.oci.image.layer.v1.tar\)/));
  });

  it('refuses an unknown layout version and a layout without index.json', async (t) => {
    await assert.rejects(readInMemory(t, await ociArchive(() => undefined, '{"imageLayoutVersion":"2.0.0"}')), refused(/unsupported OCI layout version "2.0.0"/));
    await assert.rejects(readInMemory(t, await tarOf([{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }])), refused(/OCI layout has no index.json/));
  });
});

describe('readImageArchive on failure', () => {
  it('releases its source when it stops reading early, compressed or not', async (t) => {
    const archive = await tarOf([{ name: '../evil', content: 'x' }, { name: 'padding', content: Buffer.alloc(300_000) }]);
    for (const bytes of [archive, gzipSync(archive)]) {
      let released = false;
      async function* source() {
        try {
          for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
        } finally {
          released = true;
        }
      }
      const scratchDir = await tempDir(t);
      await assert.rejects(readImageArchive(source(), new MemorySink(), { scratchDir }), refused(/has a ".." component/));
      assert.ok(released);
      assert.deepEqual(await readdir(scratchDir), []);
    }
  });
});

describe('readImageArchive refuses what is not an image archive', () => {
  it('refuses random bytes, an empty tar, a pre-1.10 archive and a truncated one', async (t) => {
    await assert.rejects(readInMemory(t, Buffer.alloc(4096, 0x30)), refused(/tar: header checksum mismatch/));
    await assert.rejects(readInMemory(t, await tarOf([])), refused(/not an image archive: it has neither manifest.json/));
    await assert.rejects(readInMemory(t, await tarOf([{ name: 'repositories', content: '{}' }])), refused(/archives from Docker before 1.10 are not supported/));
    const whole = await dockerArchive();
    await assert.rejects(readInMemory(t, whole.subarray(0, 1500)), refused(/tar: truncated stream/));
    await assert.rejects(readInMemory(t, gzipSync(whole).subarray(0, 100)), refused(/gzip|truncated/));
  });
});
