import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import {
  compareApiVersions, mergeImageConfig, networkModeKind, normalizeCreateRequest, resolveCommand, type CreateRequestInput,
} from './create-request.js';

/** Appendix B of the engine notes: `docker run -d … optc` from CLI 28.2.2 at API 1.41. */
const CLI_BODY = {
  Hostname: '', Domainname: '', User: '65534:65534', AttachStdin: false, AttachStdout: false, AttachStderr: false,
  ExposedPorts: { '80/tcp': {}, '81/udp': {} }, Tty: false, OpenStdin: false, StdinOnce: false, Env: ['FOO=bar', 'BAZ'],
  Cmd: ['sh', '-c', 'sleep 3600'], Image: 'busybox:local', Volumes: {}, WorkingDir: '/tmp', Entrypoint: null, OnBuild: null,
  Labels: {},
  HostConfig: {
    Binds: ['resvol:/data', '/host:/bind:ro'], ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'resnet',
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '18080' }], '81/udp': [{ HostIp: '127.0.0.1', HostPort: '18081' }] },
    RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null,
    ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null,
    GroupAdd: null, IpcMode: '', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false,
    ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '', CpuShares: 0, Memory: 0,
    NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [], BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0,
    CpusetCpus: '', CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0,
    MemorySwap: 0, MemorySwappiness: -1, OomKillDisable: false, PidsLimit: 0, Ulimits: [], CpuCount: 0, CpuPercent: 0,
    IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
  },
  NetworkingConfig: { EndpointsConfig: { resnet: { IPAMConfig: null, Links: null, Aliases: null, GwPriority: 0, DNSNames: null } } },
};

function create(body: unknown, extra: Partial<CreateRequestInput> = {}) {
  return normalizeCreateRequest({ body, apiVersion: '1.47', host: { ncpu: 2, cgroupVersion: 1 }, ...extra });
}

function refuses(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isKind(err, 'invalid-argument'), String(err));
    if (typeof message === 'string') assert.equal((err as Error).message, message);
    else assert.match((err as Error).message, message);
    return true;
  });
}

const withHost = (hostConfig: Record<string, unknown>, config: Record<string, unknown> = {}) => ({
  Image: 'img', Cmd: ['true'], ...config, HostConfig: hostConfig,
});

