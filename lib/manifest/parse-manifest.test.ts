import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from './parse-manifest.js';
import type { ServiceCatalog } from './manifest.js';
import { isKind } from '../errdefs/index.js';

const catalog: ServiceCatalog = {
  'component-init': { builtin: { requires: [], providedByInit: true } },
  'component-registry': { builtin: { requires: [], providedByInit: true } },
  'component-healthcheck': { builtin: { requires: ['component-registry', 'component-init'] } },
  'http-api-v1': { builtin: { requires: ['component-registry'] }, other: { requires: ['component-registry', 'image-store'] } },
  'image-store': { builtin: { requires: ['component-registry'] } },
};

const initBlock = `
  - name: init
    placement: inline
    services: [component-init, component-registry]`;

function refuses(yaml: string, pattern: RegExp) {
  assert.throws(
    () => parseManifest(yaml, catalog, 'm.yaml'),
    (err: Error) => {
      assert.ok(isKind(err, 'invalid-argument'), `kind of ${err.message}`);
      assert.match(err.message, /^m\.yaml: /);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('parseManifest', () => {
  it('accepts a valid manifest and orders components after what they require', () => {
    const m = parseManifest(
      `version: 1
components:
  - name: api
    services: [{name: http-api-v1, implementation: other}]
    requires: [component-registry, image-store]
${initBlock}
  - name: images
    services: [image-store]
    requires: [component-registry]
`,
      catalog,
    );
    assert.deepEqual(
      m.components.map((c) => c.name),
      ['init', 'images', 'api'],
    );
    assert.deepEqual(m.components[2]!.services, [{ name: 'http-api-v1', implementation: 'other' }]);
    assert.equal(m.components[1]!.placement, 'process');
  });

  it('refuses an unknown top-level key, naming it', () => {
    refuses(`version: 1\ncomponentz: []\ncomponents:${initBlock}\n`, /unknown key "componentz"/);
  });

  it('refuses an unknown key in a component, naming the component and the key', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n    restart: always\n`, /component "init": unknown key "restart"/);
  });

  it('refuses an unknown key in a service entry', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n  - name: api\n    services: [{name: http-api-v1, impl: x}]\n    requires: [component-registry]\n`, /unknown key "impl"/);
  });

  it('refuses a wrong version', () => {
    refuses(`version: 2\ncomponents:${initBlock}\n`, /version must be 1/);
  });

  it('refuses YAML that does not parse', () => {
    refuses(`version: 1\ncomponents: [\n`, /.+/);
  });

  it('refuses an unknown service, naming it', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n  - name: x\n    services: [teleport]\n`, /component "x": unknown service "teleport"/);
  });

  it('refuses an unknown implementation, naming it', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n  - name: x\n    services: [{name: image-store, implementation: nope}]\n    requires: [component-registry]\n`, /image-store has no implementation "nope"/);
  });

  it('refuses a service hosted twice, naming both components', () => {
    refuses(
      `version: 1\ncomponents:${initBlock}\n  - name: a\n    services: [image-store]\n    requires: [component-registry]\n  - name: b\n    services: [image-store]\n    requires: [component-registry]\n`,
      /service image-store is hosted twice: by component "a" and by component "b"/,
    );
  });

  it('refuses a component declared twice', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n  - name: init\n    services: [image-store]\n`, /component "init" is declared twice/);
  });

  it('refuses a requirement no component hosts', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n  - name: api\n    services: [http-api-v1]\n    requires: [component-registry, image-store]\n`, /component "api" requires image-store, which no component hosts/);
  });

  it('refuses an implementation whose own requirement is not declared', () => {
    refuses(
      `version: 1\ncomponents:${initBlock}\n  - name: images\n    services: [image-store]\n    requires: [component-registry]\n  - name: api\n    services: [{name: http-api-v1, implementation: other}]\n    requires: [component-registry]\n`,
      /component "api": service http-api-v1 \(other\) requires image-store/,
    );
  });

  it('refuses a cycle, naming its members in order', () => {
    const cyclic = { ...catalog, a: { builtin: { requires: [] } }, b: { builtin: { requires: [] } } };
    assert.throws(
      () =>
        parseManifest(
          `version: 1\ncomponents:${initBlock}\n  - name: ca\n    services: [a]\n    requires: [b]\n  - name: cb\n    services: [b]\n    requires: [a]\n`,
          cyclic,
          'm.yaml',
        ),
      /requirements form a cycle: ca -> cb -> ca/,
    );
  });

  it('refuses a manifest without component-init', () => {
    refuses(`version: 1\ncomponents:\n  - name: api\n    services: [image-store]\n`, /no component hosts component-init/);
  });

  it('refuses component-init outside an inline component', () => {
    refuses(`version: 1\ncomponents:\n  - name: init\n    services: [component-init, component-registry]\n`, /placement must be inline/);
  });

  it('refuses the registry apart from init', () => {
    refuses(
      `version: 1\ncomponents:\n  - name: init\n    placement: inline\n    services: [component-init]\n  - name: reg\n    services: [component-registry]\n`,
      /component-registry must be hosted by component "init"/,
    );
  });

  it('refuses a bad component name and a bad placement', () => {
    refuses(`version: 1\ncomponents:\n  - name: Bad_Name\n    services: [image-store]\n`, /name must match/);
    refuses(`version: 1\ncomponents:\n  - name: init\n    placement: thread\n    services: [component-init]\n`, /placement must be "process" or "inline"/);
  });

  it('refuses a command on an inline component', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n    command: [/bin/true]\n`, /inline component cannot have a command/);
  });

  it('refuses duplicate keys in YAML', () => {
    refuses(`version: 1\nversion: 1\ncomponents:${initBlock}\n`, /.+/);
  });
});

describe('parseManifest start order', () => {
  it('starts the init component first even when listed last', () => {
    const m = parseManifest(`version: 1\ncomponents:\n  - name: images\n    services: [image-store]\n    requires: [component-registry]\n${initBlock.slice(1)}\n`, catalog);
    assert.deepEqual(m.components.map((c) => c.name), ['init', 'images']);
  });

  it('refuses an init component that requires a service of another component', () => {
    refuses(`version: 1\ncomponents:${initBlock}\n    requires: [image-store]\n  - name: images\n    services: [image-store]\n    requires: [component-registry]\n`, /component "init" starts first, so it cannot require image-store/);
  });
});
