import {
  MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY,
  MS_REC, MS_RELATIME, MS_SHARED, MS_SLAVE, MS_STRICTATIME, MS_SYNCHRONOUS,
} from '../sys/index.js';

/** A mount(2) call split out of the `o` option, as `moby/sys/mount.parseOptions` does. */
export interface MountOptions {
  flags: number;
  /** `private`, `rshared`…: applied by a second mount(2) call. */
  propagation: number;
  /** What mount(2) does not know as a flag: the filesystem's own options (`size=100m,uid=1000`). */
  data: string;
}

// [set, clear] per option word.
const flagWords: Record<string, [number, number]> = {
  ro: [MS_RDONLY, 0], rw: [0, MS_RDONLY],
  nosuid: [MS_NOSUID, 0], suid: [0, MS_NOSUID],
  nodev: [MS_NODEV, 0], dev: [0, MS_NODEV],
  noexec: [MS_NOEXEC, 0], exec: [0, MS_NOEXEC],
  sync: [MS_SYNCHRONOUS, 0], async: [0, MS_SYNCHRONOUS],
  dirsync: [MS_DIRSYNC, 0],
  mand: [MS_MANDLOCK, 0], nomand: [0, MS_MANDLOCK],
  noatime: [MS_NOATIME, 0], atime: [0, MS_NOATIME],
  nodiratime: [MS_NODIRATIME, 0], diratime: [0, MS_NODIRATIME],
  relatime: [MS_RELATIME, 0], norelatime: [0, MS_RELATIME],
  strictatime: [MS_STRICTATIME, 0], nostrictatime: [0, MS_STRICTATIME],
  bind: [MS_BIND, 0], rbind: [MS_BIND | MS_REC, 0],
  defaults: [0, 0],
};

const propagationWords: Record<string, number> = {
  private: MS_PRIVATE, rprivate: MS_PRIVATE | MS_REC,
  shared: MS_SHARED, rshared: MS_SHARED | MS_REC,
  slave: MS_SLAVE, rslave: MS_SLAVE | MS_REC,
};

export function parseMountOptions(o: string | undefined): MountOptions {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const word of (o ?? '').split(',')) {
    if (word === '') continue;
    const flag = flagWords[word];
    if (flag !== undefined) {
      flags = (flags | flag[0]) & ~flag[1];
      continue;
    }
    const prop = propagationWords[word];
    if (prop !== undefined) propagation |= prop;
    else data.push(word);
  }
  return { flags, propagation, data: data.join(',') };
}
