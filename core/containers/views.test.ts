import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { completeContainerConfig } from '../image/container-config.js';
import { goJson } from '../image/go-json.js';
import {
  emptyEndpoint, newContainerRecord, setPaused, setRemoving, setRestarting, setRunning, setStopped, setDead,
  type ContainerRecord, type HostConfigBody,
} from './container-record.js';
import { SLEEPER_INSPECT, SLEEPER_LIST_ENTRY } from './test-captures.js';
import { sampleRecord } from './test-fixtures.js';
import { commandText, humanDuration, inspectView, listView, portsView, statusText } from './views.js';

/** The sleeper container of the capture, rebuilt as a record. */
function sleeperRecord(): ContainerRecord {
  const c = SLEEPER_INSPECT;
  const hostConfig = { ...c.HostConfig } as HostConfigBody;
  delete hostConfig.KernelMemory;
  delete hostConfig.KernelMemoryTCP;
  let rec = newContainerRecord({
    id: c.Id, name: c.Name, image: c.Image, path: c.Path, args: c.Args,
    config: completeContainerConfig(c.Config), hostConfig, containerDir: `$DIR/root/containers/${c.Id}`,
  });
  rec = setRunning(rec, c.State.Pid, new Date(0));
  rec.created = c.Created;
  rec.state.startedAt = c.State.StartedAt;
  rec.networkSettings = {
    sandboxId: c.NetworkSettings.SandboxID,
    sandboxKey: c.NetworkSettings.SandboxKey,
    ports: {},
    networks: { bridge: { ...emptyEndpoint(), ...c.NetworkSettings.Networks.bridge } },
  };
  return rec;
}

describe('inspectView', () => {
  it('reproduces dockerd 20.10\'s inspect of a running container at API 1.41', () => {
    const view = inspectView(sleeperRecord(), { apiVersion: '1.41', graphDriverData: SLEEPER_INSPECT.GraphDriver.Data });
    const expected = structuredClone(SLEEPER_INSPECT);
    assert.deepEqual(JSON.parse(goJson(view)), expected);
    assert.deepEqual(Object.keys(view), Object.keys(expected));
    assert.deepEqual(Object.keys(view.State as object), Object.keys(expected.State));
    assert.deepEqual(Object.keys(view.Config as object), Object.keys(expected.Config));
    assert.deepEqual(Object.keys(view.NetworkSettings as object), Object.keys(expected.NetworkSettings));
  });

  it('drops KernelMemory from 1.42 and the legacy network fields from 1.52', () => {
    const rec = sleeperRecord();
    const v147 = inspectView(rec, { apiVersion: '1.47' });
    assert.ok(!('KernelMemory' in (v147.HostConfig as object)));
    assert.ok('IPAddress' in (v147.NetworkSettings as object));
    const ep147 = (v147.NetworkSettings as { Networks: Record<string, object> }).Networks.bridge!;
    assert.ok('DNSNames' in ep147 && !('GwPriority' in ep147));
    const v156 = inspectView(rec, { apiVersion: '1.56' });
    assert.deepEqual(Object.keys(v156.NetworkSettings as object), ['SandboxID', 'SandboxKey', 'Ports', 'Networks']);
  });

  it('shows ExecIDs null when none, the exec ids otherwise, and sizes only when asked', () => {
    const rec = sampleRecord();
    assert.equal(inspectView(rec).ExecIDs, null);
    assert.deepEqual(inspectView({ ...rec, execIds: ['a', 'b'] }).ExecIDs, ['a', 'b']);
    assert.ok(!('SizeRw' in inspectView(rec)));
    const sized = inspectView({ ...rec, sizeRw: 0, sizeRootFs: 100 }, { size: true });
    assert.equal(sized.SizeRw, 0);
    assert.equal(sized.SizeRootFs, 100);
    const keys = Object.keys(sized);
    assert.deepEqual(keys.slice(keys.indexOf('GraphDriver'), keys.indexOf('GraphDriver') + 4), ['GraphDriver', 'SizeRw', 'SizeRootFs', 'Mounts']);
  });

  it('shows host and none networks for those modes', () => {
    const host = sampleRecord({ hostConfig: { NetworkMode: 'host' } });
    const nets = (inspectView(host).NetworkSettings as { Networks: object }).Networks;
    assert.deepEqual(Object.keys(nets), ['host']);
    const none = sampleRecord({ hostConfig: { NetworkMode: 'none' } });
    assert.deepEqual(Object.keys((inspectView(none).NetworkSettings as { Networks: object }).Networks), ['none']);
  });
});

