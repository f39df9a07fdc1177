import { errorOf } from '../../lib/errdefs/index.js';

/**
 * Image references as Docker reads them (distribution/reference): the
 * grammar, the normalisation of familiar names (`busybox` →
 * `docker.io/library/busybox`), and the familiar form Docker prints.
 * Errors are `invalid-argument` with Docker's wording, since clients show it.
 */
export interface Reference {
  /** Registry host, with port if any: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  domain: string;
  /** Repository path within the registry: `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

const defaultDomain = 'docker.io';
const legacyDefaultDomain = 'index.docker.io';
const officialPrefix = 'library/';
export const defaultTag = 'latest';

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[(?:[a-fA-F0-9:]+)\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRe = new RegExp(`^((?:${domainAndPort}/)?${remoteName})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const nameRe = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const tagRe = new RegExp(`^${tagPattern}$`);
const identifierRe = /^[a-f0-9]{64}$/;
const digestLengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

// Far above any valid reference (name ≤ 255, tag ≤ 128, digest ≤ 135): bounds regex work on hostile input.
const MAX_INPUT = 2048;

function invalidFormat(detail?: string) {
  return errorOf('invalid-argument', detail === undefined ? 'invalid reference format' : `invalid reference format: ${detail}`);
}

/**
 * Parses a reference without normalising it (distribution's `Parse`): the
 * first path component is the domain only if the grammar puts it there.
 */
export function parseReference(s: string): Reference {
  if (s === '') throw errorOf('invalid-argument', 'repository name must have at least one component');
  const m = s.length > MAX_INPUT ? null : referenceRe.exec(s);
  if (!m) {
    const lower = s.toLowerCase();
    if (lower !== s && s.length <= MAX_INPUT && referenceRe.test(lower)) throw errorOf('invalid-argument', 'repository name must be lowercase');
    throw invalidFormat();
  }
  const [, name, tag, digest] = m;
  const parts = nameRe.exec(name!)!;
  const ref: Reference = { domain: parts[1] ?? '', path: parts[2]! };
  if (ref.path.length > 255) throw errorOf('invalid-argument', 'repository name must not be more than 255 characters');
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = checkDigest(digest);
  return ref;
}

/** go-digest's validation of a digest the grammar accepted. */
function checkDigest(digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = digestLengths[algorithm];
  if (length === undefined) throw errorOf('invalid-argument', 'unsupported digest algorithm');
  if (hex.length !== length) throw errorOf('invalid-argument', 'invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw errorOf('invalid-argument', 'invalid checksum digest format');
  return digest;
}

/**
 * Parses a name as typed by a user (distribution's `ParseNormalizedNamed`):
 * `busybox` → domain `docker.io`, path `library/busybox`. No tag is added.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (identifierRe.test(s)) {
    throw errorOf('invalid-argument', `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) throw invalidFormat(`repository name (${remote}) must be lowercase`);
  return parseReference(`${domain}/${remainder}`);
}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: defaultDomain, remainder: officialPrefix + name };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain = defaultDomain;
  let remainder = name;
  // localhost, anything with "." or ":" (a host or host:port), or anything
  // upper-case (namespaces are lower case) is a registry domain.
  if (first === legacyDefaultDomain) [domain, remainder] = [defaultDomain, rest];
  else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) [domain, remainder] = [first, rest];
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialPrefix + remainder;
  return { domain, remainder };
}

/** A bare 64-hex ID or a full digest: what `ParseAnyReference` reads as a digest. */
export type AnyReference = { kind: 'digest'; digest: string } | { kind: 'named'; ref: Reference };

/** distribution's `ParseAnyReference`: an image ID or digest, else a normalised name. */
export function parseAnyReference(s: string): AnyReference {
  if (identifierRe.test(s)) return { kind: 'digest', digest: `sha256:${s}` };
  if (/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(s)) {
    try {
      return { kind: 'digest', digest: checkDigest(s) };
    } catch {
      // not a valid digest: read as a name, as Docker does
    }
  }
  return { kind: 'named', ref: parseNormalizedNamed(s) };
}

/** Adds the `latest` tag to a reference with neither tag nor digest (`TagNameOnly`). */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: defaultTag } : ref;
}

/** Parses, normalises and defaults the tag: `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeReference(s: string): string {
  return referenceString(withDefaultTag(parseNormalizedNamed(s)));
}

/** Whether `tag` is a valid tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return tagRe.test(tag);
}

/** The repository name: `docker.io/library/busybox`. */
export function referenceName(ref: Reference): string {
  return ref.domain === '' ? ref.path : `${ref.domain}/${ref.path}`;
}

/** The full string: `docker.io/library/busybox:latest`, `localhost:5000/x@sha256:…`. */
export function referenceString(ref: Reference): string {
  return `${referenceName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The name Docker shows: `busybox`, `user/x`, `localhost:5000/x`. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== defaultDomain) return referenceName(ref);
  const rest = ref.path.startsWith(officialPrefix) ? ref.path.slice(officialPrefix.length) : undefined;
  return rest !== undefined && !rest.includes('/') ? rest : ref.path;
}

/** The reference as Docker shows it: `busybox:latest`, `user/x@sha256:…`. */
export function familiarString(ref: Reference): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** `familiarString` of a reference given as a string (normalised first). */
export function familiarize(s: string): string {
  return familiarString(parseNormalizedNamed(s));
}

/**
 * The name `docker import`, `docker tag` and `docker commit` give an image,
 * from their `repo` and `tag` parameters (moby's `RepoTagReference` plus the
 * reference store's refusals): the tag defaults to `latest`, a `tag` replaces
 * one in `repo`, digests and the name `sha256` are refused.
 */
export function repoTagReference(repo: string, tag?: string): Reference {
  const ref = parseNormalizedNamed(repo);
  if (ref.digest !== undefined) throw errorOf('invalid-argument', 'cannot import digest reference');
  if (familiarName(ref) === 'sha256') {
    throw errorOf('invalid-argument', 'refusing to create an ambiguous tag using digest algorithm as name');
  }
  if (tag === undefined || tag === '') return withDefaultTag(ref);
  if (!isValidTag(tag)) throw errorOf('invalid-argument', 'invalid tag format');
  return { domain: ref.domain, path: ref.path, tag };
}
