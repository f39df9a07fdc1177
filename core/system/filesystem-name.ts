import { statfs } from 'node:fs/promises';

/** Names of common `statfs` f_type magics, spelled as Docker's "Backing Filesystem" line. */
const namesByMagic = new Map<number, string>([
  [0xef53, 'extfs'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x794c7630, 'overlayfs'],
  [0x2fc12fc1, 'zfs'],
  [0x6969, 'nfs'],
  [0xf2f52010, 'f2fs'],
  [0x65735546, 'fuse'],
  [0x858458f6, 'ramfs'],
  [0x28cd3d45, 'cramfs'],
  [0x73717368, 'squashfs'],
]);

export function filesystemNameOf(fsType: number): string {
  return namesByMagic.get(fsType) ?? '<unknown>';
}

/**
 * The filesystem `path` lives on (Docker's "Backing Filesystem"), or "<unknown>" when `path`
 * cannot be examined.
 */
export async function filesystemName(path: string): Promise<string> {
  try {
    return filesystemNameOf((await statfs(path)).type);
  } catch {
    return '<unknown>';
  }
}