describe('normalizeCreateRequest', () => {
  it('takes the CLI\'s body and fills the daemon\'s defaults as dockerd shows them', () => {
    const req = create(CLI_BODY, { name: 'optc', apiVersion: '1.41' });
    assert.equal(req.name, '/optc');
    assert.equal(req.config.Image, 'busybox:local');
    assert.deepEqual(req.config.Env, ['FOO=bar', 'BAZ']);
    const hc = req.hostConfig;
    assert.deepEqual(hc.LogConfig, { Type: 'json-file', Config: {} });
    assert.equal(hc.IpcMode, 'private');
    assert.equal(hc.CgroupnsMode, 'host');
    assert.equal(hc.ShmSize, 67108864);
    assert.equal(hc.Runtime, 'runc');
    assert.equal(hc.MemorySwappiness, null);
    assert.equal(hc.PidsLimit, null);
    assert.ok(hc.MaskedPaths!.includes('/proc/kcore'));
    assert.deepEqual(hc.ReadonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
    assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.equal(hc.KernelMemory, undefined);
    assert.deepEqual(Object.keys(req.endpointsConfig), ['resnet']);
    assert.deepEqual(req.warnings, []);
  });

  it('defaults an empty HostConfig, NetworkMode and restart policy (docker-py sends little)', () => {
    const req = create({ Image: 'img', Cmd: 'echo hi' });
    assert.deepEqual(req.config.Cmd, ['echo hi']);
    assert.equal(req.hostConfig.NetworkMode, 'default');
    assert.deepEqual(req.hostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
    assert.deepEqual(req.hostConfig.ConsoleSize, [0, 0]);
    assert.equal(req.name, undefined);
    const v2 = normalizeCreateRequest({ body: { Image: 'img' }, apiVersion: '1.47' });
    assert.equal(v2.hostConfig.CgroupnsMode, 'private');
  });

  it('keeps ConsoleSize from 1.42 only', () => {
    assert.deepEqual(create(withHost({ ConsoleSize: [30, 100] })).hostConfig.ConsoleSize, [30, 100]);
    assert.deepEqual(create(withHost({ ConsoleSize: [30, 100] }), { apiVersion: '1.41' }).hostConfig.ConsoleSize, [0, 0]);
  });

  it('refuses an empty body and wrong types as Go\'s decoder words them', () => {
    refuses(() => create(null), 'config cannot be empty in order to create a container');
    refuses(() => create({ Env: 'A=1' }), 'json: cannot unmarshal string into Go struct field Config.Env of type []string');
    refuses(() => create(withHost({ Memory: '1g' })), 'json: cannot unmarshal string into Go struct field HostConfig.Memory of type int');
  });

  it('checks the name', () => {
    refuses(() => create({ Image: 'i' }, { name: 'a' }), 'Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
    refuses(() => create({ Image: 'i' }, { name: 'bad name' }), /^Invalid container name \(bad name\)/);
    assert.equal(create({ Image: 'i' }, { name: '/ok' }).name, '/ok');
  });

  it('parses the platform from 1.41 on', () => {
    assert.deepEqual(create({ Image: 'i' }, { platform: 'linux/arm64' }).platform, { os: 'linux', architecture: 'arm64' });
    assert.equal(create({ Image: 'i' }, { platform: 'linux/arm64', apiVersion: '1.40' }).platform, undefined);
    refuses(() => create({ Image: 'i' }, { platform: 'nosuchos/amd64' }), /unknown operating system/);
  });

  it('checks restart policies with Docker\'s messages', () => {
    refuses(() => create(withHost({ RestartPolicy: { Name: 'sometimes' } })),
      "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
    refuses(() => create(withHost({ RestartPolicy: { Name: 'always', MaximumRetryCount: 2 } })),
      "invalid restart policy: maximum retry count can only be used with 'on-failure'");
    refuses(() => create(withHost({ RestartPolicy: { Name: 'no', MaximumRetryCount: -1 } })),
      "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative");
    refuses(() => create(withHost({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } })),
      'invalid restart policy: maximum retry count cannot be negative');
    refuses(() => create(withHost({ AutoRemove: true, RestartPolicy: { Name: 'always' } })),
      "can't create 'AutoRemove' container with restart policy");
    assert.deepEqual(create(withHost({ RestartPolicy: { Name: '', MaximumRetryCount: 0 } })).hostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  });

  it('checks resources', () => {
    refuses(() => create(withHost({ Memory: 1024 })), 'Minimum memory limit allowed is 6MB');
    refuses(() => create(withHost({ Memory: -1 })), 'Minimum memory limit allowed is 6MB');
    refuses(() => create(withHost({ MemoryReservation: 1024 })), 'Minimum memory reservation allowed is 6MB');
    refuses(() => create(withHost({ Memory: 64 << 20, MemorySwap: 32 << 20 })), 'Minimum memoryswap limit should be larger than memory limit, see usage');
    refuses(() => create(withHost({ MemorySwap: 32 << 20 })), 'You should always set the Memory limit when using Memoryswap limit, see usage');
    refuses(() => create(withHost({ MemorySwappiness: 101 })), 'Invalid value: 101, valid memory swappiness range is 0-100');
    refuses(() => create(withHost({ NanoCpus: 1e9, CpuPeriod: 100000 })), 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
    refuses(() => create(withHost({ NanoCpus: 3e9 })), 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    refuses(() => create(withHost({ CpuPeriod: 10 })), 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
    refuses(() => create(withHost({ CpuQuota: 10 })), 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
    refuses(() => create(withHost({ CpuShares: -1 })), /invalid CPU shares/);
    refuses(() => create(withHost({ BlkioWeight: 5 })), 'Range of blkio weight is from 10 to 1000');
    refuses(() => create(withHost({ OomScoreAdj: 1001 })), 'Invalid value 1001, range for oom score adj is [-1000, 1000]');
    refuses(() => create(withHost({ ShmSize: -1 })), 'SHM size can not be less than 0');
    refuses(() => create(withHost({ CpusetCpus: '0-a' })), 'Invalid value 0-a for cpuset cpus');
    assert.equal(create(withHost({ Memory: 6 << 20, CpuShares: 512 })).hostConfig.Memory, 6 << 20);
  });

  it('checks ports, extra hosts and DNS', () => {
    refuses(() => create(withHost({ PortBindings: { 'abc/tcp': [] } })), 'invalid port specification: "abc"');
    refuses(() => create(withHost({ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '99999' }] } })), 'invalid port specification: "99999"');
    refuses(() => create({ Image: 'i', ExposedPorts: { '70000/tcp': {} } }), 'invalid port specification: "70000"');
    refuses(() => create(withHost({ PortBindings: { '80/tcp': [{ HostIp: 'nope', HostPort: '80' }] } })), 'invalid host IP: nope');
    assert.ok(create(withHost({ PortBindings: { '80': [{ HostIp: '::1', HostPort: '8000-8010' }] } })));
    refuses(() => create(withHost({ ExtraHosts: ['justname'] })), 'bad format for add-host: "justname"');
    refuses(() => create(withHost({ ExtraHosts: ['h:notanip'] })), 'invalid IP address in add-host: "notanip"');
    assert.ok(create(withHost({ ExtraHosts: ['h:10.0.0.1', 'g=host-gateway', 'v6:[::1]'] })));
    refuses(() => create(withHost({ Dns: ['8.8.8.x'] })), /8\.8\.8\.x/);
  });

  it('checks the config: working dir, env, stop signal, healthcheck', () => {
    refuses(() => create({ Image: 'i', WorkingDir: 'rel' }), "the working directory 'rel' is invalid, it needs to be an absolute path");
    refuses(() => create({ Image: 'i', Env: ['=x'] }), 'invalid environment variable: =x');
    refuses(() => create({ Image: 'i', StopSignal: 'SIGNOPE' }), 'Invalid signal: SIGNOPE');
    refuses(() => create({ Image: 'i', Healthcheck: { Test: ['CMD', 'true'], Interval: 10 } }), 'Interval in Healthcheck cannot be less than 1ms');
    refuses(() => create({ Image: 'i', Healthcheck: { Retries: -1 } }), 'Retries in Healthcheck cannot be negative');
    assert.equal(create({ Image: 'i', Healthcheck: { StartInterval: 5e9 } }, { apiVersion: '1.43' }).config.Healthcheck!.StartInterval, undefined);
  });

  it('checks network and namespace modes, keeping names of networks for the caller', () => {
    assert.equal(create(withHost({ NetworkMode: 'mynet' })).hostConfig.NetworkMode, 'mynet');
    refuses(() => create(withHost({ NetworkMode: 'container:' })), 'Invalid network mode: invalid container format container:<name|id>');
    refuses(() => create(withHost({ NetworkMode: 'container:x' }, { Hostname: 'h' })), 'conflicting options: hostname and the network mode');
    refuses(() => create(withHost({ NetworkMode: 'container:x', PortBindings: { '80/tcp': [] } })), 'conflicting options: port publishing and the container type network mode');
    refuses(() => create(withHost({ NetworkMode: 'host' }, { MacAddress: '02:42:ac:11:00:02' })), 'conflicting options: mac-address and the network mode');
    refuses(() => create(withHost({ IpcMode: 'weird' })), 'invalid IPC mode: weird');
    refuses(() => create(withHost({ PidMode: 'weird' })), 'invalid PID mode: weird');
    refuses(() => create(withHost({ Isolation: 'hyperv' })), "invalid isolation 'hyperv' on linux");
    assert.deepEqual(
      ['', 'default', 'bridge', 'host', 'none', 'container:abc', 'mynet'].map(networkModeKind),
      ['default', 'default', 'bridge', 'host', 'none', 'container', 'network'],
    );
  });

  it('allows several endpoints from 1.44 only', () => {
    const body = { Image: 'i', NetworkingConfig: { EndpointsConfig: { b: {}, a: {} } } };
    assert.deepEqual(Object.keys(create(body).endpointsConfig).sort(), ['a', 'b']);
    refuses(() => create(body, { apiVersion: '1.43' }), 'Container cannot be connected to network endpoints: a, b');
  });

  it('moves the container-wide MacAddress to the main endpoint, warning from 1.44', () => {
    const req = create(withHost({ NetworkMode: 'net1' }, { MacAddress: '02:00:00:00:00:01' }));
    assert.equal(req.endpointsConfig.net1!.MacAddress, '02:00:00:00:00:01');
    assert.equal(req.warnings.length, 1);
    const old = create(withHost({ NetworkMode: 'net1' }, { MacAddress: '02:00:00:00:00:01' }), { apiVersion: '1.43' });
    assert.deepEqual(old.warnings, []);
  });

  it('checks mounts by version', () => {
    const vol = { Type: 'bind', Source: '/h', Target: '/c', VolumeOptions: { NoCopy: true } };
    refuses(() => create(withHost({ Mounts: [vol] })), 'VolumeOptions must not be specified on mount type "bind"');
    assert.ok(create(withHost({ Mounts: [vol] }), { apiVersion: '1.41' }));
    refuses(() => create(withHost({ Mounts: [{ Type: 'volume', Source: 'v', Target: '/c', VolumeOptions: { Subpath: 'x' } }] }), { apiVersion: '1.44' }),
      'VolumeOptions.Subpath needs API v1.45 or newer');
    refuses(() => create(withHost({ Mounts: [{ Type: 'weird', Target: '/c' }] })), /mount type unknown/);
  });
});

describe('mergeImageConfig and resolveCommand', () => {
  const image = {
    Env: ['PATH=/bin', 'FOO=image'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/w', User: 'u', Labels: { a: '1', b: '2' },
    ExposedPorts: { '80/tcp': {} as Record<string, never> }, Volumes: { '/data': {} as Record<string, never> }, StopSignal: 'SIGQUIT',
  };
  const user = () => create({ Image: 'img', Env: ['FOO=bar', 'BAZ'], Labels: { b: 'user' } }).config;

  it('merges as dockerd does', () => {
    const merged = mergeImageConfig(image, user(), { id: 'e8360f2d297076d9f9714ced5d28d8a4cd71eac31bb210c290325d7c1166dde3' });
    assert.deepEqual(merged.Env, ['FOO=bar', 'BAZ', 'PATH=/bin']);
    assert.deepEqual(merged.Labels, { a: '1', b: 'user' });
    assert.deepEqual(merged.Cmd, ['sh']);
    assert.equal(merged.Entrypoint, null);
    assert.equal(merged.WorkingDir, '/w');
    assert.equal(merged.User, 'u');
    assert.equal(merged.Hostname, 'e8360f2d2970');
    assert.deepEqual(Object.keys(merged.ExposedPorts!), ['80/tcp']);
    assert.deepEqual(Object.keys(merged.Volumes!), ['/data']);
    assert.equal(merged.StopSignal, 'SIGQUIT');
    assert.equal(merged.Image, 'img');
  });

  it('uses the host\'s name for host networking', () => {
    const merged = mergeImageConfig(image, user(), { id: 'a'.repeat(64), networkMode: 'host', hostHostname: 'myhost' });
    assert.equal(merged.Hostname, 'myhost');
  });

  it('applies Docker\'s Entrypoint/Cmd rules', () => {
    const img = { Entrypoint: ['/entry', '-x'], Cmd: ['default'] };
    assert.deepEqual(resolveCommand(img, {}), { path: '/entry', args: ['-x', 'default'] });
    assert.deepEqual(resolveCommand(img, { Cmd: ['mine'] }), { path: '/entry', args: ['-x', 'mine'] });
    assert.deepEqual(resolveCommand(img, { Entrypoint: ['/other'] }), { path: '/other', args: [] });
    assert.deepEqual(resolveCommand(img, { Entrypoint: [], Cmd: ['ls'] }), { path: 'ls', args: [] });
    assert.deepEqual(resolveCommand(img, { Entrypoint: [] }), { path: 'default', args: [] });
    assert.deepEqual(resolveCommand(img, { Entrypoint: [''], Cmd: ['ls', '-l'] }), { path: 'ls', args: ['-l'] });
    refuses(() => resolveCommand(img, { Entrypoint: [''] }), 'No command specified');
    refuses(() => resolveCommand({}, {}), 'No command specified');
    refuses(() => mergeImageConfig({ Env: ['A=1'] }, create({ Image: 'i' }).config, { id: 'a'.repeat(64) }), 'No command specified');
    const merged = mergeImageConfig(img, create({ Image: 'i', Cmd: ['x'] }).config, { id: 'a'.repeat(64) });
    assert.deepEqual(resolveCommand(null, merged), { path: '/entry', args: ['-x', 'x'] });
  });

  it('compares API versions numerically', () => {
    assert.ok(compareApiVersions('1.9', '1.10') < 0);
    assert.equal(compareApiVersions('1.44', '1.44'), 0);
    assert.ok(compareApiVersions('1.47', '1.41') > 0);
  });
});
