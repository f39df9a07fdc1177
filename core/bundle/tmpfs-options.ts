import { errorOf } from '../../lib/errdefs/index.js';

/** Flag options; a pair sharing a group cancels out, the later one winning. */
const FLAG_GROUPS: Record<string, string> = {
  ro: 'rdonly', rw: 'rdonly',
  exec: 'noexec', noexec: 'noexec',
  suid: 'nosuid', nosuid: 'nosuid',
  dev: 'nodev', nodev: 'nodev',
  sync: 'sync', async: 'sync',
  dirsync: 'dirsync',
  atime: 'noatime', noatime: 'noatime',
  diratime: 'nodiratime', nodiratime: 'nodiratime',
  relatime: 'relatime', norelatime: 'relatime',
  strictatime: 'strictatime', nostrictatime: 'strictatime',
  mand: 'mand', nomand: 'mand',
  private: 'propagation', rprivate: 'propagation',
  shared: 'propagation', rshared: 'propagation',
  slave: 'propagation', rslave: 'propagation',
  unbindable: 'propagation', runbindable: 'propagation',
  tmpcopyup: 'tmpcopyup', notmpcopyup: 'tmpcopyup',
};

const DATA_KEYS = ['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol'];

/** The options Docker starts every `--tmpfs` mount with. */
export const TMPFS_BASE_OPTIONS = ['noexec', 'nosuid', 'nodev', 'rprivate'];

/**
 * Docker's `MergeTmpfsOptions`: later options override earlier ones of the
 * same kind (`exec` over `noexec`, the last `size=`), order otherwise kept;
 * an option tmpfs does not take is refused.
 */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const seenFlags = new Set<string>();
  const seenData = new Set<string>();
  const merged: string[] = [];
  for (const option of [...options].reverse()) {
    if (option === 'defaults') continue;
    const group = FLAG_GROUPS[option];
    if (group !== undefined) {
      if (!seenFlags.has(group)) merged.unshift(option);
      seenFlags.add(group);
      continue;
    }
    const index = option.indexOf('=');
    const key = index < 0 ? '' : option.slice(0, index);
    if (!DATA_KEYS.includes(key)) throw errorOf('invalid-argument', `Invalid tmpfs option "${option}"`);
    if (!seenData.has(key)) merged.unshift(option);
    seenData.add(key);
  }
  return merged;
}

/** A user's `--tmpfs` data (`size=64m,mode=1777`) merged over Docker's base options. */
export function tmpfsMountOptions(data: string): string[] {
  const extra = data === '' ? [] : data.split(',');
  return mergeTmpfsOptions([...TMPFS_BASE_OPTIONS, ...extra]);
}
