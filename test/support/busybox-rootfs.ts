/**
 * Test images made from Debian's busybox-static: a rootfs tarball with /bin/busybox, the
 * applets the tests call as symlinks, and the few files a container expects.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { tarOf, type FixtureEntry } from '../../core/archive/tar-fixture.js';

export const busyboxApplets = ['sh', 'echo', 'ls', 'cat', 'id', 'sleep', 'true', 'false', 'hostname', 'env', 'ps', 'top', 'wc', 'mkdir', 'touch', 'rm', 'ping', 'wget', 'httpd', 'nc'];

/** A busybox rootfs as a tar in memory; `extra` entries are appended (files a test wants to find). */
export async function busyboxRootfsTar(extra: FixtureEntry[] = []): Promise<Buffer> {
  const busybox = await readFile('/bin/busybox');
  const entries: FixtureEntry[] = [
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', content: busybox, mode: 0o755 },
    ...busyboxApplets.map((a): FixtureEntry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mode: 0o777 })),
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
    { name: 'etc/group', content: 'root:x:0:\nnogroup:x:65534:\n' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'root/', type: 'directory', mode: 0o700 },
    ...extra,
  ];
  return tarOf(entries);
}

/** Writes the busybox rootfs tarball to `path`. */
export async function writeBusyboxRootfs(path: string, extra: FixtureEntry[] = []): Promise<string> {
  await writeFile(path, await busyboxRootfsTar(extra));
  return path;
}
