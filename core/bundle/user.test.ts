import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind } from '../../lib/errdefs/index.js';
import { numericUser, resolveUser, resolveUserFrom } from './user.js';

const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'daemon:x:1:1::/:/bin/false', '# comment', '', 'app:x:1000:1000::/home/app:/bin/sh'].join('\n');
const GROUP = ['root:x:0:', 'wheel:x:10:app,root', 'docker:x:999:app', 'staff:x:50:'].join('\n');

describe('resolveUserFrom', () => {
  const resolve = (spec: string) => resolveUserFrom(spec, PASSWD, GROUP);

  it("resolves an empty spec to root with root's groups", () => {
    assert.deepEqual(resolve(''), { uid: 0, gid: 0, additionalGids: [0, 10] });
  });

  it('resolves a name to its uid, primary gid and memberships', () => {
    assert.deepEqual(resolve('app'), { uid: 1000, gid: 1000, additionalGids: [1000, 10, 999] });
  });

  it('resolves a uid that has a passwd entry like its name', () => {
    assert.deepEqual(resolve('1000'), { uid: 1000, gid: 1000, additionalGids: [1000, 10, 999] });
  });

  it('accepts a uid with no passwd entry, with gid 0', () => {
    assert.deepEqual(resolve('4242'), { uid: 4242, gid: 0, additionalGids: [0] });
  });

  it('takes an explicit group by name or number, without memberships', () => {
    assert.deepEqual(resolve('app:staff'), { uid: 1000, gid: 50, additionalGids: [50] });
    assert.deepEqual(resolve('app:4343'), { uid: 1000, gid: 4343, additionalGids: [4343] });
  });

  it('refuses an unknown user or group name as invalid-argument', () => {
    assert.throws(() => resolve('ghost'), (err) => isKind(err, 'invalid-argument') && /unable to find user ghost/.test((err as Error).message));
    assert.throws(() => resolve('app:ghosts'), (err) => isKind(err, 'invalid-argument') && /unable to find group ghosts/.test((err as Error).message));
  });

  it('refuses ids out of range', () => {
    assert.throws(() => resolve('4294967296'), (err) => isKind(err, 'invalid-argument'));
  });

  it('treats missing files as having no entries', () => {
    assert.deepEqual(resolveUserFrom('7:8', null, null), { uid: 7, gid: 8, additionalGids: [8] });
    assert.throws(() => resolveUserFrom('app', null, null), /unable to find user app/);
  });
});

describe('numericUser', () => {
  it('parses uid and uid:gid, and gives up on names', () => {
    assert.deepEqual(numericUser('5'), { uid: 5, gid: 0, additionalGids: [0] });
    assert.deepEqual(numericUser('5:6'), { uid: 5, gid: 6, additionalGids: [6] });
    assert.equal(numericUser('app'), undefined);
    assert.equal(numericUser('5:staff'), undefined);
  });
});

describe('resolveUser reading the rootfs', () => {
  let dir: string;
  let rootfs: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moby-user-'));
    rootfs = join(dir, 'rootfs');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await writeFile(join(dir, 'outside-passwd'), 'hostonly:x:4444:4444::/:/bin/sh\n');
    await writeFile(join(dir, 'outside-group'), 'hostgroup:x:5555:hostonly\n');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fresh = async (name: string) => {
    const root = join(dir, name);
    await mkdir(join(root, 'etc'), { recursive: true });
    return root;
  };

  it('reads /etc/passwd and /etc/group inside the rootfs', async () => {
    await writeFile(join(rootfs, 'etc/passwd'), PASSWD);
    await writeFile(join(rootfs, 'etc/group'), GROUP);
    assert.deepEqual(await resolveUser(rootfs, 'app'), { uid: 1000, gid: 1000, additionalGids: [1000, 10, 999] });
  });

  it('follows a symlink that stays inside the rootfs, absolute targets taken from the rootfs', async () => {
    const root = await fresh('inside');
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await writeFile(join(root, 'usr/lib/passwd'), PASSWD);
    await symlink('/usr/lib/passwd', join(root, 'etc/passwd'));
    assert.equal((await resolveUser(root, 'app')).uid, 1000);
  });

  it('refuses to read a symlinked /etc/passwd pointing outside the rootfs', async () => {
    const root = await fresh('absolute-escape');
    await symlink(join(dir, 'outside-passwd'), join(root, 'etc/passwd'));
    await symlink(join(dir, 'outside-group'), join(root, 'etc/group'));
    await assert.rejects(resolveUser(root, 'hostonly'), /unable to find user hostonly/);
  });

  it('refuses to climb out of the rootfs through relative .. links', async () => {
    const root = await fresh('relative-escape');
    // On the host, <dir>/relative-escape/etc/../../outside-passwd is the outside file.
    await symlink('../../outside-passwd', join(root, 'etc/passwd'));
    await assert.rejects(resolveUser(root, 'hostonly'), /unable to find user hostonly/);
  });

  it('refuses an /etc/passwd that is not a regular file', async () => {
    const root = await fresh('dir-passwd');
    await mkdir(join(root, 'etc/passwd'));
    await assert.rejects(resolveUser(root, 'app'), (err) => isKind(err, 'invalid-argument'));
  });
});
