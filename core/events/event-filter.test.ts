import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchEvent, type EventFilters } from './event-filter.js';
import { stamp, type EventMessage } from './event-message.js';

const at = 1_700_000_000_000_000_000n;
const event = (type: string, action: string, id: string, attributes: Record<string, string> = {}, scope = 'local'): EventMessage =>
  stamp({ type, action, actor: { id, attributes }, scope }, at);

const webStart = event('container', 'start', '63fe1a2b3c', { image: 'busybox:local', name: 'web', 'com.example.tier': 'front' });
const execStart = event('container', 'exec_start: sh -c ls', '63fe1a2b3c', { name: 'web' });
const imageTag = event('image', 'tag', 'sha256:668ffeff', { name: 'docker.io/library/busybox:1.36' });
const netConnect = event('network', 'connect', '8a13187c', { container: '63fe1a2b3c', name: 'bridge', type: 'bridge' });
const volCreate = event('volume', 'create', 'evvol', { driver: 'local' });
const swarmNode = event('node', 'update', 'node1', { name: 'worker-1' }, 'swarm');

function keep(filters: EventFilters, events: EventMessage[] = [webStart, execStart, imageTag, netConnect, volCreate, swarmNode]): string[] {
  return events.filter((e) => matchEvent(e, filters)).map((e) => `${e.type} ${e.action}`);
}

describe('matchEvent', () => {
  it('keeps everything without filters, and with a filter name given no values', () => {
    assert.equal(keep({}).length, 6);
    assert.equal(keep({ type: [] }).length, 6);
  });

  it('type: exact, any of the values', () => {
    assert.deepEqual(keep({ type: ['image', 'volume'] }), ['image tag', 'volume create']);
    assert.deepEqual(keep({ type: ['contain'] }), []);
  });

  it('event: exact on the action', () => {
    assert.deepEqual(keep({ event: ['start', 'create'] }), ['container start', 'volume create']);
    assert.deepEqual(keep({ event: ['exec_start: sh -c ls'] }), ['container exec_start: sh -c ls']);
    assert.deepEqual(keep({ event: ['exec'] }), []);
  });

  it('event: by prefix when exec_start, exec_create or health_status is among the values', () => {
    assert.deepEqual(keep({ event: ['exec_start'] }), ['container exec_start: sh -c ls']);
    const health = event('container', 'health_status: healthy', 'c1');
    assert.equal(matchEvent(health, { event: ['health_status'] }), true);
    assert.equal(matchEvent(health, { event: ['health_status: unhealthy'] }), false);
  });

  it('event: component-health matches both component health actions by prefix, component-die only itself', () => {
    const unhealthy = event('daemon', 'component-health: unhealthy', 'images', { name: 'images' });
    const die = event('daemon', 'component-die', 'images', { name: 'images' });
    assert.equal(matchEvent(unhealthy, { event: ['component-health'] }), true);
    assert.equal(matchEvent(unhealthy, { event: ['component-health: healthy'] }), false);
    assert.equal(matchEvent(die, { event: ['component-health'] }), false);
    assert.equal(matchEvent(die, { event: ['component-die'] }), true);
    assert.equal(matchEvent(die, { event: ['component'] }), false);
  });

  it('container: by ID prefix or name, leaving out the events of other types', () => {
    assert.deepEqual(keep({ container: ['63fe'] }), ['container start', 'container exec_start: sh -c ls']);
    assert.deepEqual(keep({ container: ['web'] }), ['container start', 'container exec_start: sh -c ls']);
    assert.deepEqual(keep({ container: ['db'] }), []);
  });

  it('network, volume, node: the same rule on their own names', () => {
    assert.deepEqual(keep({ network: ['bridge'] }), ['network connect']);
    assert.deepEqual(keep({ network: ['8a13'] }), ['network connect']);
    assert.deepEqual(keep({ volume: ['evvol'] }), ['volume create']);
    assert.deepEqual(keep({ node: ['worker'] }), ['node update']);
  });

  it('plugin, daemon, service, secret, config: by ID prefix or name', () => {
    for (const type of ['plugin', 'daemon', 'service', 'secret', 'config']) {
      const e = event(type, 'create', `${type}-id-1`, { name: `my-${type}` });
      assert.equal(matchEvent(e, { [type]: [`${type}-id`] }), true, type);
      assert.equal(matchEvent(e, { [type]: [`my-${type}`] }), true, type);
      assert.equal(matchEvent(e, { [type]: ['other'] }), false, type);
    }
  });

  it('image: the image ID or name, with or without its tag; containers by the image they run', () => {
    assert.deepEqual(keep({ image: ['busybox'] }), ['container start', 'image tag']);
    assert.deepEqual(keep({ image: ['busybox:local'] }), ['container start']);
    assert.deepEqual(keep({ image: ['docker.io/library/busybox:1.36'] }), ['image tag']);
    assert.deepEqual(keep({ image: ['sha256:668ffeff'] }), ['image tag']);
    assert.deepEqual(keep({ image: ['busy'] }), []);
  });

  it('label: every key or key=value given must be among the attributes', () => {
    assert.deepEqual(keep({ label: ['com.example.tier'] }), ['container start']);
    assert.deepEqual(keep({ label: ['com.example.tier=front'] }), ['container start']);
    assert.deepEqual(keep({ label: ['com.example.tier=back'] }), []);
    assert.deepEqual(keep({ label: ['com.example.tier', 'name=web'] }), ['container start']);
    assert.deepEqual(keep({ label: ['com.example.tier', 'missing'] }), []);
    assert.equal(matchEvent(event('container', 'start', 'c', {}), { label: ['x'] }), false);
  });

  it('scope: exact', () => {
    assert.deepEqual(keep({ scope: ['swarm'] }), ['node update']);
    assert.equal(keep({ scope: ['local'] }).length, 5);
  });

  it('several filter names must all match', () => {
    assert.deepEqual(keep({ type: ['container'], event: ['start'], container: ['web'] }), ['container start']);
    assert.deepEqual(keep({ type: ['image'], container: ['web'] }), []);
  });

  it('ignores filter names it does not know, as moby does', () => {
    assert.equal(keep({ nonsense: ['x'] }).length, 6);
  });
});
