import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageConfig } from './image-config.js';
import { legacyLayers } from './legacy-v1.js';
import { dockerSaveLegacy } from './testdata/docker-save-legacy.js';

/** Configs and the v1 directories dockerd 20.10 wrote for them in a `docker save`. */
const golden = dockerSaveLegacy;

describe('legacyLayers', () => {
  for (const [i, image] of golden.images.entries()) {
    it(`gives the v1 IDs and json files dockerd wrote (image ${i + 1}, ${image.legacy.length} layers)`, () => {
      const layers = legacyLayers(parseImageConfig(image.config));
      assert.deepEqual(layers.map((l) => ({ id: l.id, json: l.json.toString() })), image.legacy);
    });
  }

  it('chains each directory to the one below and stubs all but the top', () => {
    const diffIds = ['1', '2', '3'].map((c) => `sha256:${c.repeat(64)}`);
    const layers = legacyLayers(parseImageConfig(JSON.stringify({ os: 'linux', comment: 'top', rootfs: { type: 'layers', diff_ids: diffIds } })));
    const files = layers.map((l) => JSON.parse(l.json.toString()));
    assert.deepEqual(files.map((f) => f.parent), [undefined, layers[0]!.id, layers[1]!.id]);
    assert.deepEqual(files.map((f) => f.created), ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00Z', null]);
    assert.deepEqual(files.map((f) => f.comment), [undefined, undefined, 'top']);
    assert.equal(new Set(layers.map((l) => l.id)).size, 3);
  });
});
