import type { Readable } from 'node:stream';
import { errorOf } from '../../lib/errdefs/index.js';
import { digestOf, isDigest, type Digest } from '../content/index.js';
import { mediaTypes } from '../image/oci.js';
import { readBytes, RegistryTransport, type Call, type RegistryTransportOptions } from './registry-transport.js';

export interface RegistryClientOptions extends RegistryTransportOptions {
  /** Ask for push access too: every token is for `pull,push` (one token serves a whole push). */
  push?: boolean;
}

export interface FetchedManifest {
  bytes: Buffer;
  /** As served (`Content-Type`), else the document's `mediaType`. */
  mediaType: string;
  digest: Digest;
}

export interface BlobResponse {
  body: Readable;
  /** Where the body starts in the blob: the requested offset, or 0 when the registry ignored the range. */
  start: number;
}

/** What a manifest GET accepts: Docker schema 2 and its list, OCI manifest and index. */
export const manifestAccept = [mediaTypes.dockerManifest, mediaTypes.dockerManifestList, mediaTypes.ociManifest, mediaTypes.ociIndex];

/** containerd's bound on a manifest's size. */
const maxManifestBytes = 4 * 1024 * 1024;

/**
 * The Docker Registry HTTP API v2 (the OCI distribution spec) for one
 * registry: manifests and blobs by repository (`library/busybox`), uploads,
 * cross-repository mounts and tag lists. Endpoint, auth and error wording are
 * the transport's. Manifests read by digest are verified (`data-loss`).
 * Methods that only ask whether something exists answer `undefined` for 404.
 */
export class RegistryClient {
  readonly transport: RegistryTransport;
  private readonly actions: string;

  constructor(options: RegistryClientOptions) {
    this.transport = new RegistryTransport(options);
    this.actions = options.push ? 'pull,push' : 'pull';
  }

  get registry(): string {
    return this.transport.registry;
  }

  /** `GET /v2/`: reaches the registry and learns how it authenticates. */
  async ping(): Promise<void> {
    await this.transport.base();
  }

  async getManifest(repo: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.call({
      method: 'GET', target: `/v2/${repo}/manifests/${reference}`, scopes: [this.scope(repo)],
      headers: { accept: manifestAccept.join(', ') }, expect: [200], signal,
    });
    const bytes = await readBytes(res, maxManifestBytes);
    const digest = digestOf(bytes);
    const claimed = isDigest(reference) ? reference : headerOf(res.headers, 'docker-content-digest');
    if (claimed !== undefined && isDigest(claimed) && claimed !== digest) {
      throw errorOf('data-loss', `manifest ${repo}:${reference}: verification failed: content has digest ${digest}, expected ${claimed}`);
    }
    const served = headerOf(res.headers, 'content-type')?.split(';')[0]!.trim();
    return { bytes, digest, mediaType: served && served !== 'application/json' ? served : declaredType(bytes) };
  }

  /** `HEAD` a manifest: its digest, type and size, or undefined when the registry has none. */
  async headManifest(repo: string, reference: string): Promise<{ digest?: string; mediaType?: string; size?: number } | undefined> {
    const res = await this.call({
      method: 'HEAD', target: `/v2/${repo}/manifests/${reference}`, scopes: [this.scope(repo)],
      headers: { accept: manifestAccept.join(', ') }, expect: [200, 404],
    });
    await res.body.dump();
    if (res.statusCode === 404) return undefined;
    const length = Number(headerOf(res.headers, 'content-length'));
    return { digest: headerOf(res.headers, 'docker-content-digest'), mediaType: headerOf(res.headers, 'content-type'), size: Number.isFinite(length) ? length : undefined };
  }

  /** `HEAD` a blob: its size, or undefined when the repository has none. */
  async headBlob(repo: string, digest: string): Promise<number | undefined> {
    const res = await this.call({ method: 'HEAD', target: `/v2/${repo}/blobs/${digest}`, scopes: [this.scope(repo)], expect: [200, 404], redirect: true });
    await res.body.dump();
    return res.statusCode === 404 ? undefined : Number(headerOf(res.headers, 'content-length') ?? 0);
  }

  /** `GET` a blob from `offset` on (a `Range` request), following redirects to storage. */
  async getBlob(repo: string, digest: string, offset = 0, signal?: AbortSignal): Promise<BlobResponse> {
    const res = await this.call({
      method: 'GET', target: `/v2/${repo}/blobs/${digest}`, scopes: [this.scope(repo)], redirect: true, signal,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, expect: [200, 206],
    });
    if (res.statusCode === 200) return { body: res.body, start: 0 };
    const start = Number(/^bytes (\d+)-/.exec(headerOf(res.headers, 'content-range') ?? '')?.[1]);
    if (start !== offset) {
      res.body.destroy();
      throw errorOf('unavailable', `blob ${digest}: asked for bytes from ${offset}, registry sent a range starting at ${start}`);
    }
    return { body: res.body, start };
  }