describe('listView', () => {
  it('reproduces dockerd 20.10\'s list entry of a running container', () => {
    const rec = sleeperRecord();
    const now = new Date(Date.parse(rec.state.startedAt) + 48_500);
    const view = listView(rec, { apiVersion: '1.41', now });
    assert.deepEqual(JSON.parse(goJson(view)), SLEEPER_LIST_ENTRY);
    assert.deepEqual(Object.keys(view), Object.keys(SLEEPER_LIST_ENTRY));
  });

  it('shows the image ID when the typed reference no longer names the image', () => {
    const rec = sampleRecord();
    assert.equal(listView(rec).Image, 'busybox:local');
    assert.equal(listView(rec, { imageRefMatches: () => false }).Image, rec.image);
  });

  it('quotes arguments with spaces, as dockerd does', () => {
    assert.equal(commandText('sh', ['-c', 'cat /bind/f.txt; id']), "sh -c 'cat /bind/f.txt; id'");
    assert.equal(commandText('/entry', []), '/entry');
  });

  it('lists ports sorted, one entry per binding, exposed ones without public port', () => {
    assert.deepEqual(
      portsView({
        '81/udp': [{ HostIp: '127.0.0.1', HostPort: '18081' }],
        '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '18080' }, { HostIp: '::', HostPort: '18080' }],
        '443/tcp': null,
      }),
      [
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 18080, Type: 'tcp' },
        { IP: '::', PrivatePort: 80, PublicPort: 18080, Type: 'tcp' },
        { IP: '127.0.0.1', PrivatePort: 81, PublicPort: 18081, Type: 'udp' },
        { PrivatePort: 443, Type: 'tcp' },
      ],
    );
  });

  it('omits zero sizes, as Go\'s omitempty does', () => {
    const rec = { ...sampleRecord(), sizeRw: 0, sizeRootFs: 5 };
    const view = listView(rec, { size: true });
    assert.ok(!('SizeRw' in view));
    assert.equal(view.SizeRootFs, 5);
  });
});

describe('humanDuration and statusText', () => {
  it('follows go-units', () => {
    const s = 1000;
    const cases: Array<[number, string]> = [
      [-5 * s, 'Less than a second'], [999, 'Less than a second'], [1 * s, '1 second'], [59 * s, '59 seconds'],
      [60 * s, 'About a minute'], [119 * s, 'About a minute'], [120 * s, '2 minutes'], [59 * 60 * s, '59 minutes'],
      [60 * 60 * s, 'About an hour'], [89 * 60 * s, 'About an hour'], [90 * 60 * s, '2 hours'],
      [47 * 3600 * s, '47 hours'], [47.5 * 3600 * s, '2 days'], [13 * 86400 * s, '13 days'], [14 * 86400 * s, '2 weeks'],
      [59 * 86400 * s, '8 weeks'], [60 * 86400 * s, '2 months'], [729 * 86400 * s, '24 months'], [730 * 86400 * s, '2 years'],
    ];
    for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
  });

  it('words every state as docker ps shows it', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (sec: number) => new Date(t0.getTime() + sec * 1000);
    const created = sampleRecord();
    assert.equal(statusText(created.state, t0), 'Created');
    const running = setRunning(created, 10, t0);
    assert.equal(statusText(running.state, at(5)), 'Up 5 seconds');
    assert.equal(statusText(setPaused(running).state, at(120)), 'Up 2 minutes (Paused)');
    const exited = setStopped(running, { exitCode: 3 }, at(10));
    assert.equal(statusText(exited.state, at(190)), 'Exited (3) 3 minutes ago');
    assert.equal(statusText(setRestarting(running, { exitCode: 1 }, at(10)).state, at(10)), 'Restarting (1) Less than a second ago');
    assert.equal(statusText(setRemoving(exited).state, at(10)), 'Removal In Progress');
    assert.equal(statusText(setDead(exited).state, at(10)), 'Dead');
  });
});

