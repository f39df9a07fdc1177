import { test } from 'node:test';
import type { ContentStore } from './content-store.js';
import { dedupeCases } from './conformance-dedupe.js';
import { ingestCases } from './conformance-ingest.js';
import { readCases } from './conformance-read.js';
import type { CaseRegistrar } from './conformance-support.js';
import { writeCases } from './conformance-write.js';

export { rejectsWithKind } from './conformance-support.js';

export interface ContentStoreFixture {
  store: ContentStore;
  cleanup(): Promise<void>;
}

/**
 * The contract every `ContentStore` must keep, as node:test tests named
 * `<name>: …`. Each test gets a fresh store from `makeStore` and cleans it up,
 * pass or fail.
 */
export function contentStoreConformance(name: string, makeStore: () => Promise<ContentStoreFixture>): void {
  const it: CaseRegistrar = (title, body) =>
    test(`${name}: ${title}`, async (t) => {
      const fixture = await makeStore();
      t.after(() => fixture.cleanup());
      await body(fixture.store);
    });
  writeCases(it);
  dedupeCases(it);
  ingestCases(it);
  readCases(it);
}
