import { describe, test } from 'node:test';
import { gcCases } from './conformance-gc.js';
import type { CaseRegistrar, LayerStoreFixture } from './conformance-support.js';
import { unpackCases } from './conformance-unpack.js';

export type { LayerStoreFixture } from './conformance-support.js';

/**
 * The contract every `LayerStore` must keep, local or over gRPC, as node:test
 * tests. Each test gets a fresh, empty store from `make` and cleans it up,
 * pass or fail. Views are mounted on this host, so a remote store must run on
 * the same node (and these tests as root). Pass `root` in the fixture for the
 * on-disk checks.
 */
export function layerStoreConformance(name: string, make: () => Promise<LayerStoreFixture>): void {
  describe(`${name} (LayerStore conformance)`, () => {
    const it: CaseRegistrar = (title, body) =>
      test(title, async (t) => {
        const fixture = await make();
        t.after(() => fixture.cleanup());
        await body(fixture, t);
      });
    unpackCases(it);
    gcCases(it);
  });
}
