import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyOf } from './history.js';
import type { ImageConfig } from './image-config.js';

const id = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const layers = (n: number) => ({ type: 'layers', diff_ids: Array.from({ length: n }, (_, i) => id(i + 1) as `sha256:${string}`) });

describe('historyOf', () => {
  it('gives an imported image one item with its ID and tags, as dockerd 20.10 answered', () => {
    const config: ImageConfig = {
      rootfs: layers(1),
      history: [{ created: '2026-11-23T16:38:10.585414113Z', comment: 'Imported from -' }],
    };
    const items = historyOf(config, { image: { id: id(9), tags: ['busybox:local', 'busybox:tagged'] }, layerSizes: [1984230] });
    assert.deepEqual(items, [{ Comment: 'Imported from -', Created: 1795451890, CreatedBy: '', Id: id(9), Size: 1984230, Tags: ['busybox:local', 'busybox:tagged'] }]);
    assert.deepEqual(Object.keys(items[0]!), ['Comment', 'Created', 'CreatedBy', 'Id', 'Size', 'Tags']);
  });

  it('lists newest first, sizes non-empty entries by their layer and marks ancestors <missing>', () => {
    const config: ImageConfig = {
      rootfs: layers(2),
      history: [
        { created: '1970-01-01T00:00:10Z', created_by: 'ADD x' },
        { created: '1970-01-01T00:00:20Z', created_by: 'ENV A=1', empty_layer: true },
        { created: '1970-01-01T00:00:30Z', created_by: 'RUN y' },
      ],
    };
    const items = historyOf(config, { image: { id: id(9), tags: [] }, layerSizes: [100, 7] });
    assert.deepEqual(items.map((i) => [i.Id, i.CreatedBy, i.Size, i.Created, i.Tags]), [
      [id(9), 'RUN y', 7, 30, null],
      ['<missing>', 'ENV A=1', 0, 20, null],
      ['<missing>', 'ADD x', 100, 10, null],
    ]);
  });

  it('names local parents down the chain, as for committed images', () => {
    const config: ImageConfig = { rootfs: layers(2), history: [{ comment: 'Imported from -' }, { created_by: 'sh -c echo x > /f' }] };
    const items = historyOf(config, { image: { id: id(8), tags: ['multi:1'] }, layerSizes: [1982284, 2], parents: [{ id: id(7), tags: ['busybox:tagged'] }] });
    assert.deepEqual(items.map((i) => [i.Id, i.Tags, i.Size, i.Created]), [[id(8), ['multi:1'], 2, 0], [id(7), ['busybox:tagged'], 1982284, 0]]);
  });

  it('refuses more non-empty history entries than layers, and gives [] without history', () => {
    const config: ImageConfig = { rootfs: layers(1), history: [{}, {}] };
    assert.throws(() => historyOf(config, { image: { id: id(9), tags: [] }, layerSizes: [1] }), {
      kind: 'failed-precondition', message: 'too many non-empty layers in History section',
    });
    assert.deepEqual(historyOf({ rootfs: layers(1) }, { image: { id: id(9), tags: [] }, layerSizes: [1] }), []);
  });
});