/** The reference OpenAPI file lives outside the repository (`<ancestor>/shared/reference/`). */
function openApiDefinitions(): Record<string, { properties?: Record<string, unknown>; allOf?: Array<Record<string, unknown>> }> | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'shared/reference/docker-engine-api.yaml'))) {
    if (dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
  return (parse(readFileSync(join(dir, 'shared/reference/docker-engine-api.yaml'), 'utf8')) as { definitions: never }).definitions;
}

const definitions = openApiDefinitions();

function fieldsOf(name: string): string[] {
  const def = definitions![name]!;
  const out = new Set<string>();
  for (const part of def.allOf ?? []) {
    const ref = part.$ref as string | undefined;
    if (ref) for (const f of fieldsOf(ref.split('/').pop()!)) out.add(f);
    for (const f of Object.keys((part.properties as object | undefined) ?? {})) out.add(f);
  }
  for (const f of Object.keys(def.properties ?? {})) out.add(f);
  return [...out];
}

describe('views against the OpenAPI field lists (API 1.56 shapes)', { skip: !definitions && 'reference spec not present' }, () => {
  const rec: ContainerRecord = {
    ...sleeperRecord(),
    mounts: [{ Type: 'volume', Name: 'v', Source: '/s', Destination: '/d', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }],
  };
  const opts = { apiVersion: '1.56', size: true };
  const sameSet = (actual: string[], expected: string[], label: string) => {
    assert.deepEqual(actual.filter((f) => !expected.includes(f)), [], `${label}: fields not in the spec`);
    assert.deepEqual(expected.filter((f) => !actual.includes(f)), [], `${label}: spec fields missing`);
  };

  it('inspect: ContainerInspectResponse, ContainerState, HostConfig, ContainerConfig, NetworkSettings, EndpointSettings, MountPoint', () => {
    const view = inspectView(rec, opts) as Record<string, Record<string, unknown>>;
    const omitted = ['ImageManifestDescriptor', 'Storage'];
    sameSet(Object.keys(view), fieldsOf('ContainerInspectResponse').filter((f) => !omitted.includes(f)), 'inspect');
    sameSet(Object.keys(view.State!), fieldsOf('ContainerState').filter((f) => f !== 'Health'), 'State');
    const hostOmitEmpty = ['Annotations', 'StorageOpt', 'Tmpfs', 'Sysctls', 'Mounts', 'Init'];
    sameSet(Object.keys(view.HostConfig!), fieldsOf('HostConfig').filter((f) => !hostOmitEmpty.includes(f)), 'HostConfig');
    const configOmitEmpty = ['ExposedPorts', 'Healthcheck', 'ArgsEscaped', 'NetworkDisabled', 'StopSignal', 'StopTimeout', 'Shell'];
    sameSet(Object.keys(view.Config!), fieldsOf('ContainerConfig').filter((f) => !configOmitEmpty.includes(f)), 'Config');
    sameSet(Object.keys(view.NetworkSettings!), fieldsOf('NetworkSettings'), 'NetworkSettings');
    const networks = view.NetworkSettings!.Networks as Record<string, Record<string, unknown>>;
    sameSet(Object.keys(networks.bridge!), fieldsOf('EndpointSettings'), 'EndpointSettings');
    sameSet(Object.keys((view.Mounts as unknown as Array<Record<string, unknown>>)[0]!), fieldsOf('MountPoint'), 'MountPoint');
  });

  it('list: ContainerSummary and PortSummary', () => {
    const running = { ...rec, sizeRw: 1, sizeRootFs: 2, networkSettings: { ...rec.networkSettings, ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } } };
    const view = listView(running, opts);
    const omitted = ['ImageManifestDescriptor', 'Health'];
    sameSet(Object.keys(view), fieldsOf('ContainerSummary').filter((f) => !omitted.includes(f)), 'ContainerSummary');
    sameSet(Object.keys((view.Ports as Array<Record<string, unknown>>)[0]!), fieldsOf('PortSummary'), 'PortSummary');
  });
});
