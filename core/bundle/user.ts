import { errorOf } from '../../lib/errdefs/index.js';
import type { SpecUser } from './oci-types.js';
import { readFileInRoot } from './read-file-in-root.js';

const MAX_ID = 2 ** 31 - 1;

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/**
 * Resolves Docker's `User` (`user`, `uid`, `user:group`, `uid:gid`, or empty
 * for root) against the rootfs's /etc/passwd and /etc/group, read inside the
 * rootfs only (symlinks never lead out of it).
 */
export async function resolveUser(rootfs: string, spec: string): Promise<SpecUser> {
  const passwd = await readFileInRoot(rootfs, '/etc/passwd');
  const group = await readFileInRoot(rootfs, '/etc/group');
  return resolveUserFrom(spec, passwd, group);
}

/**
 * The resolution itself, as runc's `GetExecUser`: a name must exist, a number
 * need not; the primary group comes from the passwd entry unless given; the
 * supplementary groups are the user's memberships when no group is given.
 * A missing file (`null`) has no entries.
 */
export function resolveUserFrom(spec: string, passwdText: string | null, groupText: string | null): SpecUser {
  const [userArg, groupArg = ''] = splitSpec(spec);
  const uidArg = numericId(userArg);
  const users = parsePasswd(passwdText ?? '').filter((u) =>
    userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg,
  );
  let uid = 0;
  let gid = 0;
  const matched = users[0];
  if (matched) {
    uid = matched.uid;
    gid = matched.gid;
  } else if (userArg !== '') {
    if (uidArg === undefined) {
      throw errorOf('invalid-argument', `unable to find user ${userArg}: no matching entries in passwd file`);
    }
    uid = checkRange(uidArg);
  }
  const supplementary: number[] = [];
  if (groupArg !== '' || matched) {
    const gidArg = numericId(groupArg);
    const groups = parseGroup(groupText ?? '').filter((g) =>
      groupArg === '' ? g.members.includes(matched!.name) : gidArg !== undefined ? g.gid === gidArg : g.name === groupArg,
    );
    if (groupArg !== '') {
      if (groups[0]) gid = groups[0].gid;
      else if (gidArg !== undefined) gid = checkRange(gidArg);
      else throw errorOf('invalid-argument', `unable to find group ${groupArg}: no matching entries in group file`);
    } else {
      supplementary.push(...groups.map((g) => g.gid));
    }
  }
  return { uid, gid, additionalGids: [gid, ...supplementary] };
}

/**
 * The user when no rootfs lookup is possible: `""`, `uid` or `uid:gid` only;
 * `undefined` when the spec names a user or group.
 */
export function numericUser(spec: string): SpecUser | undefined {
  const [userArg, groupArg = ''] = splitSpec(spec);
  const uid = userArg === '' ? 0 : numericId(userArg);
  const gid = groupArg === '' ? 0 : numericId(groupArg);
  if (uid === undefined || gid === undefined) return undefined;
  return { uid: checkRange(uid), gid: checkRange(gid), additionalGids: [gid] };
}

function splitSpec(spec: string): [string, string?] {
  const index = spec.indexOf(':');
  return index < 0 ? [spec.trim()] : [spec.slice(0, index).trim(), spec.slice(index + 1).trim()];
}

function numericId(text: string): number | undefined {
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

function checkRange(id: number): number {
  if (id < 0 || id > MAX_ID) throw errorOf('invalid-argument', `uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

function parsePasswd(text: string): PasswdEntry[] {
  return fields(text, 4).flatMap(([name, , uid, gid]) => {
    const u = numericId(uid!);
    const g = numericId(gid!);
    return u === undefined || g === undefined ? [] : [{ name: name!, uid: u, gid: g }];
  });
}

function parseGroup(text: string): GroupEntry[] {
  return fields(text, 3).flatMap(([name, , gid, members = '']) => {
    const g = numericId(gid!);
    return g === undefined ? [] : [{ name: name!, gid: g, members: members.split(',').filter(Boolean) }];
  });
}

/** Colon-separated lines with at least `min` fields; blank lines and comments skipped. */
function fields(text: string, min: number): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'))
    .filter((parts) => parts.length >= min);
}
