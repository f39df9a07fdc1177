/**
 * End to end: volumes through the real docker CLI — named volumes shared between containers,
 * an image's `VOLUME` with its content copied up, binds (read-only refused writes, `-v`
 * creating a missing source, `--mount` refusing it), tmpfs empty at each start,
 * `--volumes-from`, `docker rm -v`, in-use and bad-name refusals, prune, `docker system df`.
 * Runs against our engine, or with `MOBY_TEST_TARGET=dockerd` against Debian's dockerd.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxRootfsTar } from './support/busybox-rootfs.js';
import { dockerHard, ok, startContainerTarget, targetKind, type ContainerTarget } from './support/container-target.js';

const TEST_TIMEOUT = 90_000;

interface MountInfo {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  RW: boolean;
}

describe(`volumes through the docker CLI (target: ${targetKind()})`, { timeout: 600_000 }, () => {
  let target: ContainerTarget;
  let env: NodeJS.ProcessEnv;
  const tag = randomBytes(3).toString('hex');
  const d = (args: string[], opts?: { input?: string; timeoutMs?: number }) => dockerHard(env, args, { timeoutMs: 60_000, ...opts });
  const must = (args: string[], opts?: { input?: string; timeoutMs?: number }) => ok(env, args, opts);
  const mountsOf = async (c: string) => JSON.parse(await must(['inspect', '-f', '{{json .Mounts}}', c])) as MountInfo[];
  const volumeNames = async () => (await must(['volume', 'ls', '-q'])).trim().split('\n').filter(Boolean);

  before(async () => {
    target = await startContainerTarget();
    env = target.dockerEnv;
    // An image with a VOLUME holding content: the copy-up source.
    const tarPath = join(target.scratch, `volimg-${tag}.tar`);
    await writeFile(tarPath, await busyboxRootfsTar([
      { name: 'seed', type: 'directory', mode: 0o755 },
      { name: 'seed/hello.txt', content: 'seeded by the image\n', mode: 0o640, uid: 65534, gid: 65534 },
      { name: 'seed/sub', type: 'directory', mode: 0o700 },
      { name: 'seed/sub/deep.txt', content: 'deep\n' },
    ]));
    await must(['import', '--change', 'VOLUME ["/seed"]', '--change', 'CMD ["sh"]', tarPath, `volimg-${tag}:latest`]);
  });
  after(async () => {
    await target?.cleanup();
  });

  it('a named volume written by one container is read by the next', { timeout: TEST_TIMEOUT }, async () => {
    const vol = `data-${tag}`;
    const created = (await must(['volume', 'create', '--label', 'purpose=test', vol])).trim();
    assert.equal(created, vol);
    await must(['run', '--rm', '-v', `${vol}:/data`, 'busybox', 'sh', '-c', 'echo persisted > /data/f']);
    assert.equal(await must(['run', '--rm', '-v', `${vol}:/data:ro`, 'busybox', 'cat', '/data/f']), 'persisted\n');
    const info = JSON.parse(await must(['volume', 'inspect', vol])) as { Name: string; Driver: string; Mountpoint: string; Labels: Record<string, string>; Scope: string }[];
    assert.equal(info[0]!.Name, vol);
    assert.equal(info[0]!.Driver, 'local');
    assert.equal(info[0]!.Scope, 'local');
    assert.deepEqual(info[0]!.Labels, { purpose: 'test' });
    assert.equal(await readFile(join(info[0]!.Mountpoint, 'f'), 'utf8'), 'persisted\n');
    // read-only: writes refused
    const ro = await d(['run', '--rm', '-v', `${vol}:/data:ro`, 'busybox', 'touch', '/data/g']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    // --mount type=volume works the same
    assert.equal(await must(['run', '--rm', '--mount', `type=volume,src=${vol},dst=/m`, 'busybox', 'cat', '/m/f']), 'persisted\n');
    assert.ok((await must(['volume', 'ls', '--filter', 'label=purpose=test', '-q'])).includes(vol));
  });

  it("VOLUME in an image creates an anonymous volume with the image's content copied up; rm -v removes it", { timeout: TEST_TIMEOUT }, async () => {
    const c = `anon-${tag}`;
    const out = await must(['run', '--name', c, `volimg-${tag}`, 'sh', '-c', 'cat /seed/hello.txt /seed/sub/deep.txt; stat -c "%u:%g %a" /seed/hello.txt']);
    assert.equal(out, 'seeded by the image\ndeep\n65534:65534 640\n');
    const mounts = await mountsOf(c);
    assert.equal(mounts.length, 1, JSON.stringify(mounts));
    assert.equal(mounts[0]!.Type, 'volume');
    assert.equal(mounts[0]!.Destination, '/seed');
    assert.match(mounts[0]!.Name!, /^[0-9a-f]{64}$/);
    assert.ok((await volumeNames()).includes(mounts[0]!.Name!));
    // in use: not removable
    const busy = await d(['volume', 'rm', mounts[0]!.Name!]);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /volume is in use/);
    await must(['rm', '-v', c]);
    assert.ok(!(await volumeNames()).includes(mounts[0]!.Name!), 'rm -v removed the anonymous volume');
  });

  it('a named volume is not copied up over when it already has content, and -v /path makes an anonymous volume', { timeout: TEST_TIMEOUT }, async () => {
    const vol = `pre-${tag}`;
    await must(['run', '--rm', '-v', `${vol}:/seed`, 'busybox', 'sh', '-c', 'echo mine > /seed/own.txt']);
    // the volume now has content: the image's /seed is not copied into it
    assert.equal(await must(['run', '--rm', '-v', `${vol}:/seed`, `volimg-${tag}`, 'ls', '/seed']), 'own.txt\n');
    const c = `anon2-${tag}`;
    await must(['run', '--name', c, '-v', '/scratchpad', 'busybox', 'touch', '/scratchpad/x']);
    const mounts = await mountsOf(c);
    assert.equal(mounts.find((m) => m.Destination === '/scratchpad')?.Type, 'volume');
    await must(['rm', '-v', c]);
  });

  it('bind mounts: read-only refuses writes, -v creates a missing source, --mount refuses it', { timeout: TEST_TIMEOUT }, async () => {
    const dir = join(target.scratch, `bind-${tag}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'in.txt'), 'from host\n');
    assert.equal(await must(['run', '--rm', '-v', `${dir}:/b:ro`, 'busybox', 'cat', '/b/in.txt']), 'from host\n');
    const ro = await d(['run', '--rm', '-v', `${dir}:/b:ro`, 'busybox', 'sh', '-c', 'echo x > /b/new']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.ok(!existsSync(join(dir, 'new')));
    await must(['run', '--rm', '-v', `${dir}:/b`, 'busybox', 'sh', '-c', 'echo back > /b/out.txt']);
    assert.equal(await readFile(join(dir, 'out.txt'), 'utf8'), 'back\n');
    const missing = join(target.scratch, `missing-${tag}`, 'deep');
    await must(['run', '--rm', '-v', `${missing}:/m`, 'busybox', 'true']);
    assert.ok(existsSync(missing), '-v created the missing source');
    const gone = join(target.scratch, `gone-${tag}`);
    const refused = await d(['run', '--rm', '--mount', `type=bind,src=${gone},dst=/m`, 'busybox', 'true']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /bind source path does not exist/);
    assert.ok(!existsSync(gone));
    await rm(dir, { recursive: true, force: true });
  });

  it('tmpfs is empty at each start', { timeout: TEST_TIMEOUT }, async () => {
    const c = `tmpfs-${tag}`;
    await must(['run', '--name', c, '--tmpfs', '/t', '--mount', 'type=tmpfs,dst=/u', 'busybox', 'sh', '-c', 'ls -A /t /u; touch /t/x /u/y; grep -E " /(t|u) " /proc/mounts | cut -d" " -f3']);
    const first = await must(['logs', c]);
    assert.match(first, /tmpfs\ntmpfs\n$/);
    await must(['start', '-a', c]);
    const logs = await must(['logs', c]);
    assert.doesNotMatch(logs, /\bx\b|\by\b/, 'nothing survived the restart');
    await must(['rm', c]);
  });

  it('--volumes-from shares another container\'s volumes', { timeout: TEST_TIMEOUT }, async () => {
    const src = `src-${tag}`;
    const vol = `shared-${tag}`;
    await must(['create', '--name', src, '-v', `${vol}:/shared`, '-v', '/anon', 'busybox', 'true']);
    await must(['run', '--rm', '--volumes-from', src, 'busybox', 'sh', '-c', 'echo via-from > /shared/f && touch /anon/a']);
    assert.equal(await must(['run', '--rm', '--volumes-from', `${src}:ro`, 'busybox', 'cat', '/shared/f']), 'via-from\n');
    const ro = await d(['run', '--rm', '--volumes-from', `${src}:ro`, 'busybox', 'touch', '/shared/g']);
    assert.notEqual(ro.code, 0);
    await must(['rm', '-v', src]);
    // the named volume stays; only anonymous ones go with rm -v
    assert.ok((await volumeNames()).includes(vol));
  });

  it('docker cp of a running container sees its volumes, binds and /etc files; a read-only volume refuses writes', { timeout: TEST_TIMEOUT }, async () => {
    const vol = `cpv-${tag}`;
    const c = `cpc-${tag}`;
    await must(['run', '-d', '--name', c, '-v', `${vol}:/vol`, '-v', `${vol}:/rovol:ro`, 'busybox', 'sh', '-c', 'echo in-volume > /vol/f; sleep 1000']);
    const out = join(target.scratch, `cpout-${tag}`);
    await mkdir(out, { recursive: true });
    let copied = '';
    for (let i = 0; i < 50 && copied === ''; i++) {
      const r = await d(['cp', `${c}:/vol/f`, join(out, 'f')]);
      if (r.code === 0) copied = await readFile(join(out, 'f'), 'utf8');
    }
    assert.equal(copied, 'in-volume\n');
    await must(['cp', `${c}:/etc/hostname`, join(out, 'hostname')]);
    assert.equal((await readFile(join(out, 'hostname'), 'utf8')).trim(), (await must(['inspect', '-f', '{{.Config.Hostname}}', c])).trim());
    await writeFile(join(out, 'in.txt'), 'copied in\n');
    await must(['cp', join(out, 'in.txt'), `${c}:/vol/in.txt`]);
    assert.equal(await must(['exec', c, 'cat', '/vol/in.txt']), 'copied in\n');
    const ro = await d(['cp', join(out, 'in.txt'), `${c}:/rovol/other.txt`]);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /read-only/);
    await must(['rm', '-f', c]);
    await must(['volume', 'rm', vol]);
  });

  it('hostile or wrong input is refused with a clear message', { timeout: TEST_TIMEOUT }, async () => {
    for (const [bad, why] of [['a/b', /includes invalid characters for a local volume name/], ['..', /includes invalid characters/], ['x', /volume name is too short/]] as const) {
      const r = await d(['volume', 'create', bad]);
      assert.notEqual(r.code, 0, bad);
      assert.match(r.stderr, why, bad);
    }
    const missing = await d(['volume', 'inspect', `nosuch-${tag}`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no such volume/i);
    const badOpt = await d(['volume', 'create', '-o', 'bogus=1', `bad-${tag}`]);
    assert.notEqual(badOpt.code, 0);
    assert.match(badOpt.stderr, /invalid option/);
    const relative = await d(['run', '--rm', '-v', 'vol:relative', 'busybox', 'true']);
    assert.notEqual(relative.code, 0);
    const named = `keep-${tag}`;
    await must(['volume', 'create', named]);
    await must(['create', '--name', `holder-${tag}`, '-v', `${named}:/k`, 'busybox', 'true']);
    const inUse = await d(['volume', 'rm', named]);
    assert.notEqual(inUse.code, 0);
    assert.match(inUse.stderr, new RegExp(`remove ${named}: volume is in use - \\[[0-9a-f]{64}\\]`));
    await must(['rm', `holder-${tag}`]);
    await must(['volume', 'rm', named]);
  });

  it('a local volume with tmpfs options is a tmpfs mount inside the container', { timeout: TEST_TIMEOUT }, async () => {
    const vol = `tmpvol-${tag}`;
    await must(['volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=2m', vol]);
    const out = await must(['run', '--rm', '-v', `${vol}:/v`, 'busybox', 'sh', '-c', 'grep " /v " /proc/mounts | cut -d" " -f3']);
    assert.equal(out, 'tmpfs\n');
    await must(['volume', 'rm', vol]);
  });

  it('docker system df counts volumes; volume prune removes unused anonymous volumes, -a named ones too', { timeout: TEST_TIMEOUT }, async () => {
    const df = await must(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
    assert.match(df, /^Local Volumes \d+$/m);
    await must(['run', '--name', `pr-${tag}`, '-v', '/gone', 'busybox', 'true']);
    const anon = (await mountsOf(`pr-${tag}`))[0]!.Name!;
    await must(['rm', `pr-${tag}`]);
    const named = `prn-${tag}`;
    await must(['volume', 'create', named]);
    const pruned = await must(['volume', 'prune', '-f']);
    assert.match(pruned, new RegExp(anon));
    assert.doesNotMatch(pruned, new RegExp(named));
    assert.ok((await volumeNames()).includes(named));
    const all = await must(['volume', 'prune', '-af']);
    assert.match(all, new RegExp(named));
  });
});