  /** `POST /v2/<repo>/blobs/uploads/`: starts an upload; returns its location. */
  async startUpload(repo: string): Promise<string> {
    const res = await this.call({ method: 'POST', target: `/v2/${repo}/blobs/uploads/`, scopes: [this.scope(repo)], headers: { 'content-length': '0' }, expect: [202] });
    await res.body.dump();
    return locationOf(res, repo);
  }

  /**
   * `POST ?mount=<digest>&from=<repo>`: mounts a blob another repository of
   * the registry has. True when mounted; otherwise the registry started an
   * ordinary upload, whose location is returned.
   */
  async mountBlob(repo: string, digest: string, from: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const query = new URLSearchParams({ mount: digest, from });
    const res = await this.call({
      method: 'POST', target: `/v2/${repo}/blobs/uploads/?${query}`, scopes: [this.scope(repo), `repository:${from}:pull`],
      headers: { 'content-length': '0' }, expect: [201, 202],
    });
    await res.body.dump();
    return res.statusCode === 201 ? { mounted: true } : { mounted: false, location: locationOf(res, repo) };
  }

  /** `PATCH` one chunk (`start`, `length` bytes) of an upload; returns the next location. */
  async patchChunk(repo: string, location: string, chunk: () => Promise<Readable>, start: number, length: number): Promise<string> {
    const res = await this.call({
      method: 'PATCH', target: location, scopes: [this.scope(repo)], body: chunk, expect: [202],
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + length - 1}`, 'content-length': String(length) },
    });
    await res.body.dump();
    const range = /^(?:bytes=)?0-(\d+)$/.exec(headerOf(res.headers, 'range') ?? '');
    if (range && Number(range[1]) !== start + length - 1) {
      throw errorOf('unavailable', `upload to ${repo}: registry has bytes 0-${range[1]}, expected 0-${start + length - 1}`);
    }
    return locationOf(res, repo);
  }

  /** `PUT <location>?digest=`: completes an upload, with the last (or only) bytes as `body`. */
  async finishUpload(repo: string, location: string, digest: string, body?: Buffer): Promise<void> {
    const target = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
    const headers: Record<string, string> = { 'content-length': String(body?.length ?? 0) };
    if (body) headers['content-type'] = 'application/octet-stream';
    const res = await this.call({ method: 'PUT', target, scopes: [this.scope(repo)], body, headers, expect: [201, 204] });
    await res.body.dump();
  }

  /** `PUT /v2/<repo>/manifests/<tag or digest>`; returns the digest the registry gave it. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const res = await this.call({
      method: 'PUT', target: `/v2/${repo}/manifests/${reference}`, scopes: [this.scope(repo)], body: bytes,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) }, expect: [201, 202],
    });
    await res.body.dump();
    const digest = digestOf(bytes);
    const claimed = headerOf(res.headers, 'docker-content-digest');
    if (claimed !== undefined && claimed !== digest) throw errorOf('data-loss', `manifest ${repo}:${reference}: registry stored ${claimed}, pushed ${digest}`);
    return digest;
  }

  /** `GET /v2/<repo>/tags/list`, following `Link` pagination. */
  async listTags(repo: string): Promise<string[]> {
    const tags: string[] = [];
    let target: string | undefined = `/v2/${repo}/tags/list`;
    while (target !== undefined) {
      const res = await this.call({ method: 'GET', target, scopes: [this.scope(repo)], expect: [200] });
      const page = JSON.parse((await readBytes(res, maxManifestBytes)).toString('utf8')) as { tags?: unknown };
      if (Array.isArray(page.tags)) tags.push(...page.tags.filter((t): t is string => typeof t === 'string'));
      target = /<([^>]+)>;\s*rel="?next"?/.exec(headerOf(res.headers, 'link') ?? '')?.[1];
    }
    return tags;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private scope(repo: string): string {
    return `repository:${repo}:${this.actions}`;
  }

  private call(c: Call) {
    return this.transport.call(c);
  }
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function locationOf(res: { headers: Record<string, string | string[] | undefined> }, repo: string): string {
  const location = headerOf(res.headers, 'location');
  if (location === undefined) throw errorOf('unavailable', `upload to ${repo}: registry gave no Location`);
  return location;
}

function declaredType(bytes: Buffer): string {
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    if (typeof doc.mediaType === 'string') return doc.mediaType;
    return doc.manifests !== undefined ? mediaTypes.ociIndex : mediaTypes.ociManifest;
  } catch {
    return mediaTypes.ociManifest;
  }
}
